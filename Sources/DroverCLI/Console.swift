import DroverCore
import DroverSystem

/// drover's own messages: results on stdout, problems on stderr, each a whole line.
enum Console {
    static func out(_ text: String) {
        try? FileDescriptor.standardOutput.writeAll(text)
    }

    /// `drover: message` on stderr, one line whatever the message quotes: every
    /// message drover prints goes through here, control bytes escaped.
    static func error(_ message: String) {
        try? FileDescriptor.standardError.writeAll("drover: \(TerminalText.escaped(message))\n")
    }
}
