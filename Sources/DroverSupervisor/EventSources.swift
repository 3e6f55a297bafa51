import DroverCore

/// What each epoll token stands for: a few fixed sources, then ranges that each
/// component numbers its own descriptors in.
enum EventSource: Equatable {
    case signals
    /// drover's stdout (or `--log` file), watched only while output waits.
    case output
    case listener
    /// The write end of the guardian's pipe, watched only while messages wait.
    case guardian
    /// The inotify descriptor of `--watch`.
    case watch
    /// One instance's output pipe.
    case stream(UInt64)
    /// One control connection.
    case client(UInt64)
    /// A readiness probe's TCP connection.
    case probe(UInt64)

    static let streamBase: UInt64 = 1 << 32
    static let clientBase: UInt64 = 2 << 32
    static let probeBase: UInt64 = 3 << 32

    var token: UInt64 {
        switch self {
        case .signals: 0
        case .output: 1
        case .listener: 2
        case .guardian: 3
        case .watch: 4
        case let .stream(token), let .client(token), let .probe(token): token
        }
    }

    init?(token: UInt64) {
        switch token {
        case 0: self = .signals
        case 1: self = .output
        case 2: self = .listener
        case 3: self = .guardian
        case 4: self = .watch
        case Self.probeBase...: self = .probe(token)
        case Self.clientBase...: self = .client(token)
        case Self.streamBase...: self = .stream(token)
        default: return nil
        }
    }
}

/// Whose deadline an entry of the queue is; each owner checks, when its entry comes
/// up, whether anything is really due (deadlines move, entries stay).
enum DeadlineOwner: Sendable {
    /// An instance's backoff or SIGKILL.
    case instance(Int)
    /// SIGKILL for what is left of a group whose leader exited.
    case lingering(Int32)
    /// The formation's SIGKILL.
    case shutdown
    /// An instance's next readiness probe, or its readiness timeout (by slot id).
    case probe(Int)
    /// A connection that has not sent its request yet.
    case client(UInt64)
    /// Output pipes still open after every process is gone get this long.
    case pipeGrace
    /// `--watch`'s debounce: the restarts a burst of changes comes to.
    case watch
    /// The listener's rest after accept4 failed for want of descriptors or memory.
    case acceptPause
}

/// The one deadline queue the loop sleeps on, shared by the components that schedule.
final class Deadlines {
    private var queue = DeadlineQueue<DeadlineOwner>()

    func schedule(_ owner: DeadlineOwner, at time: Int64) {
        queue.schedule(owner, at: time)
    }

    func timeout(now: Int64) -> Int? {
        queue.timeout(now: now)
    }

    func popDue(now: Int64) -> DeadlineOwner? {
        queue.popDue(now: now)?.owner
    }
}
