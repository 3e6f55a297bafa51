import DroverCore
import DroverSystem

/// What every client command starts with: the options in force and the daemon's socket.
struct ClientContext {
    let options: LaunchOptions
    let channel: ControlChannel
    let inherited: EnvironmentVariables

    static func current(_ commandLine: LaunchOptions) throws(Diagnostics) -> ClientContext {
        let context = try ApplicationContext.current()
        let options = try context.options(commandLine)
        return ClientContext(
            options: options, channel: ControlChannel(path: ControlSocketPath.resolve(options, inherited: context.inherited)),
            inherited: context.inherited)
    }

    /// `web`, `worker.2`: checked here so a typo never reaches the daemon.
    static func selectors(_ names: [String]) throws(Diagnostics) -> [InstanceSelector] {
        var selectors: [InstanceSelector] = []
        for name in names {
            do { selectors.append(try InstanceSelector.parse(name)) } catch {
                throw Diagnostics([Diagnostic(error.reason, kind: .usage)])
            }
        }
        return selectors
    }

    /// Sends a request answered with the formation's status (`restart`, `stop`,
    /// `start`) and prints "VERB web.1, worker.2" for the instances the selectors take;
    /// those that could not be spawned are errors (exit 1), the rest of the change stands.
    static func act(
        _ request: ControlRequest, through channel: ControlChannel, verb: String, selectors: [InstanceSelector]
    ) throws(Diagnostics) {
        let status = try channel.status(request)
        let chosen = status.instances.filter { selectors.selects(type: $0.type, number: $0.number) }
        Console.out("\(verb) \(chosen.map(\.name).joined(separator: ", "))\n")
        guard status.startErrors.isEmpty else { throw Diagnostics(status.startErrors.map { Diagnostic($0) }) }
    }
}
