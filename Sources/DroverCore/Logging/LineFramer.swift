/// Cuts one child's byte stream into lines.
///
/// Bytes pass through untouched (invalid UTF-8 and control bytes included), except
/// that `\n` or `\r\n` ends a line. A line longer than `maximumLineLength` is cut
/// into chunks of that size, so memory stays bounded and nothing is dropped.
public struct LineFramer: Sendable {
    public static let maximumLineLength = 65_536

    /// What ends a line.
    public enum LineEnds: Sendable {
        /// `\n` (and `\r\n`): a pipe's bytes, the fast path.
        case newline
        /// A pseudo-terminal's: `\n` (arriving as `\r\n`), and also a bare `\r`, so
        /// `\r`-drawn progress shows as one line per step instead of a `\r` that
        /// would return the cursor over the prefix. Runs of `\r` end one line; a `\r`
        /// with nothing before it ends none; a blank line stays a blank line.
        case terminal
    }

    /// The start of a line whose end has not arrived yet.
    @usableFromInline var pending: [UInt8] = []
    @usableFromInline let lineEnds: LineEnds
    /// Terminal mode: the last line ended at a `\r`, so a `\n` right after it (the
    /// rest of a `\r\n`) ends nothing.
    @usableFromInline var endedAtCarriageReturn = false

    public init(lineEnds: LineEnds = .newline) {
        self.lineEnds = lineEnds
    }

    /// What came after the last line end: a prompt waiting for input, say.
    public var partialLine: [UInt8] { pending }

    /// Calls `emit` with each complete line in `bytes`, without its line end.
    @inlinable
    public mutating func feed(_ bytes: UnsafeRawBufferPointer, emit: (UnsafeRawBufferPointer) -> Void) {
        if lineEnds == .terminal {
            feedTerminal(bytes, emit: emit)
            return
        }
        guard let base = bytes.baseAddress else { return }
        var start = 0
        let count = bytes.count
        while start < count {
            guard let newline = Self.findNewline(base + start, count - start) else {
                appendPending(UnsafeRawBufferPointer(rebasing: bytes[start..<count]), emit: emit)
                return
            }
            let end = start + newline
            if pending.isEmpty {
                var lineEnd = end
                if lineEnd > start, base.load(fromByteOffset: lineEnd - 1, as: UInt8.self) == 13 { lineEnd -= 1 }
                var chunkStart = start
                while lineEnd - chunkStart > Self.maximumLineLength {
                    emit(UnsafeRawBufferPointer(rebasing: bytes[chunkStart..<(chunkStart + Self.maximumLineLength)]))
                    chunkStart += Self.maximumLineLength
                }
                emit(UnsafeRawBufferPointer(rebasing: bytes[chunkStart..<lineEnd]))
            } else {
                appendPending(UnsafeRawBufferPointer(rebasing: bytes[start..<end]), emit: emit)
                completePending(emit: emit)
            }
            start = end + 1
        }
    }

    /// At end of stream: a last line without a newline is still a line.
    public mutating func finish(emit: (UnsafeRawBufferPointer) -> Void) {
        guard !pending.isEmpty else { return }
        pending.withUnsafeBytes { emit($0) }
        pending.removeAll(keepingCapacity: false)
    }

    /// The offset of the first `\n`, eight bytes at a time.
    ///
    /// Pure Swift (the core calls no C library, so no memchr): a word XORed with
    /// 0x0A in every byte has a zero byte exactly where a newline was, and the
    /// classic `(x - 0x01..) & ~x & 0x80..` test finds zero bytes without a branch
    /// per byte. Little-endian, so the lowest set bit marks the first match.
    @usableFromInline
    static func findNewline(_ start: UnsafeRawPointer, _ count: Int) -> Int? {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        let newlines: UInt64 = 0x0A0A_0A0A_0A0A_0A0A
        var index = 0
        while index + 8 <= count {
            let word = UInt64(littleEndian: start.loadUnaligned(fromByteOffset: index, as: UInt64.self)) ^ newlines
            let zeros = (word &- ones) & ~word & highs
            if zeros != 0 { return index + zeros.trailingZeroBitCount / 8 }
            index += 8
        }
        while index < count {
            if start.load(fromByteOffset: index, as: UInt8.self) == 10 { return index }
            index += 1
        }
        return nil
    }

    /// `feed` for a pseudo-terminal: every `\r` or `\n` is a possible line end.
    @usableFromInline
    mutating func feedTerminal(_ bytes: UnsafeRawBufferPointer, emit: (UnsafeRawBufferPointer) -> Void) {
        guard let base = bytes.baseAddress else { return }
        var start = 0
        while let offset = Self.findLineEnd(base + start, bytes.count - start) {
            let index = start + offset
            let byte = base.load(fromByteOffset: index, as: UInt8.self)
            let text = UnsafeRawBufferPointer(rebasing: bytes[start..<index])
            if !pending.isEmpty {
                appendPending(text, emit: emit)
                pending.withUnsafeBytes { emit($0) }
                pending.removeAll(keepingCapacity: pending.count <= 4096)
                endedAtCarriageReturn = byte == 13
            } else if !text.isEmpty {
                emitWhole(text, emit: emit)
                endedAtCarriageReturn = byte == 13
            } else if byte == 10 {
                if !endedAtCarriageReturn { emit(text) }
                endedAtCarriageReturn = false
            }
            start = index + 1
        }
        appendPending(UnsafeRawBufferPointer(rebasing: bytes[start..<bytes.count]), emit: emit)
    }

    /// A line that arrived whole, in chunks of at most `maximumLineLength`.
    @usableFromInline
    func emitWhole(_ line: UnsafeRawBufferPointer, emit: (UnsafeRawBufferPointer) -> Void) {
        var chunkStart = 0
        while line.count - chunkStart > Self.maximumLineLength {
            emit(UnsafeRawBufferPointer(rebasing: line[chunkStart..<(chunkStart + Self.maximumLineLength)]))
            chunkStart += Self.maximumLineLength
        }
        emit(UnsafeRawBufferPointer(rebasing: line[chunkStart...]))
    }

    /// The offset of the first `\n` or `\r`, eight bytes at a time (as `findNewline`,
    /// with a zero-byte test for each of the two).
    @usableFromInline
    static func findLineEnd(_ start: UnsafeRawPointer, _ count: Int) -> Int? {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        var index = 0
        while index + 8 <= count {
            let word = UInt64(littleEndian: start.loadUnaligned(fromByteOffset: index, as: UInt64.self))
            let newlines = word ^ 0x0A0A_0A0A_0A0A_0A0A
            let returns = word ^ 0x0D0D_0D0D_0D0D_0D0D
            let zeros = ((newlines &- ones) & ~newlines | (returns &- ones) & ~returns) & highs
            if zeros != 0 { return index + zeros.trailingZeroBitCount / 8 }
            index += 8
        }
        while index < count {
            let byte = start.load(fromByteOffset: index, as: UInt8.self)
            if byte == 10 || byte == 13 { return index }
            index += 1
        }
        return nil
    }

    @usableFromInline
    mutating func appendPending(_ bytes: UnsafeRawBufferPointer, emit: (UnsafeRawBufferPointer) -> Void) {
        var remaining = bytes
        while pending.count + remaining.count > Self.maximumLineLength {
            let take = Self.maximumLineLength - pending.count
            pending.append(contentsOf: UnsafeRawBufferPointer(rebasing: remaining[0..<take]))
            pending.withUnsafeBytes { emit($0) }
            pending.removeAll(keepingCapacity: true)
            remaining = UnsafeRawBufferPointer(rebasing: remaining[take...])
        }
        pending.append(contentsOf: remaining)
    }

    @usableFromInline
    mutating func completePending(emit: (UnsafeRawBufferPointer) -> Void) {
        if pending.last == 13 { pending.removeLast() }
        pending.withUnsafeBytes { emit($0) }
        pending.removeAll(keepingCapacity: pending.count <= 4096)
    }
}
