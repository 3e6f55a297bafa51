/// How a Procfile command is handed to `/bin/sh -c` so that the program, not the
/// shell, is what drover watches and signals.
///
/// Debian's dash forks even for `sh -c 'prog'`: the instance's pid would be the
/// shell's, SIGUSR1/SIGUSR2 (forwarded to every group) would kill the shell by their
/// default action, and on SIGTERM the shell would die at once while the program
/// still drains. So a command the scanner can prove simple gets `exec ` in front of
/// its (last) program; anything else keeps the shell, with traps that let it outlive
/// forwarded signals and end with its program's status (see docs/lifecycle.md).
public enum ShellCommand {
    /// What `sh -c` should run for `command`.
    public static func script(for command: [UInt8]) -> [UInt8] {
        switch plan(command) {
        case let .exec(at, traps):
            var script = traps ? keepShellPrefix : []
            script.reserveCapacity(script.count + command.count + 5)
            script += command[..<at]
            script += Array("exec ".utf8)
            script += command[at...]
            return script
        case let .asWritten(traps):
            return traps ? keepShellPrefix + command : command
        case .keepShell:
            return keepShellPrefix + command
        }
    }

    public static func script(for command: String) -> String {
        String(decoding: script(for: Array(command.utf8)), as: UTF8.self)
    }

    /// The decision, before any text is built.
    enum Plan: Equatable {
        /// Insert `exec ` at this offset; `traps`: the shell may wait on a program before
        /// that (an earlier command that is not a builtin, or a `$(...)`), so it needs them.
        case exec(at: Int, traps: Bool)
        /// The last command already starts with `exec`.
        case asWritten(traps: Bool)
        /// Not provably simple: the shell stays, with the traps.
        case keepShell
    }

    /// Prepended where a shell may wait on a program. Forwarded USR1/USR2 no longer kill
    /// the shell; TERM, INT and HUP make it end as soon as its foreground program has
    /// ended, with that program's status, and a program that died of a signal has the
    /// same signal raised again (trap reset first) so drover reports the death truthfully.
    /// Caught traps are reset by `exec`, so the program itself sees default dispositions.
    static let keepShellPrefix = Array(
        ("__drover_end() { s=$?; if [ \"$s\" -gt 128 ] && [ \"$s\" -le 192 ]; then "
            + "trap - \"$((s - 128))\" 2>/dev/null; kill -\"$((s - 128))\" $$ 2>/dev/null; fi; exit \"$s\"; }; "
            + "trap __drover_end TERM INT HUP; trap : USR1 USR2; ").utf8)

    static func plan(_ command: [UInt8]) -> Plan {
        var scanner = ShellListScanner(command)
        guard let elements = scanner.scan(), let last = elements.last else { return .keepShell }
        // Only while the shell waits on a program can a signal reach it for long; a trap
        // set where none is needed only widens the instant before `exec` in which a
        // signal could be taken by the shell's trap and lost.
        let traps =
            scanner.substitutes
            || elements.dropLast().contains { element in
                guard let word = element.commandWord else { return false }
                return word.literal.map { !builtins.contains($0) } ?? true
            }
        guard let word = last.commandWord else { return .keepShell }
        if word.literal == "exec" { return .asWritten(traps: traps) }
        guard let literal = word.literal, !reservedWords.contains(literal), !builtins.contains(literal) else {
            return .keepShell
        }
        return .exec(at: word.start, traps: traps)
    }

    /// Words that open or close a compound command where a command starts (dash's and bash's).
    static let reservedWords: Set<String> = [
        "!", "{", "}", "[[", "]]", "if", "then", "else", "elif", "fi", "do", "done", "case", "esac", "while",
        "until", "for", "in", "function", "select", "time", "coproc",
    ]

    /// Builtins of dash and bash: no program to exec (`cd`, `exit`, `:`), or one that
    /// behaves differently from its /bin twin (`echo`).
    static let builtins: Set<String> = [
        ".", ":", "[", "alias", "bg", "break", "cd", "chdir", "command", "continue", "echo", "eval", "exit",
        "export", "false", "fg", "getopts", "hash", "jobs", "kill", "local", "printf", "pwd", "read",
        "readonly", "return", "set", "shift", "test", "times", "trap", "true", "type", "ulimit", "umask",
        "unalias", "unset", "wait", "source", "declare", "typeset", "let", "builtin", "enable", "shopt",
        "history", "disown", "suspend", "logout", "mapfile", "readarray", "dirs", "pushd", "popd", "caller",
        "bind", "help", "compgen", "complete",
    ]
}

/// One command of an `&&`/`||`/`;` list: where its program name stands.
struct ShellListElement: Equatable {
    struct Word: Equatable {
        var start: Int
        /// The word without its quotes; nil when it holds an expansion (its value is unknown).
        var literal: String?
    }

    /// The first word that is neither an assignment nor a redirection's target.
    var commandWord: Word?
}

/// Splits a command into the elements of a top-level `&&`/`||`/`;` list, or gives nil
/// for anything it cannot prove to be such a list of simple commands: pipes, `&`,
/// parentheses, here-documents, newlines, unbalanced quotes or substitutions.
/// Reserved words are refused in any element, since they open compound commands.
struct ShellListScanner {
    private let bytes: [UInt8]
    private var index = 0
    /// Whether a command substitution (`$(...)`, backquotes) was seen: the shell runs and
    /// waits on it before anything is exec'd.
    private(set) var substitutes = false

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    private var current: UInt8? { index < bytes.count ? bytes[index] : nil }

    mutating func scan() -> [ShellListElement]? {
        var elements: [ShellListElement] = []
        var element = ShellListElement()
        var words = 0
        var expectingTarget = false
        var atCommandPosition = true
        while true {
            while let byte = current, byte == 0x20 || byte == 0x09 { index += 1 }
            guard let byte = current else { break }
            switch byte {
            case 0x23: // '#' at a word's start: a comment to the end
                index = bytes.count
            case 0x3B, 0x26, 0x7C: // ';' '&' '|'
                guard !expectingTarget, words > 0 else { return nil }
                if byte == 0x3B {
                    index += 1
                    if current == 0x3B || current == 0x26 { return nil }
                } else {
                    guard index + 1 < bytes.count, bytes[index + 1] == byte else { return nil } // '|', '&'
                    index += 2
                }
                elements.append(element)
                element = ShellListElement()
                words = 0
                atCommandPosition = true
            case 0x3C, 0x3E: // '<' '>'
                guard !expectingTarget, scanRedirection() else { return nil }
                expectingTarget = true
            case 0x28, 0x29, 0x0A, 0x0D: // '(' ')' newline
                return nil
            default:
                let start = index
                guard let literal = scanWord() else { return nil }
                // An all-digit word right before '<' or '>' is the descriptor of a redirection.
                if let next = current, next == 0x3C || next == 0x3E, literal.map(\.isAllDigits) ?? false {
                    guard !expectingTarget, scanRedirection() else { return nil }
                    expectingTarget = true
                    continue
                }
                words += 1
                if expectingTarget {
                    expectingTarget = false
                } else if atCommandPosition, !isAssignment(at: start) {
                    if let literal, ShellCommand.reservedWords.contains(literal) { return nil }
                    element.commandWord = .init(start: start, literal: literal)
                    atCommandPosition = false
                }
            }
        }
        guard !expectingTarget else { return nil }
        if words == 0 {
            // A trailing `;` ends the list; any other empty element is a syntax error.
            guard !elements.isEmpty, index > 0, lastSeparatorWasSemicolon else { return nil }
            return elements
        }
        elements.append(element)
        return elements
    }

    private var lastSeparatorWasSemicolon: Bool {
        var end = bytes.count
        while end > 0, bytes[end - 1] == 0x20 || bytes[end - 1] == 0x09 { end -= 1 }
        return end > 0 && bytes[end - 1] == 0x3B
    }

    /// `<`, `>`, `>>`, `<&`, `>&`, `<>`, `>|`; a here-document (`<<`) is refused.
    private mutating func scanRedirection() -> Bool {
        let first = bytes[index]
        index += 1
        guard let next = current else { return true }
        if first == 0x3C && next == 0x3C { return false }
        if (first == 0x3E && (next == 0x3E || next == 0x7C)) || next == 0x26 || (first == 0x3C && next == 0x3E) {
            index += 1
        }
        return true
    }

    /// One word, quotes and substitutions included; its literal text, or nil inside
    /// the Optional when it holds an expansion. Returns nil (outer) when unbalanced.
    private mutating func scanWord() -> String?? {
        var literal: [UInt8]? = []
        while let byte = current {
            switch byte {
            case 0x20, 0x09, 0x0A, 0x0D, 0x3B, 0x26, 0x7C, 0x3C, 0x3E, 0x28, 0x29:
                return .some(literal.map { String(decoding: $0, as: UTF8.self) })
            case 0x27: // '
                guard let close = bytes[(index + 1)...].firstIndex(of: 0x27) else { return nil }
                literal? += bytes[(index + 1)..<close]
                index = close + 1
            case 0x22: // "
                index += 1
                while true {
                    guard let inner = current else { return nil }
                    if inner == 0x22 {
                        index += 1
                        break
                    }
                    if inner == 0x5C {
                        guard index + 1 < bytes.count, bytes[index + 1] != 0x0A else { return nil }
                        literal?.append(bytes[index + 1])
                        index += 2
                    } else if inner == 0x24 || inner == 0x60 {
                        guard skipExpansion() else { return nil }
                        literal = nil
                    } else {
                        literal?.append(inner)
                        index += 1
                    }
                }
            case 0x5C: // backslash: the next byte is literal; backslash-newline is refused
                guard index + 1 < bytes.count, bytes[index + 1] != 0x0A else { return nil }
                literal?.append(bytes[index + 1])
                index += 2
            case 0x24, 0x60: // $ `
                guard skipExpansion() else { return nil }
                literal = nil
            default:
                literal?.append(byte)
                index += 1
            }
        }
        return .some(literal.map { String(decoding: $0, as: UTF8.self) })
    }

    /// Moves past `$NAME`, `${...}`, `$(...)`, `$((...))` or `` `...` ``; false when unbalanced.
    private mutating func skipExpansion() -> Bool {
        if bytes[index] == 0x60 {
            substitutes = true
            index += 1
            while let byte = current {
                index += 1
                if byte == 0x5C { index += 1 } else if byte == 0x60 { return true }
            }
            return false
        }
        index += 1
        switch current {
        case 0x7B: return skipBalanced(open: 0x7B, close: 0x7D)
        case 0x28:
            substitutes = true
            return skipBalanced(open: 0x28, close: 0x29)
        default:
            // `$NAME`, `$1`, `$?`, or a lone `$`: the word scanner reads on from here.
            return true
        }
    }

    /// From an opening bracket to its match, skipping quoted text.
    private mutating func skipBalanced(open: UInt8, close: UInt8) -> Bool {
        var depth = 0
        while let byte = current {
            switch byte {
            case open:
                depth += 1
                index += 1
            case close:
                depth -= 1
                index += 1
                if depth == 0 { return true }
            case 0x27:
                guard let end = bytes[(index + 1)...].firstIndex(of: 0x27) else { return false }
                index = end + 1
            case 0x22:
                index += 1
                while let inner = current, inner != 0x22 {
                    if inner == 0x5C {
                        index += 1
                    } else if inner == 0x24 || inner == 0x60 {
                        guard skipExpansion() else { return false }
                        continue
                    }
                    index += 1
                }
                guard current == 0x22 else { return false }
                index += 1
            case 0x5C: index += 2
            case 0x0A: return false
            case 0x24, 0x60:
                guard skipExpansion() else { return false }
            default: index += 1
            }
        }
        return false
    }

    /// `NAME=...`: a valid shell name, unquoted, then `=`.
    private func isAssignment(at start: Int) -> Bool {
        var end = start
        while end < bytes.count, end == start ? ShellName.isStart(bytes[end]) : ShellName.isContinuation(bytes[end]) {
            end += 1
        }
        return end > start && end < bytes.count && bytes[end] == 0x3D
    }
}

extension String {
    fileprivate var isAllDigits: Bool { !isEmpty && utf8.allSatisfy { (0x30...0x39).contains($0) } }
}

extension ShellCommand {
    /// Whether `command` mentions variable `name` as `$NAME` or `${NAME...}`: a textual
    /// look, enough to tell that a type serves on `$PORT` (`$PORTS` is another name).
    public static func references(_ name: String, in command: [UInt8]) -> Bool {
        let name = Array(name.utf8)
        var index = 0
        while let dollar = command[index...].firstIndex(of: 0x24) {
            var start = dollar + 1
            let braced = start < command.count && command[start] == 0x7B
            if braced { start += 1 }
            let end = start + name.count
            if end <= command.count, Array(command[start..<end]) == name {
                if braced {
                    if end < command.count, [0x7D, 0x3A, 0x2D, 0x3D, 0x3F, 0x2B].contains(command[end]) { return true }
                } else if end == command.count || !ShellName.isContinuation(command[end]) {
                    return true
                }
            }
            index = dollar + 1
        }
        return false
    }
}
