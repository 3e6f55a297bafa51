import DroverCore

/// What the command line asks for, once parsed.
enum Invocation: Equatable, Sendable {
    /// General help, or one command's.
    case help(command: String?)
    case version
    /// A command with its options, its own options (by long name; "true" for a switch)
    /// and its remaining arguments.
    case command(name: String, options: LaunchOptions, local: [String: String], arguments: [String])
}

/// A command line that cannot be understood; exits 64.
struct UsageError: Error, Equatable, Sendable, CustomStringConvertible {
    var message: String
    /// The command whose help to point at, if the error is inside one.
    var command: String?

    var description: String {
        let help = command.map { "drover \($0) --help" } ?? "drover --help"
        return "\(message) (see '\(help)')"
    }
}
