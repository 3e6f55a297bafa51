import DroverCore

/// `drover restart [NAME|NAME.N...]`: graceful stop, then start with the same number and PORT.
enum RestartCommand {
    static func run(options: LaunchOptions, names: [String]) throws(Diagnostics) -> ExitCode {
        let selectors = try ClientContext.selectors(names)
        let client = try ClientContext.current(options)
        try ClientContext.act(.restart(selectors), through: client.channel, verb: "restarting", selectors: selectors)
        return .success
    }
}
