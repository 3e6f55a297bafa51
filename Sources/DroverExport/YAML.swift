/// A YAML document as a tree, written in block style.
///
/// Every string is written plain only when no reader could take it for anything
/// else (YAML 1.1's `yes`/`on`/`0123`/`1:20` included, since PyYAML and go-yaml v2
/// still read 1.1), and double-quoted with escapes otherwise: a value survives
/// whatever it holds, line breaks and control characters included.
public indirect enum YAMLValue: Equatable, Sendable {
    case string(String)
    case integer(Int)
    case boolean(Bool)
    case sequence([YAMLValue])
    case mapping([YAMLEntry])
}

/// One `key: value` of a mapping; mappings keep the order they are given in.
public struct YAMLEntry: Equatable, Sendable {
    public var key: String
    public var value: YAMLValue

    public init(_ key: String, _ value: YAMLValue) {
        self.key = key
        self.value = value
    }
}

/// Writes `YAMLValue`s.
public enum YAML {
    /// Documents separated by `---`, after `comments` (each line becomes `# line`).
    public static func stream(_ documents: [YAMLValue], comments: [String] = []) -> String {
        var text = comments.map { "# \($0)\n" }.joined()
        for document in documents {
            text += "---\n"
            write(document, indent: 0, into: &text)
        }
        return text
    }

    /// One document with no `---`, after `comments`.
    public static func document(_ value: YAMLValue, comments: [String] = []) -> String {
        var text = comments.map { "# \($0)\n" }.joined()
        write(value, indent: 0, into: &text)
        return text
    }

    /// A top-level or nested collection, or a lone scalar, each line at `indent`.
    private static func write(_ value: YAMLValue, indent: Int, into text: inout String) {
        switch value {
        case let .mapping(entries) where !entries.isEmpty:
            let pad = String(repeating: " ", count: indent)
            for entry in entries {
                text += pad
                writeEntry(entry, indent: indent, into: &text)
            }
        case let .sequence(items) where !items.isEmpty:
            let pad = String(repeating: " ", count: indent)
            for item in items {
                text += pad + "-"
                writeItem(item, indent: indent, into: &text)
            }
        default:
            text += inline(value) + "\n"
        }
    }

    /// `key: ...` after the indentation, which the caller wrote.
    private static func writeEntry(_ entry: YAMLEntry, indent: Int, into text: inout String) {
        text += scalar(entry.key) + ":"
        if isBlockCollection(entry.value) {
            text += "\n"
            write(entry.value, indent: indent + 2, into: &text)
        } else {
            text += " " + inline(entry.value) + "\n"
        }
    }

    /// What follows a sequence's `-`: a scalar on the same line, or a mapping whose
    /// first entry shares the line and the rest align under it.
    private static func writeItem(_ item: YAMLValue, indent: Int, into text: inout String) {
        switch item {
        case let .mapping(entries) where !entries.isEmpty:
            let pad = String(repeating: " ", count: indent + 2)
            for (offset, entry) in entries.enumerated() {
                text += offset == 0 ? " " : pad
                writeEntry(entry, indent: indent + 2, into: &text)
            }
        case let .sequence(items) where !items.isEmpty:
            text += "\n"
            write(.sequence(items), indent: indent + 2, into: &text)
        default:
            text += " " + inline(item) + "\n"
        }
    }

    private static func isBlockCollection(_ value: YAMLValue) -> Bool {
        switch value {
        case let .mapping(entries): !entries.isEmpty
        case let .sequence(items): !items.isEmpty
        default: false
        }
    }

    private static func inline(_ value: YAMLValue) -> String {
        switch value {
        case let .string(text): scalar(text)
        case let .integer(number): String(number)
        case let .boolean(flag): flag ? "true" : "false"
        case .mapping: "{}"
        case .sequence: "[]"
        }
    }

    /// `text` as a plain scalar where that is unambiguous, else double-quoted.
    public static func scalar(_ text: String) -> String {
        isPlainSafe(text) ? text : doubleQuoted(text)
    }

    /// Words YAML 1.1 reads as booleans or null, in any case.
    private static let specialWords: Set<String> = ["y", "n", "yes", "no", "true", "false", "on", "off", "null"]

    /// Starts with a letter or `/`, then only letters, digits and `_ . / -`, and is
    /// not a word YAML 1.1 gives a meaning: no indicator, no number, no `: `.
    static func isPlainSafe(_ text: String) -> Bool {
        guard let first = text.unicodeScalars.first, isLetter(first) || first == "/" else { return false }
        guard text.unicodeScalars.allSatisfy({ isLetter($0) || isDigit($0) || "_./-".unicodeScalars.contains($0) })
        else { return false }
        return !specialWords.contains(text.lowercased())
    }

    /// `"..."` with every character a reader could fold, drop or refuse escaped.
    public static func doubleQuoted(_ text: String) -> String {
        var quoted = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": quoted += "\\\""
            case "\\": quoted += "\\\\"
            case "\n": quoted += "\\n"
            case "\t": quoted += "\\t"
            case "\r": quoted += "\\r"
            default:
                let value = scalar.value
                if value < 0x20 || (0x7F...0x9F).contains(value) {
                    quoted += "\\x" + Hex.digits(value, 2)
                } else if value == 0x2028 || value == 0x2029 || value == 0xFEFF || value == 0xFFFE || value == 0xFFFF {
                    // Line and paragraph separators would fold; a BOM or non-character is refused.
                    quoted += "\\u" + Hex.digits(value, 4)
                } else {
                    quoted.unicodeScalars.append(scalar)
                }
            }
        }
        return quoted + "\""
    }

    private static func isLetter(_ scalar: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar)
    }

    private static func isDigit(_ scalar: Unicode.Scalar) -> Bool { ("0"..."9").contains(scalar) }
}
