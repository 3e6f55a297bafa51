import DroverCore
import Testing

@Suite struct LineFramerTests {
    /// Feeds `chunks` in order, then finishes; returns the lines as byte arrays.
    static func frame(_ chunks: [[UInt8]], lineEnds: LineFramer.LineEnds = .newline) -> [[UInt8]] {
        var framer = LineFramer(lineEnds: lineEnds)
        var lines: [[UInt8]] = []
        for chunk in chunks {
            chunk.withUnsafeBytes { framer.feed($0) { lines.append(Array($0)) } }
        }
        framer.finish { lines.append(Array($0)) }
        return lines
    }

    static func text(_ chunks: [String], lineEnds: LineFramer.LineEnds = .newline) -> [String] {
        frame(chunks.map { Array($0.utf8) }, lineEnds: lineEnds).map { String(decoding: $0, as: UTF8.self) }
    }

    /// A pseudo-terminal's output: every way a line can end there, each split at every
    /// byte boundary too, gives the same lines.
    @Test(arguments: [
        ("a\r\nb\r\n", ["a", "b"]),
        ("a\r\n\r\nb\r\n", ["a", "", "b"]), // a blank line stays
        ("\r\n", [""]),
        ("step 1\rstep 2\rdone\r\n", ["step 1", "step 2", "done"]), // \r-drawn progress
        ("\rstep 1\rstep 2\r\n", ["step 1", "step 2"]), // a \r before anything ends nothing
        ("a\r\r\nb\n", ["a", "b"]), // a program's own \r\n, through ONLCR
        ("a\r\r\r", ["a"]),
        ("x\ry", ["x", "y"]), // the partial last line is flushed
        ("\u{1b}[31mred\u{1b}[0m\r\n", ["\u{1b}[31mred\u{1b}[0m"]), // colors pass
        ("a\nb\n", ["a", "b"]),
        ("a\n\nb", ["a", "", "b"]),
    ])
    func terminalLineEnds(_ input: String, _ expected: [String]) {
        #expect(Self.text([input], lineEnds: .terminal) == expected)
        let bytes = Array(input.utf8)
        for cut in 0...bytes.count {
            let chunks = [Array(bytes[..<cut]), Array(bytes[cut...])]
            #expect(Self.frame(chunks, lineEnds: .terminal).map { String(decoding: $0, as: UTF8.self) } == expected, "cut at \(cut)")
        }
        #expect(Self.frame(bytes.map { [$0] }, lineEnds: .terminal).map { String(decoding: $0, as: UTF8.self) } == expected)
    }

    /// The word-at-a-time scan against the rule written plainly, on random streams of
    /// `\r`, `\n`, bytes with high bits set and letters, split at random places.
    @Test func terminalFramingMatchesTheRuleOnRandomStreams() {
        func reference(_ bytes: [UInt8]) -> [[UInt8]] {
            var lines: [[UInt8]] = []
            var current: [UInt8] = []
            var endedAtReturn = false
            for byte in bytes {
                if byte == 10 || byte == 13 {
                    if !current.isEmpty {
                        lines.append(current)
                        current = []
                        endedAtReturn = byte == 13
                    } else if byte == 10 {
                        if !endedAtReturn { lines.append([]) }
                        endedAtReturn = false
                    }
                } else {
                    current.append(byte)
                }
            }
            if !current.isEmpty { lines.append(current) }
            return lines
        }
        var generator = SystemRandomNumberGenerator()
        let alphabet: [UInt8] = [10, 13, 0x8D, 0x8A, 0x0B, 0x2D, 97, 98, 0xFF, 0]
        for _ in 0..<2000 {
            let count = Int.random(in: 0...40, using: &generator)
            let bytes = (0..<count).map { _ in alphabet.randomElement(using: &generator)! }
            let cut = Int.random(in: 0...count, using: &generator)
            let framed = Self.frame([Array(bytes[..<cut]), Array(bytes[cut...])], lineEnds: .terminal)
            #expect(framed == reference(bytes), "\(bytes) cut at \(cut)")
        }
    }

    @Test func terminalLinesAreCutAtTheLimitLikePipes() {
        let long = [UInt8](repeating: 65, count: LineFramer.maximumLineLength + 10)
        let lines = Self.frame([long + [13, 10]], lineEnds: .terminal)
        #expect(lines.map(\.count) == [LineFramer.maximumLineLength, 10])
    }

    @Test func thePartialLineIsWhatFollowsTheLastLineEnd() {
        var framer = LineFramer(lineEnds: .terminal)
        Array("done\r\n$ ".utf8).withUnsafeBytes { framer.feed($0) { _ in } }
        #expect(framer.partialLine == Array("$ ".utf8))
    }

    @Test func splitsOnNewlines() {
        #expect(Self.text(["a\nb\n"]) == ["a", "b"])
        #expect(Self.text(["a\n\nb\n"]) == ["a", "", "b"])
        #expect(Self.text(["\n"]) == [""])
    }

    @Test func joinsLinesAcrossChunks() {
        #expect(Self.text(["he", "llo\nwor", "ld\n"]) == ["hello", "world"])
        #expect(Self.text(["a", "", "b", "\n"]) == ["ab"])
    }

    @Test func crlfIsOneLineEndEvenAcrossChunks() {
        #expect(Self.text(["a\r\nb\r\n"]) == ["a", "b"])
        #expect(Self.text(["a\r", "\nb\n"]) == ["a", "b"])
        #expect(Self.text(["progress\r50%\r100%\n"]) == ["progress\r50%\r100%"], "a lone CR is content")
    }

    @Test func flushesAPartialLastLine() {
        #expect(Self.text(["done\nno newline"]) == ["done", "no newline"])
        #expect(Self.text([""]) == [])
    }

    @Test func cutsLongLinesIntoBoundedChunks() {
        let limit = LineFramer.maximumLineLength
        let long = [UInt8](repeating: UInt8(ascii: "x"), count: limit * 2 + 10)
        let lines = Self.frame([long + [10]])
        #expect(lines.map(\.count) == [limit, limit, 10])
        // Same when the line arrives in small pieces.
        let pieces = stride(from: 0, to: long.count, by: 1000).map { Array(long[$0..<min($0 + 1000, long.count)]) }
        #expect(Self.frame(pieces + [[10]]).map(\.count) == [limit, limit, 10])
        #expect(Self.frame(pieces + [[10]]).joined().count == long.count, "no byte lost")
    }

    @Test func aLineOfExactlyTheLimitStaysOneLine() {
        let limit = LineFramer.maximumLineLength
        let exact = [UInt8](repeating: 65, count: limit)
        #expect(Self.frame([exact + [10]]).map(\.count) == [limit])
        #expect(Self.frame([Array(exact[..<100]), Array(exact[100...]), [10]]).map(\.count) == [limit])
        #expect(Self.frame([exact, [66, 10]]).map(\.count) == [limit, 1])
    }

    @Test func passesInvalidUTF8AndControlBytesThrough() {
        let bytes: [UInt8] = [0xFF, 0xFE, 0x00, 0x1B, 0x5B, 0x33, 0x31, 0x6D, 0x07, 10, 0xC3, 10]
        #expect(Self.frame([bytes]) == [[0xFF, 0xFE, 0x00, 0x1B, 0x5B, 0x33, 0x31, 0x6D, 0x07], [0xC3]])
    }

    @Test func findsNewlinesAmongArbitraryBytes() {
        // The word-at-a-time search must agree with a byte-by-byte split for any
        // byte values (high bytes and zeros included) and any alignment.
        var generator = SeededGenerator(seed: 7)
        for _ in 0..<200 {
            let length = Int.random(in: 0..<200, using: &generator)
            let bytes = (0..<length).map { _ -> UInt8 in
                Int.random(in: 0..<8, using: &generator) == 0 ? 10 : UInt8.random(in: 0...255, using: &generator)
            }
            // Segments before a newline lose one trailing CR; the last fragment has no
            // line end, so a CR there is content.
            let segments = bytes.split(separator: 10, omittingEmptySubsequences: false).map(Array.init)
            var naive = segments.dropLast().map { $0.last == 13 ? Array($0.dropLast()) : $0 }
            if let last = segments.last, !last.isEmpty { naive.append(last) }
            #expect(Self.frame([bytes]) == naive, "\(bytes)")
        }
    }

    @Test func everyByteArrivesWhateverTheChunking() {
        var generator = SeededGenerator(seed: 42)
        var stream: [UInt8] = []
        for line in 0..<500 {
            let length = Int.random(in: 0..<300, using: &generator)
            stream += (0..<length).map { _ in UInt8.random(in: 32...126, using: &generator) }
            stream += line % 7 == 0 ? [13, 10] : [10]
        }
        let expected = Self.frame([stream])
        for _ in 0..<20 {
            var chunks: [[UInt8]] = []
            var offset = 0
            while offset < stream.count {
                let size = Int.random(in: 1...700, using: &generator)
                chunks.append(Array(stream[offset..<min(offset + size, stream.count)]))
                offset += size
            }
            #expect(Self.frame(chunks) == expected)
        }
        #expect(expected.count == 500)
    }
}

/// A small deterministic generator so failures reproduce.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var value = state
        value = (value ^ (value >> 30)) &* 0xBF58_476D_1CE4_E5B9
        value = (value ^ (value >> 27)) &* 0x94D0_49BB_1331_11EB
        return value ^ (value >> 31)
    }
}
