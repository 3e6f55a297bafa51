/// A `KEY=value` environment file (`.env`), in the dialect documented in docs/env.md.
public enum DotEnv {
    /// The most an unquoted or double-quoted value may hold after expansion, in UTF-8 bytes.
    /// Far above what `execve` passes (128 KiB per variable), so only runaway expansion hits it.
    public static let maximumValueBytes = 1_048_576
    /// The most all values of one file may hold together. Without it, a line `B=$A` per
    /// 5 bytes copies a 1 MiB value each time: a 4 KiB file would make 800 MiB.
    public static let maximumFileBytes = 16_777_216

    /// Parses env file text, reporting every problem found.
    ///
    /// `$VAR` references resolve first against keys assigned earlier (in this file,
    /// or in `earlier` from files loaded before), then through `inherited`, else to "".
    /// - Returns: the assignments in file order (a key may repeat; later wins).
    public static func parse(
        _ text: String,
        file: String,
        earlier: EnvironmentVariables = EnvironmentVariables(),
        inherited: (String) -> String? = { _ in nil }
    ) -> Result<[DotEnvAssignment], DotEnvErrors> {
        var scanner = DotEnvScanner(text: text, file: file)
        var known = earlier
        var assignments: [DotEnvAssignment] = []
        var errors: [DotEnvError] = []
        var remaining = maximumFileBytes

        reading: while !scanner.isAtEnd {
            do {
                let line = scanner.line
                if let (key, value) = try scanner.nextAssignment(
                    remaining: remaining, lookup: { known[$0] ?? inherited($0) })
                {
                    remaining -= value.utf8.count
                    known[key] = value
                    assignments.append(DotEnvAssignment(name: key, value: value, line: scanner.lineOfLastKey ?? line))
                }
            } catch {
                errors.append(error)
                // Every later line could copy another mebibyte: stop reading.
                if case .fileTooLong = error { break reading }
                scanner.skipRestOfLine()
            }
        }
        return errors.isEmpty ? .success(assignments) : .failure(DotEnvErrors(errors))
    }
}

/// One `KEY=value` assignment and the line it starts on.
public struct DotEnvAssignment: Equatable, Sendable {
    public var name: String
    public var value: String
    public var line: Int

    public init(name: String, value: String, line: Int) {
        self.name = name
        self.value = value
        self.line = line
    }

    public var variable: EnvironmentVariable { EnvironmentVariable(name: name, value: value) }
}

/// Every problem found in one env file, in line order.
public struct DotEnvErrors: Error, Equatable, Sendable {
    public var errors: [DotEnvError]

    public init(_ errors: [DotEnvError]) {
        self.errors = errors
    }
}

/// Reads an env file assignment by assignment; a quoted value may span lines.
struct DotEnvScanner {
    private let scalars: [Unicode.Scalar]
    private var position = 0
    private(set) var line = 1
    /// The line the last assignment's key stood on (blank lines before it are skipped).
    private(set) var lineOfLastKey: Int?
    let file: String

    init(text: String, file: String) {
        // CRLF becomes LF everywhere, inside quoted values too.
        var normalized: [Unicode.Scalar] = []
        normalized.reserveCapacity(text.unicodeScalars.count)
        let input = Array(text.unicodeScalars)
        for (offset, scalar) in input.enumerated() {
            if scalar == "\r", offset + 1 < input.count, input[offset + 1] == "\n" { continue }
            normalized.append(scalar)
        }
        self.scalars = normalized
        self.file = file
    }

    var isAtEnd: Bool { position >= scalars.count }

    private var current: Unicode.Scalar? { position < scalars.count ? scalars[position] : nil }

    private mutating func advance() {
        if scalars[position] == "\n" { line += 1 }
        position += 1
    }

    private mutating func skipBlanks() {
        while let scalar = current, scalar.isBlank { advance() }
    }

    /// Moves past the next line end (or to the end of the text).
    mutating func skipRestOfLine() {
        while let scalar = current {
            advance()
            if scalar == "\n" { return }
        }
    }

    /// The rest of the current line, without consuming it.
    private func restOfLine() -> String {
        var end = position
        while end < scalars.count, scalars[end] != "\n" { end += 1 }
        return String(String.UnicodeScalarView(scalars[position..<end]))
    }

    /// Reads one line (or a multi-line quoted value); nil for a blank or comment line.
    /// - Parameter remaining: how many bytes the file's values may still add.
    mutating func nextAssignment(
        remaining: Int, lookup: (String) -> String?
    ) throws(DotEnvError) -> (String, String)? {
        skipBlanks()
        guard let first = current else { return nil }
        if first == "\n" || first == "#" {
            skipRestOfLine()
            return nil
        }
        let lineText = restOfLine()
        let startLine = line
        lineOfLastKey = line

        if hasWord("export") {
            position += 6
            skipBlanks()
        }
        let keyStart = position
        while let scalar = current, scalar != "=", scalar != "\n", !scalar.isBlank { advance() }
        let key = String(String.UnicodeScalarView(scalars[keyStart..<position]))
        skipBlanks()
        guard current == "=" else {
            throw .missingEquals(file: file, line: startLine, text: lineText)
        }
        guard DotEnvScanner.isValidKey(key) else {
            throw .invalidKey(file: file, line: startLine, key: key)
        }
        advance()
        let valueStart = position
        skipBlanks()

        let value: String
        switch current {
        case "'":
            value = try singleQuoted()
            try expectLineEnd()
        case "\"":
            value = try doubleQuoted(remaining: remaining, lookup: lookup)
            try expectLineEnd()
        default:
            value = try unquoted(remaining: remaining, lookup: lookup, afterBlank: position > valueStart)
        }
        return (key, value)
    }

    /// `export` followed by a blank: the shell-compatible prefix (a key named `export` stays a key).
    private func hasWord(_ word: String) -> Bool {
        let wordScalars = Array(word.unicodeScalars)
        guard position + wordScalars.count < scalars.count else { return false }
        for (offset, scalar) in wordScalars.enumerated() where scalars[position + offset] != scalar {
            return false
        }
        return scalars[position + wordScalars.count].isBlank
    }

    private mutating func singleQuoted() throws(DotEnvError) -> String {
        let openLine = line
        advance()
        var value = String.UnicodeScalarView()
        while let scalar = current {
            advance()
            if scalar == "'" { return String(value) }
            value.append(scalar)
        }
        throw .unterminatedQuote(file: file, line: openLine, quote: "'")
    }

    private mutating func doubleQuoted(remaining: Int, lookup: (String) -> String?) throws(DotEnvError) -> String {
        let openLine = line
        advance()
        var value = BoundedValue(file: file, line: openLine, remaining: remaining)
        while let scalar = current {
            switch scalar {
            case "\"":
                advance()
                return value.text
            case "\\":
                advance()
                guard let escaped = current else { break }
                advance()
                switch escaped {
                case "n": try value.append("\n")
                case "t": try value.append("\t")
                case "r": try value.append("\r")
                case "\"", "\\", "$": try value.append(escaped)
                default:
                    // Unknown escapes stay as written, so Windows paths and regexes survive.
                    try value.append("\\")
                    try value.append(escaped)
                }
            case "$":
                let expansionLine = line
                let (text, consumed) = try VariableExpansion.expandOne(
                    scalars, at: position, lookup: lookup, file: file, line: expansionLine)
                for _ in 0..<consumed { advance() }
                try value.append(text)
            default:
                advance()
                try value.append(scalar)
            }
        }
        throw .unterminatedQuote(file: file, line: openLine, quote: "\"")
    }

    /// Up to the line end; ` #` (a blank then `#`) starts a comment, `a#b` does not.
    /// `afterBlank`: blanks stood between `=` and the value, so a leading `#` is a comment.
    private mutating func unquoted(
        remaining: Int, lookup: (String) -> String?, afterBlank: Bool
    ) throws(DotEnvError) -> String {
        let valueLine = line
        var raw: [Unicode.Scalar] = []
        while let scalar = current, scalar != "\n" {
            if scalar == "#", raw.last?.isBlank ?? afterBlank { break }
            raw.append(scalar)
            advance()
        }
        while let last = raw.last, last.isBlank { raw.removeLast() }
        let value = try VariableExpansion.expandAll(
            raw, lookup: lookup, file: file, line: valueLine, remaining: remaining)
        skipRestOfLine()
        return value
    }

    /// After a closing quote only blanks and a `#` comment may follow.
    private mutating func expectLineEnd() throws(DotEnvError) {
        skipBlanks()
        if let scalar = current, scalar != "\n", scalar != "#" {
            throw .textAfterQuote(file: file, line: line, text: restOfLine())
        }
        skipRestOfLine()
    }

    /// `[A-Za-z_][A-Za-z0-9_.-]*`.
    static func isValidKey(_ key: String) -> Bool {
        guard let first = key.unicodeScalars.first else { return false }
        switch first {
        case "A"..."Z", "a"..."z", "_": break
        default: return false
        }
        return key.unicodeScalars.allSatisfy { scalar in
            switch scalar {
            case "A"..."Z", "a"..."z", "0"..."9", "_", ".", "-": return true
            default: return false
            }
        }
    }
}
