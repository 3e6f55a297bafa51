/// The last lines of one instance, for `drover logs`: bounded by count and by bytes.
///
/// One contiguous byte buffer written in a circle, plus a circle of fixed-size records:
/// storing a line is a copy and a store, with no allocation (it sits on the per-line
/// path). The buffer starts at 256 bytes and grows fourfold up to `maximumBytes`;
/// it wraps only once full-sized, so growing never moves a line's offset.
///
/// A noncopyable struct, not a class: a struct's fields are checked for exclusive
/// access at compile time, where a class's would cost a runtime check on every
/// line; and it cannot be copied, since a copy would share the buffer it frees.
public struct LogRing: ~Copyable {
    public struct Entry: Equatable, Sendable {
        /// Position in drover's whole stream, to merge several instances in order.
        public var sequence: UInt64
        /// Wall-clock time the line arrived, in milliseconds since the epoch.
        public var time: Int
        /// The run that wrote it (0 for drover's own lines), for the JSON format.
        public var pid: Int32
        public var bytes: [UInt8]
    }

    private struct Record {
        var offset: Int
        var length: Int
        var time: Int
        var sequence: UInt64
        var pid: Int32
    }

    public let maximumLines: Int
    public let maximumBytes: Int
    private var storage: UnsafeMutableRawPointer?
    private var capacity = 0
    private var records: [Record] = []
    private var first = 0
    public private(set) var count = 0
    public private(set) var totalBytes = 0
    /// Where the next line's bytes go.
    private var head = 0

    public init(maximumLines: Int = 1000, maximumBytes: Int = 1 << 20) {
        self.maximumLines = max(1, maximumLines)
        self.maximumBytes = max(1, maximumBytes)
    }

    deinit {
        storage?.deallocate()
    }

    /// Stores a line (cut to `maximumBytes` if longer), dropping the oldest ones it needs room from.
    public mutating func append(_ line: UnsafeRawBufferPointer, time: Int, sequence: UInt64, pid: Int32 = 0) {
        let length = min(line.count, maximumBytes)
        if storage == nil || head + length > capacity && capacity < maximumBytes { grow(toHold: head + length) }
        let buffer = storage!
        if count == maximumLines { dropOldest() }
        if head + length > capacity {
            // The rest of the buffer is too short: give it up (the oldest lines live there).
            while count > 0, records[first].offset >= head { dropOldest() }
            head = 0
        }
        // Lines ahead of the head, oldest first, that the new bytes would overwrite.
        while count > 0, records[first].offset >= head, records[first].offset < head + length { dropOldest() }
        if let base = line.baseAddress, length > 0 { (buffer + head).copyMemory(from: base, byteCount: length) }
        let record = Record(offset: head, length: length, time: time, sequence: sequence, pid: pid)
        let index = (first + count) % maximumLines
        if index == records.count { records.append(record) } else { records[index] = record }
        count += 1
        totalBytes += length
        head += length
    }

    private mutating func grow(toHold needed: Int) {
        var newCapacity = max(capacity * 4, 256)
        while newCapacity < needed { newCapacity *= 4 }
        newCapacity = min(newCapacity, maximumBytes)
        let grown = UnsafeMutableRawPointer.allocate(byteCount: newCapacity, alignment: 16)
        if let storage {
            grown.copyMemory(from: storage, byteCount: head)
            storage.deallocate()
        }
        storage = grown
        capacity = newCapacity
    }

    private mutating func dropOldest() {
        totalBytes -= records[first].length
        first = (first + 1) % maximumLines
        count -= 1
    }

    /// The newest `limit` entries, oldest first.
    public func last(_ limit: Int) -> [Entry] {
        guard let storage else { return [] }
        let taken = min(limit, count)
        return (0..<taken).map { position in
            let record = records[(first + count - taken + position) % maximumLines]
            let bytes = Array(UnsafeRawBufferPointer(start: storage + record.offset, count: record.length))
            return Entry(sequence: record.sequence, time: record.time, pid: record.pid, bytes: bytes)
        }
    }
}
