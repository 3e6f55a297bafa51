import DroverCore
import DroverSystem

/// What every client command starts with: the options in force and the daemon's socket.
struct ClientContext {
    let options: LaunchOptions
    let channel: ControlChannel
    let inherited: EnvironmentVariables

    static func current(_ commandLine: LaunchOptions) throws(Diagnostics) -> ClientContext {
        let context = try ApplicationContext.current()
        let options = try context.defaults().overridden(by: commandLine)
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

    /// Prints "VERB web.1, worker.2" for the instances of `reply` that `selectors` take.
    static func report(_ verb: String, _ reply: JSONValue, selectors: [InstanceSelector]) throws(Diagnostics) {
        let chosen = try instances(in: reply).filter { selectors.selects(type: $0.type, number: $0.number) }
        Console.out("\(verb) \(chosen.map(\.name).joined(separator: ", "))\n")
    }

    /// The instances in a `ps`-style reply.
    static func instances(in reply: JSONValue) throws(Diagnostics) -> [InstanceStatus] {
        guard case let .array(items)? = reply["instances"] else {
            throw Diagnostics([Diagnostic("drover answered without an instance list")])
        }
        var rows: [InstanceStatus] = []
        for item in items {
            do { rows.append(try InstanceStatus(json: item)) } catch { throw Diagnostics([Diagnostic(error.reason)]) }
        }
        return rows
    }
}
