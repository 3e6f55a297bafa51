/// `--log-format text|json`: how lines are written to the stream, the `--log` file
/// and a `logs` client.
public enum LogFormat: String, Sendable, CaseIterable {
    /// `HH:MM:SS name.N | text`, as foreman writes it.
    case text
    /// One JSON object per line (`JSONLogLine`), for log shippers.
    case json

    /// The format an option value names, or an error pointing at where it was written.
    public init(_ value: OptionValue) throws(Diagnostic) {
        guard let format = LogFormat(rawValue: value.text) else {
            throw value.invalid("must be text or json", option: .logFormat)
        }
        self = format
    }
}
