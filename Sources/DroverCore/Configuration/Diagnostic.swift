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
