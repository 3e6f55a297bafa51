import DroverCore
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
        /// The write failed; what waits is kept until the owner discards it.
        case failed(SystemError)
    }

    private var storage: UnsafeMutableRawPointer
    private var capacity: Int
    private var start = 0
    private var end = 0
    /// Replaced when the `--log` file is reopened.
    var descriptor: FileDescriptor
    /// Set once the output is given up for good (stdout lost): lines are then dropped.
    private(set) var isClosed = false
    /// Whether the last byte written ended a line: a short write before a failed one
    /// leaves half a line in the file.
    private var endsWithNewline = true
    /// Whether the first pending byte is the newline that ends such a half line.
    private var startsWithTerminator = false

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

    /// The JSON format's `appendLine`: the prefix, the line escaped straight into the
    /// buffer (`JSONLogLine.escape`), the closing `"}` and a newline, as one unit.
    @inline(__always)
    func appendJSONLine(prefix: UnsafeRawBufferPointer, line: UnsafeRawBufferPointer) {
        if isClosed { return }
        let needed = prefix.count + JSONLogLine.maximumEscapedCount(line.count) + 3
        if end + needed > capacity { makeRoom(for: needed) }
        if let base = prefix.baseAddress { (storage + end).copyMemory(from: base, byteCount: prefix.count) }
        end += prefix.count
        end += JSONLogLine.escape(line, into: storage + end)
        storage.storeBytes(of: UInt8(ascii: "\""), toByteOffset: end, as: UInt8.self)
        storage.storeBytes(of: UInt8(ascii: "}"), toByteOffset: end + 1, as: UInt8.self)
        storage.storeBytes(of: 10, toByteOffset: end + 2, as: UInt8.self)
        end += 3
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
        if isClosed { return .done }
        while start < end {
            let written: Int
            do {
                written = try descriptor.writeSome(UnsafeRawBufferPointer(start: storage + start, count: end - start))
            } catch {
                return .failed(error)
            }
            if written == 0 { return .wouldBlock }
            start += written
            startsWithTerminator = false
            endsWithNewline = storage.load(fromByteOffset: start - 1, as: UInt8.self) == 10
        }
        start = 0
        end = 0
        if capacity > 1 << 20 { shrink() }
        return .done
    }

    /// Drops everything waiting and returns how many lines that was (a line a short
    /// write cut counts as dropped). If half a line was written, a newline is queued
    /// to end it, so the next line written starts on its own.
    func discardPending() -> Int {
        var lines = 0
        var index = start
        while index < end {
            if storage.load(fromByteOffset: index, as: UInt8.self) == 10 { lines += 1 }
            index += 1
        }
        if startsWithTerminator { lines -= 1 }
        start = 0
        end = 0
        startsWithTerminator = false
        if !endsWithNewline {
            storage.storeBytes(of: 10, toByteOffset: 0, as: UInt8.self)
            end = 1
            startsWithTerminator = true
        }
        return lines
    }

    /// Gives the output up: what waits and every later line is dropped.
    func close() {
        isClosed = true
        start = 0
        end = 0
    }

    /// After a burst, give the memory back.
    private func shrink() {
        storage.deallocate()
        capacity = 1 << 18
        storage = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 16)
    }
}
