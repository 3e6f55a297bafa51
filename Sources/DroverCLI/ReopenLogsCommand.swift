import DroverCore

/// `drover reopen-logs`: the running daemon opens its `--log` path again (logrotate's `postrotate`).
enum ReopenLogsCommand {
    static func run(options: LaunchOptions) throws(Diagnostics) -> ExitCode {
        let client = try ClientContext.current(options)
        guard case let .reopened(path) = try client.channel.send(.reopenLogs) else {
            throw client.channel.unexpected("no log path")
        }
        Console.out("reopened \(path)\n")
        return .success
    }
}
