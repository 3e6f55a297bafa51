import DroverCore
import DroverSystem

#if canImport(Glibc)
    import Glibc
#endif

/// Runs the readiness probes of starting runs from the event loop, never blocking it:
/// TCP and HTTP through non-blocking sockets, `exec:` as a child in a group of its own,
/// `log:` through the log router. When to probe and when to give up is each run's
/// `ReadinessWatch`; this only carries attempts out and reports the outcome.
final class Probes {
    /// One attempt in flight.
    private enum Attempt {
        case connecting(FileDescriptor, token: UInt64, http: [UInt8]?)
        case awaitingAnswer(FileDescriptor, token: UInt64, received: [UInt8])
        case running(pid: Int32)
        /// `log:`: the router tells.
        case watchingLog
    }

    private struct Check {
        let probe: ReadinessProbe
        let port: Int
        let stream: UInt64?
        let environment: [[UInt8]]
        var watch: ReadinessWatch
        var attempt: Attempt?
        /// When the next attempt is due (none in flight).
        var nextAt: Int64
        /// When the attempt in flight is abandoned.
        var attemptDeadline: Int64?
    }

    /// How long one TCP or HTTP attempt may take before it counts as failed.
    static let attemptMilliseconds: Int64 = 1000

    private var checks: [Int: Check] = [:]
    private var byToken: [UInt64: Int] = [:]
    private var byPid: [Int32: Int] = [:]
    private var nextToken = EventSource.probeBase
    private let poller: EventPoller
    private let deadlines: Deadlines
    private let router: LogRouter
    private let spawnCheck: (_ command: String, _ environment: [[UInt8]]) throws(SystemError) -> Int32
    /// Passed (the slot id and how long it took) or timed out (and what the last attempt met).
    var onReady: (Int, String) -> Void = { _, _ in }
    var onTimeout: (Int, String) -> Void = { _, _ in }

    init(
        poller: EventPoller, deadlines: Deadlines, router: LogRouter,
        spawnCheck: @escaping (_ command: String, _ environment: [[UInt8]]) throws(SystemError) -> Int32
    ) {
        self.poller = poller
        self.deadlines = deadlines
        self.router = router
        self.spawnCheck = spawnCheck
    }

    /// Starts watching a run that has just been spawned.
    func begin(
        _ id: Int, probe: ReadinessProbe, port: Int, stream: UInt64?, environment: [[UInt8]], timeoutMilliseconds: Int
    ) {
        cancel(id)
        let now = Clocks.monotonicMilliseconds()
        let watch = ReadinessWatch(startedAt: now, timeoutMilliseconds: timeoutMilliseconds)
        checks[id] = Check(
            probe: probe, port: port, stream: stream, environment: environment, watch: watch, nextAt: now)
        if let deadline = watch.deadline { deadlines.schedule(.probe(id), at: deadline) }
        if case let .log(text) = probe, let stream {
            checks[id]?.attempt = .watchingLog
            router.await(Array(text.utf8), on: stream) { [unowned self] in self.passed(id) }
        } else {
            attempt(id, now: now)
        }
    }

    /// The run ended or stopped: nothing more is probed, and an attempt in flight goes.
    func cancel(_ id: Int) {
        guard let check = checks.removeValue(forKey: id) else { return }
        end(check.attempt)
        if case .log = check.probe, let stream = check.stream { router.stopAwaiting(stream) }
    }

    private func end(_ attempt: Attempt?) {
        switch attempt {
        case let .connecting(descriptor, token, _), let .awaitingAnswer(descriptor, token, _):
            poller.remove(descriptor)
            descriptor.close()
            byToken[token] = nil
        case let .running(pid):
            // Reaped later with the rest; its exit is then nobody's.
            Children.signalGroup(pid, SIGKILL)
        case .watchingLog, nil:
            break
        }
    }

    var isEmpty: Bool { checks.isEmpty }

    // MARK: Attempts

    private func attempt(_ id: Int, now: Int64) {
        guard let check = checks[id] else { return }
        switch check.probe {
        case let .tcp(endpoint):
            connect(id, to: endpoint ?? IPv4Endpoint(host: .loopback, port: check.port), http: nil, now: now)
        case let .http(path):
            connect(
                id, to: IPv4Endpoint(host: .loopback, port: check.port),
                http: HTTPProbe.request(path: path, port: check.port), now: now)
        case let .exec(command):
            do throws(SystemError) {
                let pid = try spawnCheck(command, check.environment)
                byPid[pid] = id
                checks[id]?.attempt = .running(pid: pid)
            } catch {
                failed(id, "cannot run it: \(error.reason)", now: now)
            }
        case .log:
            break
        }
    }

    private func connect(_ id: Int, to endpoint: IPv4Endpoint, http: [UInt8]?, now: Int64) {
        do throws(SystemError) {
            let (descriptor, _) = try TCPSocket.connect(to: endpoint)
            let token = nextToken
            nextToken += 1
            do throws(SystemError) {
                try poller.add(descriptor, token: token, interest: .writable)
            } catch {
                descriptor.close()
                throw error
            }
            byToken[token] = id
            checks[id]?.attempt = .connecting(descriptor, token: token, http: http)
            let limit = now + Self.attemptMilliseconds
            checks[id]?.attemptDeadline = limit
            deadlines.schedule(.probe(id), at: limit)
        } catch {
            failed(id, error.reason, now: now)
        }
    }

    /// A probe's socket is ready.
    func handle(_ event: EventPoller.Event) {
        guard let id = byToken[event.token], let check = checks[id] else { return }
        let now = Clocks.monotonicMilliseconds()
        switch check.attempt {
        case let .connecting(descriptor, token, http):
            if let error = TCPSocket.pendingError(descriptor) {
                end(check.attempt)
                checks[id]?.attempt = nil
                failed(id, error.reason, now: now)
                return
            }
            guard let http else {
                end(check.attempt)
                checks[id]?.attempt = nil
                passed(id)
                return
            }
            // A fresh socket's buffer takes a request this small whole.
            let sent = http.withUnsafeBytes { Glibc.send(descriptor.rawValue, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard sent == http.count, (try? poller.modify(descriptor, token: token, interest: .readable)) != nil else {
                end(check.attempt)
                checks[id]?.attempt = nil
                failed(id, "cannot send the request", now: now)
                return
            }
            checks[id]?.attempt = .awaitingAnswer(descriptor, token: token, received: [])
        case .awaitingAnswer(let descriptor, let token, var received):
            var buffer = [UInt8](repeating: 0, count: 256)
            let count = buffer.withUnsafeMutableBytes { Glibc.recv(descriptor.rawValue, $0.baseAddress, $0.count, 0) }
            if count < 0 && (errno == EAGAIN || errno == EINTR) { return }
            if count > 0 { received += buffer[0..<count] }
            let answer = HTTPProbe.answer(received)
            if answer == .incomplete && count > 0 {
                checks[id]?.attempt = .awaitingAnswer(descriptor, token: token, received: received)
                return
            }
            end(check.attempt)
            checks[id]?.attempt = nil
            switch answer {
            case let .status(code) where HTTPProbe.isReady(code): passed(id)
            case let .status(code): failed(id, "HTTP status \(code)", now: now)
            case .incomplete: failed(id, "connection closed without an answer", now: now)
            case .malformed: failed(id, "the answer is not HTTP", now: now)
            }
        default:
            break
        }
    }

    /// An `exec:` check was reaped; false if the pid was not one.
    func reaped(_ pid: Int32, _ termination: Termination) -> Bool {
        guard let id = byPid.removeValue(forKey: pid) else { return false }
        guard let check = checks[id], case .running(pid)? = check.attempt else { return true }
        checks[id]?.attempt = nil
        if termination.shellCode == 0 {
            passed(id)
        } else {
            failed(id, "\(termination)", now: Clocks.monotonicMilliseconds())
        }
        return true
    }

    func deadlinePassed(_ id: Int, now: Int64) {
        guard let check = checks[id] else { return }
        if check.watch.isOverdue(now: now) {
            cancel(id)
            onTimeout(id, check.watch.lastFailure ?? "no answer")
            return
        }
        if let limit = check.attemptDeadline, now >= limit, check.attempt != nil {
            end(check.attempt)
            checks[id]?.attempt = nil
            checks[id]?.attemptDeadline = nil
            failed(id, "no answer within \(Seconds.text(milliseconds: Int(Self.attemptMilliseconds)))", now: now)
            return
        }
        if check.attempt == nil, now >= check.nextAt { attempt(id, now: now) }
    }

    private func failed(_ id: Int, _ why: String, now: Int64) {
        guard var check = checks[id] else { return }
        check.attemptDeadline = nil
        check.nextAt = check.watch.failed(now: now, why: why)
        checks[id] = check
        deadlines.schedule(.probe(id), at: check.nextAt)
    }

    private func passed(_ id: Int) {
        guard let check = checks[id] else { return }
        cancel(id)
        onReady(id, check.watch.elapsed(now: Clocks.monotonicMilliseconds()))
    }
}
