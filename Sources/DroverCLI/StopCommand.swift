import DroverCore

/// `drover stop NAME...` stops instances; `drover stop` alone and `drover quit` stop drover.
enum StopCommand {
    static func run(options: LaunchOptions, names: [String]) throws(Diagnostics) -> ExitCode {
        guard !names.isEmpty else { return try quit(options: options) }
        let selectors = try ClientContext.selectors(names)
        let client = try ClientContext.current(options)
        try ClientContext.act(.stop(selectors), through: client.channel, verb: "stopping", selectors: selectors)
        return .success
    }

    static func quit(options: LaunchOptions) throws(Diagnostics) -> ExitCode {
        let client = try ClientContext.current(options)
        guard case let .quitting(pid) = try client.channel.send(.quit) else { throw client.channel.unexpected("no pid") }
        Console.out("stopping drover (pid \(pid)) and its formation\n")
        return .success
    }
}
