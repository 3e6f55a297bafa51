/// `$NAME`, `${NAME}` and `${NAME:-default}` in env file values, over bytes.
enum VariableExpansion {
    /// Expands every reference in `raw`; a `$` that starts no reference stays a `$`.
    /// - Parameter remaining: how many bytes the file's values may still add.
    static func expandAll(
        _ raw: [UInt8], lookup: (String) -> ByteString?, file: String, line: Int, remaining: Int,
        refusingUnset: Bool = false
    ) throws(DotEnvError) -> ByteString {
        var result = BoundedValue(file: file, line: line, remaining: remaining)
        var index = 0
        while index < raw.count {
            if raw[index] == UInt8(ascii: "$") {
                let (text, consumed) = try expandOne(
                    raw, at: index, lookup: lookup, file: file, line: line, refusingUnset: refusingUnset)
                try result.append(text)
                index += consumed
            } else {
                try result.append(raw[index])
                index += 1
            }
        }
        return result.bytes
    }

    /// Expands the reference starting at the `$` at `start`.
    /// - Parameter refusingUnset: a name nothing resolves, without a default, is an error.
    /// - Returns: the replacement and how many bytes it replaced (at least 1).
    static func expandOne(
        _ bytes: [UInt8], at start: Int, lookup: (String) -> ByteString?, file: String, line: Int,
        refusingUnset: Bool = false
    ) throws(DotEnvError) -> (ByteString, Int) {
        let next = start + 1
        guard next < bytes.count else { return ("$", 1) }

        if bytes[next] == UInt8(ascii: "{") {
            guard let close = bytes[next...].firstIndex(where: { $0 == UInt8(ascii: "}") || $0 == .newline }),
                bytes[close] == UInt8(ascii: "}")
            else {
                let end = bytes[next...].firstIndex(of: .newline) ?? bytes.count
                throw .badExpansion(file: file, line: line, text: text(bytes[start..<end]))
            }
            let inside = bytes[(next + 1)..<close]
            let consumed = close - start + 1
            let (name, fallback) = splitDefault(inside)
            guard DotEnvScanner.isValidKey(name) else {
                throw .badExpansion(file: file, line: line, text: text(bytes[start...close]))
            }
            let value = lookup(name)
            if let fallback, value?.isEmpty ?? true { return (fallback, consumed) }
            if value == nil && refusingUnset { throw .unsetReference(file: file, line: line, name: name) }
            return (value ?? "", consumed)
        }

        guard ShellName.isStart(bytes[next]) else { return ("$", 1) }
        var end = next + 1
        while end < bytes.count, ShellName.isContinuation(bytes[end]) { end += 1 }
        let name = text(bytes[next..<end])
        guard let value = lookup(name) else {
            if refusingUnset { throw .unsetReference(file: file, line: line, name: name) }
            return ("", end - start)
        }
        return (value, end - start)
    }

    /// `NAME:-default` splits into the name and the default (shell semantics: used when unset or empty).
    private static func splitDefault(_ inside: ArraySlice<UInt8>) -> (String, ByteString?) {
        guard
            let colon = inside.indices.first(where: {
                inside[$0] == UInt8(ascii: ":") && $0 + 1 < inside.endIndex && inside[$0 + 1] == UInt8(ascii: "-")
            })
        else { return (text(inside), nil) }
        return (text(inside[..<colon]), ByteString(inside[(colon + 2)...]))
    }

    /// Names and message excerpts: text, bytes that are not UTF-8 shown as U+FFFD.
    private static func text(_ slice: ArraySlice<UInt8>) -> String {
        String(decoding: slice, as: UTF8.self)
    }
}

/// A value being built from bytes and expansions, refused as soon as it passes
/// `DotEnv.maximumValueBytes` or what is left of `DotEnv.maximumFileBytes`, so the
/// runaway value is never allocated.
struct BoundedValue {
    private var contents: [UInt8] = []
    /// Where the value starts, for the error.
    let file: String
    let line: Int
    /// What the file's earlier values left of its budget.
    let remaining: Int

    init(file: String, line: Int, remaining: Int) {
        self.file = file
        self.line = line
        self.remaining = remaining
    }

    var bytes: ByteString { ByteString(contents) }

    mutating func append(_ byte: UInt8) throws(DotEnvError) {
        try checkRoom(for: 1)
        contents.append(byte)
    }

    mutating func append(_ expansion: ByteString) throws(DotEnvError) {
        try checkRoom(for: expansion.count)
        contents += expansion.bytes
    }

    /// Checks before appending, so nothing over the limits is ever copied.
    private func checkRoom(for count: Int) throws(DotEnvError) {
        let length = contents.count + count
        guard length <= DotEnv.maximumValueBytes else { throw .valueTooLong(file: file, line: line) }
        guard length <= remaining else { throw .fileTooLong(file: file, line: line) }
    }
}
