/// A user-facing error: one line that already names its file and line, when it has one.
public struct Diagnostic: Error, Equatable, Sendable, CustomStringConvertible {
    /// Decides the exit code: usage errors exit 64, bad input files exit 1.
    public enum Kind: Equatable, Sendable {
        /// The command line itself is wrong.
        case usage
        /// A file or value drover was given is wrong.
        case input
    }

    public var message: String
    public var kind: Kind

    public init(_ message: String, kind: Kind = .input) {
        self.message = message
        self.kind = kind
    }

    public var description: String { message }
}

/// Every problem found in one pass, so a user fixes them all at once.
public struct Diagnostics: Error, Equatable, Sendable {
    public var all: [Diagnostic]

    public init(_ all: [Diagnostic]) {
        self.all = all
    }

    /// Usage errors win: one typo on the command line makes the whole run a usage error.
    public var kind: Diagnostic.Kind { all.contains { $0.kind == .usage } ? .usage : .input }
}

/// Text about to reach a terminal, with its control characters made visible.
///
/// Messages quote Procfile lines, file names, names typed on the command line and
/// replies from the control socket; an ESC or BEL in any of them would otherwise
/// reach the terminal and could retitle or clear it. Every C0 control (tab and line
/// feed included), DEL and every C1 control is written as Swift writes it, `\u{1b}`;
/// everything else is kept as it is.
public enum TerminalText {
    public static func escaped(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: isControl) else { return text }
        var result = ""
        result.reserveCapacity(text.utf8.count + 16)
        for scalar in text.unicodeScalars {
            if isControl(scalar) {
                result += "\\u{\(String(scalar.value, radix: 16))}"
            } else {
                result.unicodeScalars.append(scalar)
            }
        }
        return result
    }

    private static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value)
    }
}
