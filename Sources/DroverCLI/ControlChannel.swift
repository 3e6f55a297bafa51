import DroverCore
import DroverSystem

/// A client's side of the control socket: one request, one reply.
struct ControlChannel {
    let path: String
    static let replyTimeoutMilliseconds = 30_000

    /// How long a client waits for drover to take its connection: the listener's
    /// backlog stays full while drover is stopped (SIGSTOP) or swamped.
    static let connectTimeoutMilliseconds = 5_000

    /// Sends `request` and returns the reply, failing with a message a user can act on.
    func send(_ request: ControlRequest) throws(Diagnostics) -> ControlReply {
        let connection = try connect()
        defer { connection.close() }
        return try exchange(request, over: connection)
    }

    /// Sends a request that drover answers with the formation's status.
    func status(_ request: ControlRequest) throws(Diagnostics) -> FormationStatus {
        guard case let .status(status) = try send(request) else { throw unexpected("no instance list") }
        return status
    }

    func unexpected(_ what: String) -> Diagnostics {
        Diagnostics([Diagnostic("drover at \(path) answered something unexpected: \(what)")])
    }

    func connect() throws(Diagnostics) -> FileDescriptor {
        // A drover that hangs up mid-request must give EPIPE here, not kill the client.
        // (Only clients do this: `run` must not hand an ignored SIGPIPE to its program.)
        SignalReceiver.ignoreBrokenPipe()
        do {
            return try UnixSocket.connect(to: path, timeoutMilliseconds: Self.connectTimeoutMilliseconds)
        } catch {
            if error.isNoSuchFile || error.isConnectionRefused {
                throw Diagnostics([Diagnostic("no drover is running here (\(path): \(error.reason)); start one with 'drover start'")])
            }
            if error.isWouldBlock {
                throw Diagnostics([
                    Diagnostic(
                        "drover at \(path) is not taking connections (busy, or stopped with SIGSTOP); gave up after "
                            + "\(Self.connectTimeoutMilliseconds / 1000) s")
                ])
            }
            throw Diagnostics([Diagnostic("cannot reach drover at \(path): \(error.reason)")])
        }
    }

    /// Writes the request line and reads the reply line; bytes after it stay in `LineReader`.
    /// A failure reply becomes the error it reports.
    func exchange(
        _ request: ControlRequest, over connection: FileDescriptor, reader: LineReader? = nil
    ) throws(Diagnostics) -> ControlReply {
        var writeError: SystemError?
        do {
            try connection.writeAll(request.json.serialized + "\n")
        } catch {
            // drover may have refused us and hung up already: its reason is still there to read.
            writeError = error
        }
        let lines = reader ?? LineReader(connection)
        guard let line = lines.nextLine(timeoutMilliseconds: Self.replyTimeoutMilliseconds) else {
            if let writeError {
                throw Diagnostics([Diagnostic("cannot talk to drover at \(path): \(writeError.reason)")])
            }
            throw Diagnostics([
                Diagnostic(
                    "drover at \(path) did not answer within \(Self.replyTimeoutMilliseconds / 1000) s (busy, or stopped with SIGSTOP)")
            ])
        }
        let reply: ControlReply
        do {
            reply = try ControlReply.parse(line, answering: request)
        } catch {
            throw unexpected(error.reason)
        }
        if case let .failure(message) = reply { throw Diagnostics([Diagnostic(message)]) }
        return reply
    }
}

/// Reads lines from a descriptor, waiting at most a given time for each.
final class LineReader {
    private let descriptor: FileDescriptor
    private var buffer: [UInt8] = []
    /// How much of `buffer` is known to hold no newline: a long line is scanned once.
    private var scanned = 0
    private var chunk = [UInt8](repeating: 0, count: 65_536)
    private(set) var atEnd = false

    init(_ descriptor: FileDescriptor) {
        self.descriptor = descriptor
    }

    func nextLine(timeoutMilliseconds: Int) -> String? {
        while true {
            if let newline = buffer[scanned...].firstIndex(of: 10) {
                let line = String(decoding: buffer[..<newline], as: UTF8.self)
                buffer.removeFirst(newline + 1)
                scanned = 0
                return line
            }
            scanned = buffer.count
            guard !atEnd, Readiness.waitReadable(descriptor, timeoutMilliseconds: timeoutMilliseconds) else { return nil }
            guard readChunk() else { return nil }
        }
    }

    /// What arrived after the reply line and has not been read as a line; handed over.
    func takeBuffered() -> [UInt8] {
        defer {
            buffer.removeAll()
            scanned = 0
        }
        return buffer
    }

    /// Everything after the reply, as it comes, until the peer closes.
    func copyRest(to output: FileDescriptor) {
        if !buffer.isEmpty {
            try? output.writeAll(buffer)
            buffer.removeAll()
            scanned = 0
        }
        while Readiness.waitReadable(descriptor, timeoutMilliseconds: nil), readChunk() {
            try? output.writeAll(buffer)
            buffer.removeAll()
            scanned = 0
        }
    }

    private func readChunk() -> Bool {
        let result = chunk.withUnsafeMutableBytes { raw in Result { () throws(SystemError) in try descriptor.read(into: raw) } }
        switch result {
        case let .success(.bytes(count)):
            buffer.append(contentsOf: chunk[0..<count])
            return true
        case .success(.wouldBlock):
            return true
        default:
            atEnd = true
            return false
        }
    }
}
