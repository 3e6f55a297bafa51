/// Hexadecimal for the escapes several formats use (`\x1b`, `U+0007`).
enum Hex {
    /// At least `digits` upper-case digits.
    static func digits(_ value: UInt32, _ count: Int) -> String {
        let text = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, count - text.count)) + text
    }

    /// `\xhh`: C's escape for one byte, as systemd reads it.
    static func escape(_ value: UInt32) -> String { "\\x" + digits(value, 2).lowercased() }
}
