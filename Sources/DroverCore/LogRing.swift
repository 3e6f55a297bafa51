/// The last lines of one instance, for `drover logs`: bounded by count and by bytes.
///
/// Slots are reused in a circle, so once it is warm, storing a line is a copy with no
/// allocation (it sits on the per-line path).
public struct LogRing: Sendable {
    public struct Entry: Equatable, Sendable {
        /// Position in drover's whole stream, to merge several instances in order.
        public var sequence: UInt64
        /// Wall-clock second the line arrived, for its timestamp.
        public var time: Int
        public var bytes: [UInt8]
    }

    public let maximumLines: Int
    public let maximumBytes: Int
    private var slots: [Entry] = []
    private var first = 0
    public private(set) var count = 0
    public private(set) var totalBytes = 0

    public init(maximumLines: Int = 1000, maximumBytes: Int = 1 << 20) {
        self.maximumLines = max(1, maximumLines)
        self.maximumBytes = max(1, maximumBytes)
    }

    public mutating func append(_ line: UnsafeRawBufferPointer, time: Int, sequence: UInt64) {
        if count == maximumLines { dropOldest() }
        let index = (first + count) % maximumLines
        if index == slots.count {
            slots.append(Entry(sequence: sequence, time: time, bytes: Array(line)))
        } else {
            slots[index].sequence = sequence
            slots[index].time = time
            // Keep the old storage unless it is far larger than needed (a past long line).
            if slots[index].bytes.capacity > 4 * max(line.count, 1024) { slots[index].bytes = [] }
            slots[index].bytes.removeAll(keepingCapacity: true)
            slots[index].bytes.append(contentsOf: line)
        }
        count += 1
        totalBytes += line.count
        while totalBytes > maximumBytes && count > 1 { dropOldest() }
    }

    private mutating func dropOldest() {
        totalBytes -= slots[first].bytes.count
        slots[first].bytes = []
        first = (first + 1) % maximumLines
        count -= 1
    }

    /// The newest `limit` entries, oldest first.
    public func last(_ limit: Int) -> [Entry] {
        let taken = min(limit, count)
        return (0..<taken).map { slots[(first + count - taken + $0) % maximumLines] }
    }
}
