import DroverCore
import DroverSystem

/// `drover logs [-f] [-n LINES] [NAME...]`: replay from the daemon's ring buffers, then follow,
/// in the format asked for (`--log-format`), whatever the daemon writes itself.
enum LogsCommand {
    static func run(options: LaunchOptions, local: [String: String], names: [String]) throws(Diagnostics) -> ExitCode {
        var lines = 100
        if let text = local["lines"] {
            guard let number = WholeNumber.parse(text) else {
                throw Diagnostics([Diagnostic("invalid value \"\(text)\" for -n: must be a whole number", kind: .usage)])
            }
            lines = number
        }
        let selectors = try ClientContext.selectors(names)
        let client = try ClientContext.current(options)
        var choice = ColorChoice.auto
        if let value = client.options[.color] {
            do { choice = try ColorChoice(value) } catch { throw Diagnostics([error]) }
        }
        var format = LogFormat.text
        if let value = client.options[.logFormat] {
            do { format = try LogFormat(value) } catch { throw Diagnostics([error]) }
        }
        let colored = choice.enabled(
            outputIsTerminal: FileDescriptor.standardOutput.isTerminal, term: client.inherited["TERM"]?.description,
            noColor: client.inherited["NO_COLOR"]?.description)

        let connection = try client.channel.connect()
        defer { connection.close() }
        let reader = LineReader(connection)
        _ = try client.channel.exchange(
            .logs(lines: lines, follow: local["follow"] != nil, targets: selectors, color: colored, format: format),
            over: connection, reader: reader)
        reader.copyRest(to: .standardOutput)
        return .success
    }
}
