import DroverCore
import DroverSystem

/// The control socket: one request line per connection, one reply (or a log stream).
///
/// It owns the connections; what a request changes it asks of `Instances`, and
/// history and followers it asks of `LogRouter`.
final class ControlServer {
    static let maximumClients = 256
    /// What all connections may hold waiting to be written, together: without it, 256
    /// `logs -f` followers that stopped reading would hold 4 MiB each, 1 GiB. When it
    /// runs out, the followers furthest behind are cut off first.
    static let sendBudgetBytes = 64 << 20
    /// A client must send its request line within this time, or it is dropped.
    static let requestTimeoutMilliseconds: Int64 = 10_000

    private let listener: FileDescriptor
    let path: String
    /// The socket file this drover bound: the only one it may remove.
    private let socketFile: FileIdentity?
    private let poller: EventPoller
    private let deadlines: Deadlines
    private let instances: Instances
    private let router: LogRouter
    private var clients: [UInt64: ControlClient] = [:]
    private let budget = SendBudget(bytes: ControlServer.sendBudgetBytes)
    private var nextToken = EventSource.clientBase
    /// Listener unwatched after a failed accept, until `.acceptPause` comes due.
    private var acceptPaused = false
    private var acceptFailureReported = false
    static let acceptPauseMilliseconds: Int64 = 100
    private let readBuffer: UnsafeMutableRawBufferPointer

    init(
        listener: FileDescriptor, path: String, poller: EventPoller, deadlines: Deadlines, instances: Instances,
        router: LogRouter
    ) throws(SystemError) {
        self.listener = listener
        self.path = path
        socketFile = FileIdentity.of(path)
        self.poller = poller
        self.deadlines = deadlines
        self.instances = instances
        self.router = router
        readBuffer = .allocate(byteCount: 65_536, alignment: 16)
        try poller.add(listener, token: EventSource.listener.token, interest: .readable)
        router.flushFollowers = { [unowned self] followers in
            for client in followers { self.flush(client) }
        }
        budget.reclaim = { [unowned self] in self.cutOffFurthestBehind() }
        router.terminalEnded = { [unowned self] clients, code in
            for client in clients where self.clients[client.token] != nil {
                client.queue(AttachFrame.exited(code: code).encoded)
                client.phase = .closing
                self.flush(client)
            }
        }
    }

    deinit {
        readBuffer.deallocate()
    }

    /// Closes every connection and the listener, and removes the socket file if it is
    /// still the one this drover bound.
    func shutDown() {
        for client in Array(clients.values) { close(client) }
        listener.close()
        if let socketFile, FileIdentity.of(path)?.sameFile(as: socketFile) == true { UnixSocket.remove(path) }
    }

    func acceptClients() {
        while true {
            let connection: FileDescriptor?
            do {
                connection = try UnixSocket.accept(listener)
            } catch {
                pauseAccepting(error)
                return
            }
            guard let connection else { return }
            let deadline = Clocks.monotonicMilliseconds() + Self.requestTimeoutMilliseconds
            let client = ControlClient(descriptor: connection, token: nextToken, deadline: deadline, budget: budget)
            nextToken += 1
            if !ControlAccess.allows(peer: UnixSocket.peerUserID(connection), own: UnixSocket.ownUserID) {
                refuse(client, "permission denied: this drover belongs to another user")
                continue
            }
            if clients.count >= Self.maximumClients {
                refuse(client, "too many connections")
                continue
            }
            do {
                try poller.add(connection, token: client.token, interest: .readable)
            } catch {
                connection.close()
                continue
            }
            clients[client.token] = client
            deadlines.schedule(.client(client.token), at: deadline)
            if acceptFailureReported {
                acceptFailureReported = false
                router.log(.controlResumed)
            }
        }
    }

    /// One best-effort error line, then the connection is closed.
    private func refuse(_ client: ControlClient, _ message: String) {
        client.queue(ControlReply.failure(message))
        _ = client.flush()
        client.descriptor.close()
    }

    func handle(_ event: EventPoller.Event) {
        guard let client = clients[event.token] else { return }
        if event.writable, !client.flush() {
            close(client)
            return
        }
        if event.readable || event.closed {
            switch client.phase {
            case .awaitingRequest:
                switch client.readRequest(into: readBuffer) {
                case .nothingYet: break
                case .closed:
                    close(client)
                    return
                case .tooLong:
                    reply(client, .failure("request longer than \(ControlRequest.maximumLength) bytes"))
                case let .line(line):
                    handleRequest(line, from: client)
                }
            case let .attached(stream):
                let open = client.readFrames(into: readBuffer)
                guard takeFrames(from: client, forTerminal: stream), open else {
                    close(client)
                    return
                }
            case .following, .closing:
                // Nothing more is expected from the client: drop what it sends; only its
                // hang-up matters.
                if !client.discardInput(into: readBuffer) {
                    close(client)
                    return
                }
            }
        }
        settle(client)
    }

    /// Carries out the frames an attached client sent; false when it must be cut off
    /// (a frame no client sends, or more keys than the terminal will take).
    private func takeFrames(from client: ControlClient, forTerminal stream: UInt64) -> Bool {
        while true {
            let frame: AttachFrame?
            do { frame = try client.frames.next() } catch { return false }
            switch frame {
            case nil: return true
            case let .input(bytes)?: guard router.type(bytes, intoTerminal: stream) else { return false }
            case let .resize(size)?: router.resize(stream, for: client, size)
            case .output?, .exited?: return false
            }
        }
    }

    /// accept4 failed (EMFILE, ENFILE, ENOMEM): the waiting connection stays in the
    /// backlog and the listener stays readable, so watching it would spin the loop.
    /// It is left alone for a moment, said once per outage, and tried again.
    private func pauseAccepting(_ error: SystemError) {
        guard !acceptPaused else { return }
        acceptPaused = true
        try? poller.modify(listener, token: EventSource.listener.token, interest: .none)
        deadlines.schedule(.acceptPause, at: Clocks.monotonicMilliseconds() + Self.acceptPauseMilliseconds)
        if !acceptFailureReported {
            acceptFailureReported = true
            router.log(.controlPaused(reason: error.reason))
        }
    }

    /// The pause after a failed accept is over: watch the listener again.
    func resumeAccepting() {
        guard acceptPaused else { return }
        acceptPaused = false
        try? poller.modify(listener, token: EventSource.listener.token, interest: .readable)
    }

    func deadlinePassed(_ token: UInt64, now: Int64) {
        guard let client = clients[token], let deadline = client.requestDeadline, now >= deadline else { return }
        close(client)
    }

    /// Writes what waits for a client; cuts it off if it is gone.
    private func flush(_ client: ControlClient) {
        // A follower cut off earlier in the same round of flushes is skipped.
        guard clients[client.token] != nil else { return }
        if client.flush() { settle(client) } else { close(client) }
    }

    /// Closes a client whose reply is out, cuts off one that stopped reading, and
    /// watches for writability only while something waits.
    private func settle(_ client: ControlClient) {
        guard clients[client.token] != nil else { return }
        if client.pendingCount > ControlClient.maximumPending || client.lostOutput {
            close(client)
            return
        }
        if case .closing = client.phase, client.pendingCount == 0 {
            close(client)
            return
        }
        let wantWritable = client.pendingCount > 0
        if wantWritable != client.watchingWritable {
            client.watchingWritable = wantWritable
            try? poller.modify(
                client.descriptor, token: client.token, interest: wantWritable ? [.readable, .writable] : .readable)
        }
    }

    /// The send budget ran out: cuts off the follower with the most unsent text (the
    /// stuck ones; those that read along lose nothing), then the next, until a block is free.
    private func cutOffFurthestBehind() {
        let behind = clients.values.filter { client in
            if case .following = client.phase { return client.pendingCount > 0 }
            return false
        }
        for client in behind.sorted(by: { $0.pendingCount > $1.pendingCount }) {
            guard budget.usedBlocks >= budget.limitBlocks else { return }
            close(client)
        }
    }

    /// Closes a registered client once; later calls do nothing.
    private func close(_ client: ControlClient) {
        guard clients.removeValue(forKey: client.token) != nil else { return }
        client.release()
        switch client.phase {
        case .following: router.unfollow(client)
        case let .attached(stream): router.detach(client, fromTerminal: stream)
        case .awaitingRequest, .closing: break
        }
        poller.remove(client.descriptor)
        client.descriptor.close()
    }

    private func reply(_ client: ControlClient, _ reply: ControlReply) {
        client.queue(reply)
        client.phase = .closing
        if !client.flush() { close(client) }
    }

    // MARK: Requests

    private func handleRequest(_ line: String, from client: ControlClient) {
        let request: ControlRequest
        do {
            request = try ControlRequest.parse(line)
        } catch {
            reply(client, .failure("bad request: \(error.reason)"))
            return
        }
        do throws(InvalidValue) {
            switch request {
            case .status:
                reply(client, status())
            case let .logs(lines, follow, targets, colored, format):
                let sources = try instances.sources(targets)
                client.queue(ControlReply.logs(follow: follow))
                router.replay(
                    sources, includingSystem: targets.isEmpty, lines: lines, colored: colored, format: format, to: client)
                client.phase = follow ? .following : .closing
                if follow { router.follow(client, targets: targets, colored: colored, format: format) }
                if !client.flush() { close(client) }
            case let .scale(counts):
                let (formation, startErrors) = try instances.request { () throws(InvalidValue) in try instances.scale(counts) }
                reply(client, .scaled(formation, startErrors: startErrors))
            case let .restart(targets):
                let (_, startErrors) = try instances.request { () throws(InvalidValue) in try instances.restart(targets) }
                reply(client, status(startErrors: startErrors))
            case let .stop(targets):
                try instances.stop(targets)
                reply(client, status())
            case let .start(targets):
                let (_, startErrors) = try instances.request { () throws(InvalidValue) in try instances.start(targets) }
                reply(client, status(startErrors: startErrors))
            case .quit:
                try instances.quit()
                reply(client, .quitting(pid: Int(CurrentProcess.id)))
            case .reopenLogs:
                reply(client, .reopened(path: try router.reopenLogFile()))
            case let .attach(selector, window):
                let (name, stream) = try instances.terminalStream(selector)
                client.queue(ControlReply.attached(name: name))
                client.phase = .attached(stream)
                router.attach(client, toTerminal: stream, size: window)
                // Frames the client sent right behind its request.
                guard takeFrames(from: client, forTerminal: stream), client.flush() else {
                    close(client)
                    return
                }
            }
        } catch {
            reply(client, .failure(error.reason))
        }
    }

    private func status(startErrors: [String] = []) -> ControlReply {
        var status = instances.status(now: Clocks.monotonicMilliseconds())
        status.startErrors = startErrors
        return .status(status)
    }
}
