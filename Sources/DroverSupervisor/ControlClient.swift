import DroverCore
import DroverSystem

/// One connection on the control socket.
///
/// Everything is non-blocking and bounded: a request line of at most 64 KiB (65,536
/// bytes before its newline), at most 4 MiB waiting to be written; a client that
/// exceeds that is cut off.
final class ControlClient {
    static let maximumPending = 4 << 20

    enum Phase {
        /// Waiting for its one request line, until `deadline`.
        case awaitingRequest(deadline: Int64)
        /// `logs -f`: the log router writes to it until it hangs up.
        case following
        /// Reply written (or being written); closed once the buffer drains.
        case closing
    }

    let descriptor: FileDescriptor
    let token: UInt64
    var phase: Phase
    private var request: [UInt8] = []
    private var pending: [UInt8] = []
    private var sent = 0
    var watchingWritable = false

    init(descriptor: FileDescriptor, token: UInt64, deadline: Int64) {
        self.descriptor = descriptor
        self.token = token
        phase = .awaitingRequest(deadline: deadline)
    }

    enum ReadResult {
        case nothingYet
        case line(String)
        case tooLong
        case closed
    }

    /// When the request line is due, while it is awaited.
    var requestDeadline: Int64? {
        if case let .awaitingRequest(deadline) = phase { return deadline }
        return nil
    }

    /// Reads what is there; returns the request line once complete.
    func readRequest(into buffer: UnsafeMutableRawBufferPointer) -> ReadResult {
        while true {
            let result: FileDescriptor.ReadResult
            do { result = try descriptor.read(into: buffer) } catch { return .closed }
            switch result {
            case .wouldBlock: return .nothingYet
            case .endOfFile: return .closed
            case let .bytes(count):
                let searchFrom = request.count
                request.append(contentsOf: UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
                // The limit is on the line without its newline, however the bytes were split.
                if let newline = request[searchFrom...].firstIndex(of: 10) {
                    guard newline <= ControlRequest.maximumLength else { return .tooLong }
                    return .line(String(decoding: request[..<newline], as: UTF8.self))
                }
                if request.count > ControlRequest.maximumLength { return .tooLong }
            }
        }
    }

    /// After the request: reads and drops whatever the client sends. False once it hung up.
    func discardInput(into buffer: UnsafeMutableRawBufferPointer) -> Bool {
        request = []
        while true {
            let result: FileDescriptor.ReadResult
            do { result = try descriptor.read(into: buffer) } catch { return false }
            switch result {
            case .wouldBlock: return true
            case .endOfFile: return false
            case .bytes: continue
            }
        }
    }

    var pendingCount: Int { pending.count - sent }

    /// One reply line.
    func queue(_ reply: ControlReply) {
        pending.append(contentsOf: reply.json.serializedBytes)
        pending.append(10)
    }

    func queue(prefix: UnsafeRawBufferPointer, line: UnsafeRawBufferPointer) {
        pending.append(contentsOf: prefix)
        pending.append(contentsOf: line)
        pending.append(10)
    }

    /// Writes what it can; false when the peer is gone.
    func flush() -> Bool {
        while sent < pending.count {
            let written: Int
            do {
                written = try pending.withUnsafeBytes { try descriptor.writeSome(UnsafeRawBufferPointer(rebasing: $0[sent...])) }
            } catch {
                return false
            }
            if written == 0 { break }
            sent += written
        }
        if sent == pending.count {
            pending.removeAll(keepingCapacity: pending.capacity <= 1 << 16)
            sent = 0
        } else if sent > 1 << 20 {
            pending.removeFirst(sent)
            sent = 0
        }
        return true
    }
}
