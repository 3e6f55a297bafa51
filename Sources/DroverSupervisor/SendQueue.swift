import DroverSystem

/// What the control clients' queues may hold together, counted in blocks: without a
/// total, 256 `logs -f` followers that stopped reading could hold 4 MiB each.
final class SendBudget {
    let limitBlocks: Int
    private(set) var usedBlocks = 0
    /// Asked to free blocks (by cutting off the followers furthest behind) when none is left.
    var reclaim: () -> Void = {}

    init(bytes: Int) {
        limitBlocks = max(1, bytes / SendQueue.blockSize)
    }

    /// One more block, if the budget allows it once `reclaim` has had its go.
    func take() -> Bool {
        if usedBlocks >= limitBlocks { reclaim() }
        guard usedBlocks < limitBlocks else { return false }
        usedBlocks += 1
        return true
    }

    func give(_ blocks: Int) {
        usedBlocks -= blocks
    }
}

/// The bytes waiting to be written to one client, in fixed 64 KiB blocks taken from a
/// shared budget: memory follows what waits, without the doubling (and the copying) of
/// one growing array, and a block is freed as soon as it is written.
final class SendQueue {
    static let blockSize = 1 << 16

    private let budget: SendBudget
    private var blocks: [[UInt8]] = []
    /// Bytes of the first block already written.
    private var sent = 0
    /// Bytes waiting.
    private(set) var count = 0
    /// Set once a block was refused or the queue was released: it takes nothing more,
    /// and its client must be cut off.
    private(set) var isDiscarding = false

    init(budget: SendBudget) {
        self.budget = budget
    }

    deinit {
        budget.give(blocks.count)
    }

    /// The memory it holds.
    var heldBytes: Int { blocks.count * Self.blockSize }

    func append(_ bytes: UnsafeRawBufferPointer) {
        var offset = 0
        while offset < bytes.count {
            if isDiscarding { return }
            if blocks.isEmpty || blocks[blocks.count - 1].count == Self.blockSize {
                guard budget.take() else {
                    release()
                    return
                }
                // Reclaiming may have cut off this very client.
                if isDiscarding {
                    budget.give(1)
                    return
                }
                var block: [UInt8] = []
                block.reserveCapacity(Self.blockSize)
                blocks.append(block)
            }
            let last = blocks.count - 1
            let take = min(Self.blockSize - blocks[last].count, bytes.count - offset)
            blocks[last].append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + take)]))
            offset += take
            count += take
        }
    }

    func append(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { append($0) }
    }

    /// Writes what the descriptor takes now; false when the peer is gone.
    func write(to descriptor: FileDescriptor) -> Bool {
        while count > 0 {
            let written: Int
            do {
                written = try blocks[0].withUnsafeBytes { raw throws(SystemError) in
                    try descriptor.writeSome(UnsafeRawBufferPointer(rebasing: raw[sent...]))
                }
            } catch {
                return false
            }
            if written == 0 { return true }
            sent += written
            count -= written
            if sent == blocks[0].count {
                blocks.removeFirst()
                budget.give(1)
                sent = 0
            }
        }
        return true
    }

    /// Drops everything and takes nothing more: the memory goes back to the budget at once.
    func release() {
        isDiscarding = true
        budget.give(blocks.count)
        blocks = []
        sent = 0
        count = 0
    }
}
