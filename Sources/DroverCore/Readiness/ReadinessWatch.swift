/// When to probe a run that has not shown it is ready, and when to give up on it.
///
/// Probes come quickly at first (a server that starts in 0.3 s is seen at once) and
/// then back off, so a slow starter does not cost a probe every 0.1 s for a minute.
/// The owner runs the probe, reports its failure, and schedules what this returns.
public struct ReadinessWatch: Equatable, Sendable {
    public let startedAt: Int64
    /// 0: wait for ever.
    public let timeoutMilliseconds: Int
    public private(set) var attempts = 0
    /// What the last probe met (`connection refused`), for the timeout's message.
    public private(set) var lastFailure: String?

    /// The first second probes every 0.1 s; then each wait is half as long again, up to 1 s.
    public static let quickInterval = 100
    public static let quickAttempts = 10
    public static let slowestInterval = 1000

    public init(startedAt: Int64, timeoutMilliseconds: Int) {
        self.startedAt = startedAt
        self.timeoutMilliseconds = timeoutMilliseconds
    }

    /// When the run counts as not ready; nil: never.
    public var deadline: Int64? {
        timeoutMilliseconds > 0 ? startedAt + Int64(timeoutMilliseconds) : nil
    }

    public func isOverdue(now: Int64) -> Bool {
        deadline.map { now >= $0 } ?? false
    }

    /// The wait after failed attempt number `attempt` (1-based).
    public static func interval(afterAttempt attempt: Int) -> Int {
        guard attempt > quickAttempts else { return quickInterval }
        var interval = Double(quickInterval)
        for _ in quickAttempts..<attempt {
            interval *= 1.5
            if interval >= Double(slowestInterval) { return slowestInterval }
        }
        return Int(interval)
    }

    /// A probe failed at `now`: when to try again (never past the deadline, where the
    /// owner gives up instead).
    public mutating func failed(now: Int64, why: String) -> Int64 {
        attempts += 1
        lastFailure = why
        let next = now + Int64(Self.interval(afterAttempt: attempts))
        return deadline.map { min($0, next) } ?? next
    }

    /// `0.42s`, for the ready line.
    public func elapsed(now: Int64) -> String {
        let milliseconds = max(0, Int(now - startedAt))
        let hundredths = (milliseconds + 5) / 10
        let fraction = hundredths % 100
        return "\(hundredths / 100).\(fraction < 10 ? "0" : "")\(fraction)s"
    }
}
