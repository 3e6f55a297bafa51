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

    @Test func staysWithinItsByteBound() {
        var ring = LogRing(maximumLines: 100, maximumBytes: 10)
        Self.append(&ring, "aaaa", 1)
        Self.append(&ring, "bbbb", 2)
        Self.append(&ring, "cccc", 3)
        #expect(Self.texts(ring.last(10)) == ["bbbb", "cccc"])
        #expect(ring.totalBytes == 8)
        // A single line larger than the bound is still kept (the newest always is).
        Self.append(&ring, String(repeating: "x", count: 50), 4)
        #expect(ring.count == 1)
    }

    @Test func matchesASimpleModelUnderChurn() {
        var generator = SeededGenerator(seed: 99)
        var ring = LogRing(maximumLines: 7, maximumBytes: 60)
        var model: [String] = []
        for sequence in 1...2000 {
            let text = String(repeating: "z", count: Int.random(in: 0...20, using: &generator)) + "\(sequence)"
            Self.append(&ring, text, UInt64(sequence))
            model.append(text)
            if model.count > 7 { model.removeFirst() }
            while model.map(\.utf8.count).reduce(0, +) > 60 && model.count > 1 { model.removeFirst() }
            #expect(Self.texts(ring.last(100)) == model)
        }
    }
}
