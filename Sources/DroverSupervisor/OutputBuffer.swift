import DroverSystem

#if canImport(Glibc)
import Glibc
#endif

/// The merged log stream on its way to drover's stdout.
///
/// Lines are copied into one growing buffer and written with large writes. When
/// stdout is a pipe it is made non-blocking, so a slow reader never blocks the loop:
/// the buffer grows to `highWater`, then the supervisor stops reading children (which
/// then block on their own full pipes) until it drains below `lowWater`.
final class OutputBuffer {
    static let highWater = 1 << 20
    static let lowWater = 1 << 18
    /// Flush early once this much is waiting, to keep writes large but the buffer warm.
    static let flushThreshold = 1 << 17

    enum FlushResult {
        case done
        case wouldBlock
        case closed
    }

    private var storage: UnsafeMutableRawPointer
    private var capacity: Int
    private var start = 0
    private var end = 0
    let descriptor: FileDescriptor
    /// Set once a write failed with EPIPE (or another error): output is then discarded.
    private(set) var isClosed = false

    init(descriptor: FileDescriptor) {
        self.descriptor = descriptor
        capacity = 1 << 18
        storage = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 16)
    }

    deinit {
        storage.deallocate()
    }

    var pendingCount: Int { end - start }

    /// Appends `prefix`, `line` and a newline as one unit, so lines are never torn.
    @inline(__always)
    func appendLine(prefix: UnsafeRawBufferPointer, line: UnsafeRawBufferPointer) {
        if isClosed { return }
        let needed = prefix.count + line.count + 1
        if end + needed > capacity { makeRoom(for: needed) }
        if let base = prefix.baseAddress { (storage + end).copyMemory(from: base, byteCount: prefix.count) }
        end += prefix.count
        if let base = line.baseAddress { (storage + end).copyMemory(from: base, byteCount: line.count) }
        end += line.count
        storage.storeBytes(of: 10, toByteOffset: end, as: UInt8.self)
        end += 1
    }

    private func makeRoom(for needed: Int) {
        let pending = end - start
        if start > 0 && pending + needed <= capacity {
            // Slide the unwritten bytes to the front instead of growing.
            (storage).copyMemory(from: storage + start, byteCount: pending)
        } else {
            var newCapacity = capacity * 2
            while newCapacity < pending + needed { newCapacity *= 2 }
            let grown = UnsafeMutableRawPointer.allocate(byteCount: newCapacity, alignment: 16)
            grown.copyMemory(from: storage + start, byteCount: pending)
            storage.deallocate()
            storage = grown
            capacity = newCapacity
        }
        start = 0
        end = pending
    }

    /// Writes as much as the descriptor takes now.
    func flush() -> FlushResult {
        if isClosed { return .closed }
        while start < end {
            do {
                let written = try descriptor.writeSome(UnsafeRawBufferPointer(start: storage + start, count: end - start))
                if written == 0 { return .wouldBlock }
                start += written
            } catch {
                isClosed = true
                start = 0
                end = 0
                return .closed
            }
        }
        start = 0
        end = 0
        if capacity > 1 << 20 { shrink() }
        return .done
    }

    /// After a burst, give the memory back.
    private func shrink() {
        storage.deallocate()
        capacity = 1 << 18
        storage = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 16)
    }
}
