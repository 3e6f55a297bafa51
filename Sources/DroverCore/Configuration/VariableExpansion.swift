/// `$NAME`, `${NAME}` and `${NAME:-default}` in env file values.
enum VariableExpansion {
    /// Expands every reference in `raw`; a `$` that starts no reference stays a `$`.
    /// - Parameter remaining: how many bytes the file's values may still add.
    static func expandAll(
        _ raw: [Unicode.Scalar], lookup: (String) -> String?, file: String, line: Int, remaining: Int
    ) throws(DotEnvError) -> String {
        var result = BoundedValue(file: file, line: line, remaining: remaining)
        var index = 0
        while index < raw.count {
            if raw[index] == "$" {
                let (text, consumed) = try expandOne(raw, at: index, lookup: lookup, file: file, line: line)
                try result.append(text)
                index += consumed
            } else {
                try result.append(raw[index])
                index += 1
            }
        }
        return result.text
    }

    /// Expands the reference starting at the `$` at `start`.
    /// - Returns: the replacement text and how many scalars it replaced (at least 1).
    static func expandOne(
        _ scalars: [Unicode.Scalar], at start: Int, lookup: (String) -> String?, file: String, line: Int
    ) throws(DotEnvError) -> (String, Int) {
        let next = start + 1
        guard next < scalars.count else { return ("$", 1) }

        if scalars[next] == "{" {
            guard let close = scalars[next...].firstIndex(where: { $0 == "}" || $0 == "\n" }),
                  scalars[close] == "}"
            else {
                let end = scalars[next...].firstIndex(of: "\n") ?? scalars.count
                throw .badExpansion(file: file, line: line, text: text(scalars[start..<end]))
            }
            let inside = text(scalars[(next + 1)..<close])
            let consumed = close - start + 1
            let (name, fallback) = splitDefault(inside)
            guard DotEnvScanner.isValidKey(name) else {
                throw .badExpansion(file: file, line: line, text: text(scalars[start...close]))
            }
            let value = lookup(name) ?? ""
            if let fallback, value.isEmpty { return (fallback, consumed) }
            return (value, consumed)
        }

        guard isNameStart(scalars[next]) else { return ("$", 1) }
        var end = next + 1
        while end < scalars.count, isNameContinuation(scalars[end]) { end += 1 }
        return (lookup(text(scalars[next..<end])) ?? "", end - start)
    }

    /// `NAME:-default` splits into the name and the default (shell semantics: used when unset or empty).
    private static func splitDefault(_ inside: String) -> (String, String?) {
        guard let range = inside.firstRange(of: ":-") else { return (inside, nil) }
        return (String(inside[..<range.lowerBound]), String(inside[range.upperBound...]))
    }

    private static func isNameStart(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case "A"..."Z", "a"..."z", "_": return true
        default: return false
        }
    }

    private static func isNameContinuation(_ scalar: Unicode.Scalar) -> Bool {
        isNameStart(scalar) || ("0"..."9").contains(scalar)
    }

    private static func text(_ slice: ArraySlice<Unicode.Scalar>) -> String {
        String(String.UnicodeScalarView(slice))
    }
}

/// A value being built from text and expansions, refused as soon as it passes
/// `DotEnv.maximumValueBytes` or what is left of `DotEnv.maximumFileBytes`, so the
/// runaway value is never allocated.
struct BoundedValue {
    /// A String, not a scalar view: appending an expansion is then one copy, not one per scalar.
    private(set) var text = ""
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

    mutating func append(_ scalar: Unicode.Scalar) throws(DotEnvError) {
        try checkRoom(for: UTF8.width(scalar))
        text.unicodeScalars.append(scalar)
    }

    mutating func append(_ expansion: String) throws(DotEnvError) {
        try checkRoom(for: expansion.utf8.count)
        text += expansion
    }

    /// Checks before appending, so nothing over the limits is ever copied.
    private func checkRoom(for bytes: Int) throws(DotEnvError) {
        let length = text.utf8.count + bytes
        guard length <= DotEnv.maximumValueBytes else { throw .valueTooLong(file: file, line: line) }
        guard length <= remaining else { throw .fileTooLong(file: file, line: line) }
    }
}
