/// Times at which something is due, earliest first: a binary min-heap.
///
/// The supervisor's one source of epoll timeouts. Entries are never removed early:
/// an owner whose deadline moved simply finds nothing due when its old entry comes
/// up, which keeps scheduling O(log n) and needs no index into the heap.
public struct DeadlineQueue<Owner: Sendable>: Sendable {
    public struct Entry: Sendable {
        public var time: Int64
        public var owner: Owner
    }

    private var heap: [Entry] = []

    public init() {}

    public var isEmpty: Bool { heap.isEmpty }
    public var count: Int { heap.count }

    /// The earliest time, if any.
    public var next: Int64? { heap.first?.time }

    public mutating func schedule(_ owner: Owner, at time: Int64) {
        heap.append(Entry(time: time, owner: owner))
        var child = heap.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard heap[child].time < heap[parent].time else { break }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    /// Removes and returns the earliest entry if it is due at `now`.
    public mutating func popDue(now: Int64) -> Entry? {
        guard let first = heap.first, first.time <= now else { return nil }
        let last = heap.removeLast()
        guard !heap.isEmpty else { return first }
        heap[0] = last
        var parent = 0
        while true {
            let left = 2 * parent + 1
            let right = left + 1
            var smallest = parent
            if left < heap.count && heap[left].time < heap[smallest].time { smallest = left }
            if right < heap.count && heap[right].time < heap[smallest].time { smallest = right }
            guard smallest != parent else { break }
            heap.swapAt(parent, smallest)
            parent = smallest
        }
        return first
    }

    /// Milliseconds from `now` until the earliest entry (0 if overdue), nil if none.
    public func timeout(now: Int64) -> Int? {
        next.map { Int(max(0, $0 - now)) }
    }
}
