/// A problem in an env file, rendered as `file:line: message`.
public enum DotEnvError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A line with no `=` that is not blank or a comment.
    case missingEquals(file: String, line: Int, text: String)
    /// A key outside `[A-Za-z_][A-Za-z0-9_.-]*`.
    case invalidKey(file: String, line: Int, key: String)
    /// A quote opened on `line` and never closed.
    case unterminatedQuote(file: String, line: Int, quote: Character)
    /// Text after the closing quote that is not a ` #` comment.
    case textAfterQuote(file: String, line: Int, text: String)
    /// `${` with no closing `}`, or `${}` / `${1x}`.
    case badExpansion(file: String, line: Int, text: String)
    /// A file named with `-e` that cannot be read.
    case unreadable(file: String, reason: String)
    /// A value over `DotEnv.maximumValueBytes` once expanded: `A=$A$A` on every line would
    /// otherwise double it each time, to gigabytes within a few dozen lines.
    case valueTooLong(file: String, line: Int)
    /// A NUL byte in the value of `key`, which no process could be given.
    case nulInValue(file: String, line: Int, key: String)
    /// The file's values together over `DotEnv.maximumFileBytes` at this line; reading stops there.
    case fileTooLong(file: String, line: Int)
    /// For an export: `$name` that no env file sets, and that has no default.
    case unsetReference(file: String, line: Int, name: String)

    public var description: String {
        switch self {
        case let .missingEquals(file, line, text):
            return "\(file):\(line): expected KEY=value, got \"\(text)\""
        case let .invalidKey(file, line, key):
            return "\(file):\(line): invalid key \"\(key)\" (keys are letters, digits, _ . -, not starting with a digit, . or -)"
        case let .unterminatedQuote(file, line, quote):
            let kind = quote == "'" ? "single" : "double"
            return "\(file):\(line): unterminated \(kind)-quoted value (no closing \(quote))"
        case let .textAfterQuote(file, line, text):
            return "\(file):\(line): unexpected \"\(text)\" after the closing quote"
        case let .badExpansion(file, line, text):
            return "\(file):\(line): bad variable reference \"\(text)\" (use $NAME, ${NAME} or ${NAME:-default})"
        case let .unreadable(file, reason):
            return "\(file): cannot read env file: \(reason)"
        case let .valueTooLong(file, line):
            return "\(file):\(line): value longer than \(DotEnv.maximumValueBytes) bytes (1 MiB) after expanding variables"
        case let .nulInValue(file, line, key):
            return "\(file):\(line): the value of \(key) contains a NUL byte"
        case let .unsetReference(file, line, name):
            return "\(file):\(line): no env file sets $\(name), and an export does not take values from drover's own "
                + "environment: set it in an env file, or give a default (${\(name):-value})"
        case let .fileTooLong(file, line):
            return "\(file):\(line): the values so far pass \(DotEnv.maximumFileBytes) bytes (16 MiB) after expanding "
                + "variables; the rest of the file is not read"
        }
    }
}
