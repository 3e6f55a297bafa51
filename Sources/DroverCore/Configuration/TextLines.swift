/// One line of a text file, numbered from 1, without its line end.
public struct NumberedLine: Equatable, Sendable {
    public var number: Int
    public var text: Substring

    public init(number: Int, text: Substring) {
        self.number = number
        self.text = text
    }
}

extension String {
    /// Splits on `\n`, dropping one `\r` before it, so CRLF files read like LF files.
    ///
    /// Works on Unicode scalars: as `Character`s, `"\r\n"` is a single grapheme and
    /// would never equal `"\n"`. A final line end does not produce an empty last line.
    public func numberedLines() -> [NumberedLine] {
        var lines: [NumberedLine] = []
        var start = startIndex
        var number = 1
        let scalars = unicodeScalars
        var index = scalars.startIndex
        while index < scalars.endIndex {
            if scalars[index] == "\n" {
                var end = index
                if end > start, scalars[scalars.index(before: end)] == "\r" {
                    end = scalars.index(before: end)
                }
                lines.append(NumberedLine(number: number, text: self[start..<end]))
                number += 1
                start = scalars.index(after: index)
            }
            index = scalars.index(after: index)
        }
        if start < endIndex {
            var end = endIndex
            if scalars[scalars.index(before: end)] == "\r" {
                end = scalars.index(before: end)
            }
            lines.append(NumberedLine(number: number, text: self[start..<end]))
        }
        return lines
    }
}

extension Unicode.Scalar {
    /// Space or horizontal tab: the only blanks the file formats accept.
    var isBlank: Bool { self == " " || self == "\t" }
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
