/// One line of a text file, numbered from 1, without its line end.
public struct NumberedLine: Equatable, Sendable {
    public var number: Int
    public var text: Substring

    public init(number: Int, text: Substring) {
        self.number = number
        self.text = text
    }
}

/// One line of a file read as bytes (a Procfile), numbered from 1, without its line end.
public struct NumberedBytes: Equatable, Sendable {
    public var number: Int
    public var bytes: ArraySlice<UInt8>

    public init(number: Int, bytes: ArraySlice<UInt8>) {
        self.number = number
        self.bytes = bytes
    }

    /// The line for messages, bytes that are not UTF-8 shown as U+FFFD.
    public var text: String { String(decoding: bytes, as: UTF8.self) }
}

extension Array where Element == UInt8 {
    /// Splits on `\n`, dropping one `\r` before it, so CRLF files read like LF files.
    /// A final line end does not produce an empty last line.
    public func numberedLines() -> [NumberedBytes] {
        var lines: [NumberedBytes] = []
        var start = startIndex
        var number = 1
        func add(upTo end: Int) {
            var end = end
            if end > start, self[end - 1] == 0x0D { end -= 1 }
            lines.append(NumberedBytes(number: number, bytes: self[start..<end]))
            number += 1
        }
        for index in indices where self[index] == 0x0A {
            add(upTo: index)
            start = index + 1
        }
        if start < endIndex { add(upTo: endIndex) }
        return lines
    }
}

extension String {
    /// The lines of `numberedLines()` on the UTF-8 bytes, as text (for the defaults
    /// files, which are options, not bytes for children).
    public func numberedLines() -> [NumberedLine] {
        Array(utf8).numberedLines().map { NumberedLine(number: $0.number, text: Substring($0.text)) }
    }
}

extension Unicode.Scalar {
    /// Space or horizontal tab: the only blanks the file formats accept.
    var isBlank: Bool { self == " " || self == "\t" }
}

extension UInt8 {
    /// Space or horizontal tab, as a byte.
    var isBlank: Bool { self == 0x20 || self == 0x09 }
}

extension StringProtocol {
    /// The text without leading and trailing spaces and tabs.
    public func trimmingBlanks() -> Substring {
        let scalars = Substring(self).unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.isBlank }) else {
            return Substring(self)[Substring(self).endIndex...]
        }
        let last = scalars.lastIndex(where: { !$0.isBlank })!
        return Substring(scalars[first...last])
    }
}

extension ArraySlice where Element == UInt8 {
    /// The bytes without leading and trailing spaces and tabs.
    public func trimmingBlanks() -> ArraySlice<UInt8> {
        guard let first = firstIndex(where: { !$0.isBlank }) else { return self[endIndex...] }
        let last = lastIndex(where: { !$0.isBlank })!
        return self[first...last]
    }
}
