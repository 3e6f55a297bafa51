/// A problem in a Procfile, rendered as `file:line: message` (or `file: message`).
public enum ProcfileError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A line that is neither blank, a `#` comment, nor `name: command`.
    case malformedLine(file: String, line: Int, text: String)
    /// `name:` with nothing after it but blanks.
    case emptyCommand(file: String, line: Int, name: String)
    /// A NUL byte in the command, which no process could be given.
    case nulInCommand(file: String, line: Int, name: String)
    /// The same process name declared twice.
    case duplicateName(file: String, name: String, line: Int, firstLine: Int)
    /// The file holds no entry at all.
    case noEntries(file: String)
    /// The file could not be read (missing, a directory, no permission).
    case unreadable(file: String, reason: String)

    public var description: String {
        switch self {
        case let .malformedLine(file, line, text):
            return "\(file):\(line): expected \"name: command\", got \"\(text)\""
        case let .emptyCommand(file, line, name):
            return "\(file):\(line): process \"\(name)\" has an empty command"
        case let .nulInCommand(file, line, name):
            return "\(file):\(line): the command of \"\(name)\" contains a NUL byte"
        case let .duplicateName(file, name, line, firstLine):
            return "\(file):\(line): duplicate process name \"\(name)\" (first defined on line \(firstLine))"
        case let .noEntries(file):
            return "\(file): no processes defined (expected lines like \"web: command\")"
        case let .unreadable(file, reason):
            return "\(file): cannot read Procfile: \(reason)"
        }
    }
}
