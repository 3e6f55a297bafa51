/// A `KEY=value` environment file (`.env`), in the dialect documented in docs/env.md.
public enum DotEnv {
    /// The most an unquoted or double-quoted value may hold after expansion, in UTF-8 bytes.
    /// Far above what `execve` passes (128 KiB per variable), so only runaway expansion hits it.
    public static let maximumValueBytes = 1_048_576
    /// The most all values of one file may hold together. Without it, a line `B=$A` per
    /// 5 bytes copies a 1 MiB value each time: a 4 KiB file would make 800 MiB.
    public static let maximumFileBytes = 16_777_216

    /// Parses an env file, reporting every problem found.
    ///
    /// Read as bytes (all syntax is ASCII): values keep their bytes exactly, and a NUL
    /// in a value, which no process could be given, is an error.
    ///
    /// `$VAR` references resolve first against keys assigned earlier (in this file,
    /// or in `earlier` from files loaded before), then through `inherited`, else to "";
    /// with `refusingUnset`, a reference nothing resolves (and that has no default) is
    /// an error instead.
    /// - Returns: the assignments in file order (a key may repeat; later wins).
    public static func parse(
        _ contents: [UInt8],
        file: String,
        earlier: EnvironmentVariables = EnvironmentVariables(),
        inherited: (String) -> ByteString? = { _ in nil }, refusingUnset: Bool = false
    ) -> Result<[DotEnvAssignment], DotEnvErrors> {
        var scanner = DotEnvScanner(contents: contents, file: file, refusingUnset: refusingUnset)
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
                    remaining -= value.count
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

    public static func parse(
        _ text: String,
        file: String,
        earlier: EnvironmentVariables = EnvironmentVariables(),
        inherited: (String) -> ByteString? = { _ in nil },
        refusingUnset: Bool = false
    ) -> Result<[DotEnvAssignment], DotEnvErrors> {
        parse(Array(text.utf8), file: file, earlier: earlier, inherited: inherited, refusingUnset: refusingUnset)
    }
}

/// One `KEY=value` assignment and the line it starts on.
public struct DotEnvAssignment: Equatable, Sendable {
    public var name: String
    public var value: ByteString
    public var line: Int

    public init(name: String, value: ByteString, line: Int) {
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
    private let bytes: [UInt8]
    private var position = 0
    private(set) var line = 1
    /// The line the last assignment's key stood on (blank lines before it are skipped).
    private(set) var lineOfLastKey: Int?
    let file: String
    /// A reference nothing resolves is an error, not "" (`export`).
    let refusingUnset: Bool

    init(contents: [UInt8], file: String, refusingUnset: Bool = false) {
        self.refusingUnset = refusingUnset
        // CRLF becomes LF everywhere, inside quoted values too.
        var normalized: [UInt8] = []
        normalized.reserveCapacity(contents.count)
        for (offset, byte) in contents.enumerated() {
            if byte == .carriageReturn, offset + 1 < contents.count, contents[offset + 1] == .newline { continue }
            normalized.append(byte)
        }
        self.bytes = normalized
        self.file = file
    }

    var isAtEnd: Bool { position >= bytes.count }

    private var current: UInt8? { position < bytes.count ? bytes[position] : nil }

    private mutating func advance() {
        if bytes[position] == .newline { line += 1 }
        position += 1
    }

    private mutating func skipBlanks() {
        while let byte = current, byte.isBlank { advance() }
    }

    /// Moves past the next line end (or to the end of the text).
    mutating func skipRestOfLine() {
        while let byte = current {
            advance()
            if byte == .newline { return }
        }
    }

    /// The rest of the current line, without consuming it, for messages.
    private func restOfLine() -> String {
        var end = position
        while end < bytes.count, bytes[end] != .newline { end += 1 }
        return String(decoding: bytes[position..<end], as: UTF8.self)
    }

    /// Reads one line (or a multi-line quoted value); nil for a blank or comment line.
    /// - Parameter remaining: how many bytes the file's values may still add.
    mutating func nextAssignment(
        remaining: Int, lookup: (String) -> ByteString?
    ) throws(DotEnvError) -> (String, ByteString)? {
        skipBlanks()
        guard let first = current else { return nil }
        if first == .newline || first == UInt8(ascii: "#") {
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
        while let byte = current, byte != UInt8(ascii: "="), byte != .newline, !byte.isBlank { advance() }
        let key = String(decoding: bytes[keyStart..<position], as: UTF8.self)
        skipBlanks()
        guard current == UInt8(ascii: "=") else {
            throw .missingEquals(file: file, line: startLine, text: lineText)
        }
        guard DotEnvScanner.isValidKey(key) else {
            throw .invalidKey(file: file, line: startLine, key: key)
        }
        advance()
        let valueStart = position
        skipBlanks()

        let value: ByteString
        switch current {
        case UInt8(ascii: "'"):
            value = try singleQuoted(key: key)
            try expectLineEnd()
        case UInt8(ascii: "\""):
            value = try doubleQuoted(key: key, remaining: remaining, lookup: lookup)
            try expectLineEnd()
        default:
            value = try unquoted(key: key, remaining: remaining, lookup: lookup, afterBlank: position > valueStart)
        }
        return (key, value)
    }

    /// `export` followed by a blank: the shell-compatible prefix (a key named `export` stays a key).
    private func hasWord(_ word: String) -> Bool {
        let wordBytes = Array(word.utf8)
        guard position + wordBytes.count < bytes.count else { return false }
        return bytes[position..<(position + wordBytes.count)].elementsEqual(wordBytes)
            && bytes[position + wordBytes.count].isBlank
    }

    /// A NUL cannot be passed to a process: refused on the line it stands on.
    private func checkNotNUL(_ byte: UInt8, key: String) throws(DotEnvError) {
        if byte == 0 { throw .nulInValue(file: file, line: line, key: key) }
    }

    private mutating func singleQuoted(key: String) throws(DotEnvError) -> ByteString {
        let openLine = line
        advance()
        var value: [UInt8] = []
        while let byte = current {
            try checkNotNUL(byte, key: key)
            advance()
            if byte == UInt8(ascii: "'") { return ByteString(value) }
            value.append(byte)
        }
        throw .unterminatedQuote(file: file, line: openLine, quote: "'")
    }

    private mutating func doubleQuoted(
        key: String, remaining: Int, lookup: (String) -> ByteString?
    ) throws(DotEnvError) -> ByteString {
        let openLine = line
        advance()
        var value = BoundedValue(file: file, line: openLine, remaining: remaining)
        while let byte = current {
            switch byte {
            case UInt8(ascii: "\""):
                advance()
                return value.bytes
            case UInt8(ascii: "\\"):
                advance()
                guard let escaped = current else { break }
                try checkNotNUL(escaped, key: key)
                advance()
                switch escaped {
                case UInt8(ascii: "n"): try value.append(.newline)
                case UInt8(ascii: "t"): try value.append(UInt8(ascii: "\t"))
                case UInt8(ascii: "r"): try value.append(.carriageReturn)
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "$"): try value.append(escaped)
                default:
                    // Unknown escapes stay as written, so Windows paths and regexes survive.
                    try value.append(UInt8(ascii: "\\"))
                    try value.append(escaped)
                }
            case UInt8(ascii: "$"):
                let expansionLine = line
                let (text, consumed) = try VariableExpansion.expandOne(
                    bytes, at: position, lookup: lookup, file: file, line: expansionLine, refusingUnset: refusingUnset)
                for _ in 0..<consumed { advance() }
                try value.append(text)
            default:
                try checkNotNUL(byte, key: key)
                advance()
                try value.append(byte)
            }
        }
        throw .unterminatedQuote(file: file, line: openLine, quote: "\"")
    }

    /// Up to the line end; ` #` (a blank then `#`) starts a comment, `a#b` does not.
    /// `afterBlank`: blanks stood between `=` and the value, so a leading `#` is a comment.
    private mutating func unquoted(
        key: String, remaining: Int, lookup: (String) -> ByteString?, afterBlank: Bool
    ) throws(DotEnvError) -> ByteString {
        let valueLine = line
        var raw: [UInt8] = []
        while let byte = current, byte != .newline {
            if byte == UInt8(ascii: "#"), raw.last?.isBlank ?? afterBlank { break }
            try checkNotNUL(byte, key: key)
            raw.append(byte)
            advance()
        }
        while let last = raw.last, last.isBlank { raw.removeLast() }
        let value = try VariableExpansion.expandAll(
            raw, lookup: lookup, file: file, line: valueLine, remaining: remaining, refusingUnset: refusingUnset)
        skipRestOfLine()
        return value
    }

    /// After a closing quote only blanks and a `#` comment may follow.
    private mutating func expectLineEnd() throws(DotEnvError) {
        skipBlanks()
        if let byte = current, byte != .newline, byte != UInt8(ascii: "#") {
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

extension UInt8 {
    static let newline = UInt8(ascii: "\n")
    static let carriageReturn = UInt8(ascii: "\r")
}
