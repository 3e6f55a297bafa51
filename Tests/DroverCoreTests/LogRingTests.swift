import DroverCore
import Testing

@Suite struct LogRingTests {
    static func append(_ ring: inout LogRing, _ text: String, _ sequence: UInt64) {
        Array(text.utf8).withUnsafeBytes { ring.append($0, time: 100, sequence: sequence) }
    }

    static func texts(_ entries: [LogRing.Entry]) -> [String] {
        entries.map { String(decoding: $0.bytes, as: UTF8.self) }
    }

    @Test func keepsTheLastLinesInOrder() {
        var ring = LogRing(maximumLines: 3, maximumBytes: 1000)
        for number in 1...5 { Self.append(&ring, "line \(number)", UInt64(number)) }
        #expect(Self.texts(ring.last(10)) == ["line 3", "line 4", "line 5"])
        #expect(Self.texts(ring.last(2)) == ["line 4", "line 5"])
        #expect(ring.last(0).isEmpty)
        #expect(ring.last(3).map(\.sequence) == [3, 4, 5])
    }

    @Test func anEmptyFirstLineIsKept() {
        var ring = LogRing(maximumLines: 3, maximumBytes: 100)
        Self.append(&ring, "", 1)
        Self.append(&ring, "", 2)
        #expect(Self.texts(ring.last(5)) == ["", ""])
        #expect(LogRing().last(5).isEmpty, "an unused ring has nothing to show")
    }

    @Test func staysWithinItsByteBound() {
        var ring = LogRing(maximumLines: 100, maximumBytes: 10)
        Self.append(&ring, "aaaa", 1)
        Self.append(&ring, "bbbb", 2)
        Self.append(&ring, "cccc", 3)
        #expect(Self.texts(ring.last(10)) == ["bbbb", "cccc"])
        #expect(ring.totalBytes == 8)
        // A line larger than the whole buffer keeps its first bytes.
        Self.append(&ring, String(repeating: "x", count: 50), 4)
        #expect(Self.texts(ring.last(10)) == [String(repeating: "x", count: 10)])
    }

    @Test func keepsASuffixOfTheHistoryWithinBothBounds() {
        var generator = SeededGenerator(seed: 99)
        let maximumLines = 7
        let maximumBytes = 60
        let longest = 23
        var ring = LogRing(maximumLines: maximumLines, maximumBytes: maximumBytes)
        var history: [String] = []
        for sequence in 1...3000 {
            let text = String(repeating: "z", count: Int.random(in: 0...20, using: &generator)) + "\(sequence % 1000)"
            Self.append(&ring, text, UInt64(sequence))
            history.append(text)
            let kept = Self.texts(ring.last(100))
            // The newest lines, in order, none skipped.
            #expect(Array(history.suffix(kept.count)) == kept)
            #expect(kept.last == text)
            #expect(kept.count <= maximumLines)
            let bytes = kept.map(\.utf8.count).reduce(0, +)
            #expect(bytes <= maximumBytes)
            // It gives up at most the unusable end of the buffer plus the line being placed.
            if kept.count < maximumLines && kept.count < history.count {
                #expect(bytes + history[history.count - kept.count - 1].utf8.count > maximumBytes - 2 * longest)
            }
        }
    }
}
