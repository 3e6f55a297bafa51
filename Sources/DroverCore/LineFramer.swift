/// Cuts one child's byte stream into lines.
///
/// Bytes pass through untouched (invalid UTF-8 and control bytes included), except
/// that `\n` or `\r\n` ends a line. A line longer than `maximumLineLength` is cut
/// into chunks of that size, so memory stays bounded and nothing is dropped.
public struct LineFramer: Sendable {
    public static let maximumLineLength = 65_536

    /// The start of a line whose end has not arrived yet.
    @usableFromInline var pending: [UInt8] = []

    public init() {}

    /// Whether a partial line is waiting for its end.
    public var hasPendingLine: Bool { !pending.isEmpty }

    /// Calls `emit` with each complete line in `bytes`, without its line end.
    @inlinable
    public mutating func feed(_ bytes: UnsafeRawBufferPointer, emit: (UnsafeRawBufferPointer) -> Void) {
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

    @usableFromInline
    static func findNewline(_ start: UnsafeRawPointer, _ count: Int) -> Int? {
        // memchr is not in the pure core; a byte loop over raw memory is what the
        // optimizer vectorizes here.
        let bytes = start.assumingMemoryBound(to: UInt8.self)
        var index = 0
        while index < count {
            if bytes[index] == 10 { return index }
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
