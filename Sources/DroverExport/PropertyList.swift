/// An XML property list (what launchd reads), as a tree.
public indirect enum PropertyListValue: Equatable, Sendable {
    case string(String)
    case integer(Int)
    case boolean(Bool)
    case array([PropertyListValue])
    /// Keys in the order given (launchd does not care; people reading the file do).
    case dictionary([(key: String, value: PropertyListValue)])

    public static func == (lhs: PropertyListValue, rhs: PropertyListValue) -> Bool {
        switch (lhs, rhs) {
        case let (.string(a), .string(b)): a == b
        case let (.integer(a), .integer(b)): a == b
        case let (.boolean(a), .boolean(b)): a == b
        case let (.array(a), .array(b)): a == b
        case let (.dictionary(a), .dictionary(b)): a.map(\.key) == b.map(\.key) && a.map(\.value) == b.map(\.value)
        default: false
        }
    }
}

/// Writes XML property lists, Apple's layout (tabs, the DOCTYPE), escaping text the
/// way an XML reader gives it back unchanged.
public enum PropertyList {
    /// A whole file: the XML declaration, the DOCTYPE, `comment` (if any) and the plist.
    public static func document(_ root: PropertyListValue, comment: String? = nil) -> String {
        var text = """
            <?xml version="1.0" encoding="UTF-8"?>
            <!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">

            """
        if let comment { text += "<!-- \(comment) -->\n" }
        text += "<plist version=\"1.0\">\n"
        write(root, depth: 0, into: &text)
        return text + "</plist>\n"
    }

    private static func write(_ value: PropertyListValue, depth: Int, into text: inout String) {
        let pad = String(repeating: "\t", count: depth)
        switch value {
        case let .string(string): text += pad + "<string>" + escaped(string) + "</string>\n"
        case let .integer(number): text += pad + "<integer>\(number)</integer>\n"
        case let .boolean(flag): text += pad + (flag ? "<true/>" : "<false/>") + "\n"
        case let .array(items) where items.isEmpty: text += pad + "<array/>\n"
        case let .array(items):
            text += pad + "<array>\n"
            for item in items { write(item, depth: depth + 1, into: &text) }
            text += pad + "</array>\n"
        case let .dictionary(entries) where entries.isEmpty: text += pad + "<dict/>\n"
        case let .dictionary(entries):
            text += pad + "<dict>\n"
            for entry in entries {
                text += pad + "\t<key>" + escaped(entry.key) + "</key>\n"
                write(entry.value, depth: depth + 1, into: &text)
            }
            text += pad + "</dict>\n"
        }
    }

    /// Whether XML 1.0 can carry `text` at all: it has no way to write most C0
    /// controls, not even as character references.
    public static func firstUnwritable(in text: String) -> Unicode.Scalar? {
        text.unicodeScalars.first { scalar in
            let value = scalar.value
            return (value < 0x20 && value != 0x09 && value != 0x0A && value != 0x0D) || value == 0xFFFE || value == 0xFFFF
        }
    }

    /// `&`, `<` and `>` as entities; a carriage return as `&#13;`, since a reader turns
    /// a raw one into a line feed.
    static func escaped(_ text: String) -> String {
        var escaped = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\r": escaped += "&#13;"
            default: escaped.unicodeScalars.append(scalar)
            }
        }
        return escaped
    }
}
