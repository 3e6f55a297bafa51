/// Whether an instance that exited on its own is started again.
public enum RestartPolicy: String, Equatable, Sendable, CaseIterable {
    /// Any exit stops the formation (foreman's rule), unless the type can die.
    case no
    /// Restart after a non-zero exit or a death by signal; exit 0 means done.
    case onFailure = "on-failure"
    /// Restart after any exit.
    case always

    /// Whether this ending calls for a restart.
    public func restarts(after termination: Termination) -> Bool {
        switch self {
        case .no: false
        case .onFailure: termination != .exited(code: 0)
        case .always: true
        }
    }
}

/// How long to wait before each restart, and when to give up.
///
/// The delay doubles with each consecutive restart, up to a ceiling; a run that
/// lasted `healthyAfterMilliseconds` proves the instance sound and starts the
/// count again, so a crash loop gives up while an occasional crash never does.
public struct Backoff: Equatable, Sendable {
    public static let defaultFirstDelay = 100
    public static let defaultMaximumDelay = 30_000
    public static let defaultLimit = 10
    public static let defaultHealthyAfter = 10_000

    public var firstDelayMilliseconds: Int
    public var maximumDelayMilliseconds: Int
    /// Consecutive restarts allowed without a healthy run; 0 means no limit.
    public var limit: Int
    public var healthyAfterMilliseconds: Int

    public init(
        firstDelayMilliseconds: Int = defaultFirstDelay, maximumDelayMilliseconds: Int = defaultMaximumDelay,
        limit: Int = defaultLimit, healthyAfterMilliseconds: Int = defaultHealthyAfter
    ) {
        self.firstDelayMilliseconds = firstDelayMilliseconds
        self.maximumDelayMilliseconds = maximumDelayMilliseconds
        self.limit = limit
        self.healthyAfterMilliseconds = healthyAfterMilliseconds
    }

    /// The wait before consecutive restart `attempt` (from 1): first × 2^(attempt−1), capped.
    public func delay(forAttempt attempt: Int) -> Int {
        let ceiling = max(0, maximumDelayMilliseconds)
        var delay = min(max(0, firstDelayMilliseconds), ceiling)
        var step = 1
        while step < attempt && delay < ceiling {
            delay = min(delay * 2, ceiling)
            step += 1
        }
        return delay
    }

    /// Whether consecutive restart `attempt` (from 1) is still allowed.
    public func allows(attempt: Int) -> Bool {
        limit == 0 || attempt <= limit
    }
}

/// What drover does with one process type's instances when they end.
///
/// Filled from flags, `.drover` keys and `[TYPE]` sections (see `ApplicationLoader`);
/// later issues add a terminal, readiness and watching here.
public struct ProcessTypeSettings: Equatable, Sendable {
    public var restart: RestartPolicy
    /// The type's ending does not stop the formation (one-shots such as `migrate`).
    public var canDie: Bool
    public var backoff: Backoff
    /// Each instance runs on a pseudo-terminal of its own instead of a pipe.
    public var tty: Bool
    /// How to tell an instance is ready; nil: ready once started.
    public var ready: ReadinessProbe?
    /// Types every instance of which must be ready (or, if they can die, have exited 0)
    /// before this type starts.
    public var after: [String]
    /// drover binds each instance's PORT and hands the socket over as fd 3.
    public var listen: Bool
    /// `--watch`: a change at or under these paths restarts every instance of the type.
    public var watch: [WatchTarget]

    public init(
        restart: RestartPolicy = .no, canDie: Bool = false, backoff: Backoff = Backoff(), tty: Bool = false,
        ready: ReadinessProbe? = nil, after: [String] = [], listen: Bool = false, watch: [WatchTarget] = []
    ) {
        self.restart = restart
        self.canDie = canDie
        self.backoff = backoff
        self.tty = tty
        self.ready = ready
        self.after = after
        self.listen = listen
        self.watch = watch
    }
}
