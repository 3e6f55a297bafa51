import DroverCore

/// `drover restart [NAME|NAME.N...]`: graceful stop, then start with the same number and PORT.
enum RestartCommand {
    static func run(options: LaunchOptions, names: [String]) throws(Diagnostics) -> ExitCode {
        let selectors = try ClientContext.selectors(names)
        let client = try ClientContext.current(options)
        let rows = try ClientContext.instances(in: try client.channel.send(.restart(selectors)))
        let chosen = rows.filter { row in selectors.isEmpty || selectors.contains { $0.matches(type: row.type, number: row.number) } }
        Console.out("restarting \(chosen.map(\.name).joined(separator: ", "))\n")
        return .success
    }
}
