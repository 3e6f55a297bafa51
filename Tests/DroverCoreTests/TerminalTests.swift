import DroverCore
import Testing

@Suite struct DetachKeyTests {
    @Test(
        arguments: [
            ("ctrl-\\", 0x1C), ("Ctrl-\\", 0x1C), ("ctrl-a", 0x01), ("CTRL-A", 0x01), ("ctrl+q", 0x11), ("C-]", 0x1D),
            ("^Q", 0x11), ("^@", 0x00), ("ctrl-_", 0x1F), ("ctrl-?", 0x7F), ("q", 0x71), ("~", 0x7E),
        ] as [(String, UInt8)])
    func parses(_ text: String, _ byte: UInt8) throws {
        #expect(try DetachKey.parse(text).byte == byte)
    }

    @Test(arguments: ["", "ctrl-", "ctrl-ab", "ctrl-1", " ", "ab", "é", "ctrl-é"])
    func refuses(_ text: String) {
        #expect(throws: InvalidValue.self) { try DetachKey.parse(text) }
    }

    @Test func names() {
        #expect(DetachKey.standard.name == "Ctrl-\\")
        #expect(DetachKey(byte: 0x01).name == "Ctrl-A")
        #expect(DetachKey(byte: 0x71).name == "q")
    }
}

@Suite struct DetachFilterTests {
    let key = DetachKey.standard.byte
    let window = DetachFilter.doublePressMilliseconds

    @Test func keysPassUntouched() {
        var filter = DetachFilter(key: .standard)
        #expect(filter.feed(Array("ls -l\r".utf8), now: 0) == .init(forward: Array("ls -l\r".utf8), detach: false))
        #expect(filter.deadline == nil)
        #expect(!filter.detachesAt(1_000_000))
    }

    @Test func onePressDetachesOnceTheWindowPasses() {
        var filter = DetachFilter(key: .standard)
        #expect(filter.feed(Array("ab".utf8) + [key], now: 100) == .init(forward: Array("ab".utf8), detach: false))
        #expect(filter.deadline == 100 + window)
        #expect(!filter.detachesAt(100 + window - 1))
        #expect(filter.detachesAt(100 + window))
    }

    @Test func twoPressesSendTheKeyOnce() {
        var filter = DetachFilter(key: .standard)
        #expect(filter.feed([key], now: 0) == .init(forward: [], detach: false))
        #expect(filter.feed([key], now: window - 1) == .init(forward: [key], detach: false))
        #expect(filter.deadline == nil)
        // Both in one read (a paste), then a third press waits again.
        #expect(filter.feed([key, key, 65, key], now: 10_000) == .init(forward: [key, 65], detach: false))
        #expect(filter.deadline == 10_000 + window)
    }

    @Test func anotherKeyAfterAPressDetachesAtOnceAndIsNotSent() {
        var filter = DetachFilter(key: .standard)
        #expect(filter.feed([65, key, 66, 67], now: 0) == .init(forward: [65], detach: true))
    }

    @Test func aPressWhoseWindowPassedUnseenHasDetached() {
        var filter = DetachFilter(key: .standard)
        _ = filter.feed([key], now: 0)
        #expect(filter.feed([key], now: window) == .init(forward: [], detach: true))
    }

    @Test func anotherKeyCanBeChosen() {
        var filter = DetachFilter(key: DetachKey(byte: 0x01))
        #expect(filter.feed([key, 0x01], now: 0) == .init(forward: [key], detach: false))
    }
}

@Suite struct AttachFrameTests {
    static func decode(_ bytes: [UInt8], splitEvery step: Int) throws -> [AttachFrame] {
        var reader = AttachFrameReader()
        var frames: [AttachFrame] = []
        var index = 0
        while index < bytes.count {
            reader.append(Array(bytes[index..<min(bytes.count, index + step)]))
            index += step
            while let frame = try reader.next() { frames.append(frame) }
        }
        return frames
    }

    @Test func roundTripsHoweverTheBytesAreSplit() throws {
        let frames: [AttachFrame] = [
            .input(Array("ls\r".utf8)), .resize(WindowSize(rows: 40, columns: 300)), .output([0, 255, 13, 10]),
            .output([]), .exited(code: 143), .exited(code: -1), .input([UInt8](repeating: 7, count: 70_000)),
        ]
        let bytes = frames.flatMap(\.encoded)
        for step in [1, 2, 3, 5, 7, 4096, bytes.count] {
            #expect(try Self.decode(bytes, splitEvery: step) == frames, "split every \(step)")
        }
    }

    @Test func theWireFormatIsKindThenBigEndianLength() {
        #expect(AttachFrame.input([0x61]).encoded == [0x69, 0, 0, 0, 1, 0x61])
        #expect(AttachFrame.resize(WindowSize(rows: 24, columns: 80)).encoded == [0x77, 0, 0, 0, 4, 0, 24, 0, 80])
        #expect(AttachFrame.exited(code: 3).encoded == [0x65, 0, 0, 0, 4, 0, 0, 0, 3])
        #expect(AttachFrame.outputHeader(count: 258) == [0x6F, 0, 0, 1, 2])
    }

    @Test(
        arguments: [
            [0x7A, 0, 0, 0, 0], // unknown kind
            [0x69, 0x7F, 0xFF, 0xFF, 0xFF], // far too long
            [0x77, 0, 0, 0, 3, 1, 2, 3], // a resize of 3 bytes
            [0x77, 0, 0, 0, 4, 0, 0, 0, 80], // no rows
            [0x65, 0, 0, 0, 1, 0], // a short exit
        ] as [[UInt8]])
    func refusesWhatNoPeerSends(_ bytes: [UInt8]) {
        var reader = AttachFrameReader()
        reader.append(bytes)
        #expect(throws: InvalidValue.self) { _ = try reader.next() }
    }

    @Test func waitsForTheRestOfAFrame() throws {
        var reader = AttachFrameReader()
        reader.append([0x6F, 0, 0, 0, 3, 1])
        #expect(try reader.next() == nil)
        reader.append([2, 3])
        #expect(try reader.next() == .output([1, 2, 3]))
        #expect(try reader.next() == nil)
    }
}

@Suite struct WindowSizingTests {
    let small = WindowSize(rows: 20, columns: 70)
    let large = WindowSize(rows: 50, columns: 200)
    let own = WindowSize(rows: 30, columns: 100)

    @Test func withoutATerminalOfItsOwnDroverGivesTheVT100Size() {
        #expect(WindowSizing(own: nil).current == WindowSize(rows: 24, columns: 80))
        #expect(WindowSize(reportedRows: 0, columns: 80) == nil)
    }

    @Test func followsTheLastClientToSizeThenDroversOwn() {
        var sizing = WindowSizing(own: own)
        #expect(sizing.current == own)
        sizing.clientSized(1, small)
        sizing.clientSized(2, large)
        #expect(sizing.current == large)
        sizing.clientSized(1, small) // 1 resized last
        #expect(sizing.current == small)
        sizing.ownSized(WindowSize(rows: 10, columns: 10)) // drover's SIGWINCH does not override a client
        #expect(sizing.current == small)
        sizing.clientLeft(1)
        #expect(sizing.current == large)
        sizing.clientLeft(2)
        #expect(sizing.current == WindowSize(rows: 10, columns: 10))
    }
}
