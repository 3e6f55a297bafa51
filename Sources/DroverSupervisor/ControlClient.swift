import DroverCore
import DroverSystem

/// One connection on the control socket.
///
/// Everything is non-blocking and bounded: a request line of at most 64 KiB (65,536
/// bytes before its newline), at most 4 MiB waiting to be written; a client that
/// exceeds that is cut off (and the control server bounds what all followers hold
/// together).
final class ControlClient {
    static let maximumPending = 4 << 20

    enum Phase {
        /// Waiting for its one request line, until `deadline`.
        case awaitingRequest(deadline: Int64)
        /// `logs -f`: the log router writes to it until it hangs up.
        case following
        /// `attach`: frames both ways with the terminal of the run whose stream token
        /// this is, until either side ends.
        case attached(UInt64)
        /// Reply written (or being written); closed once the buffer drains.
        case closing
    }

    let descriptor: FileDescriptor
    let token: UInt64
    var phase: Phase
    private var request: [UInt8] = []
    /// While attached: the frames the client sends.
    var frames = AttachFrameReader()
    private let output: SendQueue
    var watchingWritable = false

    init(descriptor: FileDescriptor, token: UInt64, deadline: Int64, budget: SendBudget) {
        self.descriptor = descriptor
        self.token = token
        output = SendQueue(budget: budget)
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
                    // An attach's first frames may come in the same read: they are kept.
                    frames.append(Array(request[(newline + 1)...]))
                    return .line(String(decoding: request[..<newline], as: UTF8.self))
                }
                if request.count > ControlRequest.maximumLength { return .tooLong }
            }
        }
    }

    /// While attached: reads what is there into `frames`; false once the client hung up.
    func readFrames(into buffer: UnsafeMutableRawBufferPointer) -> Bool {
        readAvailable(into: buffer) { frames.append($0) }
    }

    /// After the request: reads and drops whatever the client sends. False once it hung up.
    func discardInput(into buffer: UnsafeMutableRawBufferPointer) -> Bool {
        request = []
        return readAvailable(into: buffer) { _ in }
    }

    /// Reads until the socket is drained, handing each read to `take`; false at its end.
    private func readAvailable(
        into buffer: UnsafeMutableRawBufferPointer, _ take: (UnsafeRawBufferPointer) -> Void
    ) -> Bool {
        while true {
            let result: FileDescriptor.ReadResult
            do { result = try descriptor.read(into: buffer) } catch { return false }
            switch result {
            case .wouldBlock: return true
            case .endOfFile: return false
            case let .bytes(count): take(UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
            }
        }
    }

    var pendingCount: Int { output.count }

    /// Whether output was refused (the budget of all clients ran out) or released: the
    /// stream to this client has a gap, so it must be cut off.
    var lostOutput: Bool { output.isDiscarding }

    /// One reply line.
    func queue(_ reply: ControlReply) {
        output.append(reply.json.serializedBytes + [10])
    }

    func queue(_ bytes: [UInt8]) {
        output.append(bytes)
    }

    func queue(prefix: UnsafeRawBufferPointer, line: UnsafeRawBufferPointer) {
        output.append(prefix)
        output.append(line)
        withUnsafeBytes(of: UInt8(10)) { output.append($0) }
    }

    /// A JSON log line: `prefix`, then `line` escaped (in `scratch`, kept by the caller
    /// so it is grown once, not allocated per line), `"}` and a newline.
    func queueJSON(prefix: UnsafeRawBufferPointer, line: UnsafeRawBufferPointer, scratch: inout [UInt8]) {
        let room = JSONLogLine.maximumEscapedCount(line.count) + JSONLogLine.suffix.count + 1
        if scratch.count < room { scratch = [UInt8](repeating: 0, count: room) }
        output.append(prefix)
        scratch.withUnsafeMutableBytes { buffer in
            let count = JSONLogLine.escape(line, into: buffer.baseAddress!)
            buffer[count] = UInt8(ascii: "\"")
            buffer[count + 1] = UInt8(ascii: "}")
            buffer[count + 2] = 10
            output.append(UnsafeRawBufferPointer(rebasing: buffer[0..<(count + 3)]))
        }
    }

    /// What a terminal wrote, as one output frame.
    func queueOutput(_ bytes: UnsafeRawBufferPointer) {
        output.append(AttachFrame.outputHeader(count: bytes.count))
        output.append(bytes)
    }

    /// Writes what it can; false when the peer is gone.
    func flush() -> Bool {
        output.write(to: descriptor)
    }

    /// Frees what waits at once (the client is being closed).
    func release() {
        output.release()
    }
}
