/// A time when the `--log` file cannot be written (a full disk, EIO). The formation
/// keeps running: lines are dropped and counted, a write is tried again every
/// `retryMilliseconds`, and the outage is reported once when it begins and once when
/// it ends. A pure value: the log router discards, writes and logs what it says.
public struct LogFileOutage: Equatable, Sendable {
    public static let retryMilliseconds: Int64 = 1000

    public let path: String
    /// When it began, as the log shows the time of day.
    public let since: String
    /// Lines that could not be written so far.
    public private(set) var dropped: Int
    private var lastTry: Int64

    /// The first failed write (which lost `dropped` lines).
    public init(path: String, since: String, dropped: Int, now: Int64) {
        self.path = path
        self.since = since
        self.dropped = dropped
        lastTry = now
    }

    /// The one report when it begins.
    public static func report(path: String, reason: String) -> String {
        "cannot write to \(path) (\(reason)); dropping log lines until it can be written again"
    }

    /// Whether to try a write now, or to drop what waits.
    public func mayTry(now: Int64) -> Bool {
        now - lastTry >= Self.retryMilliseconds
    }

    /// Lines dropped without trying.
    public mutating func drop(_ lines: Int) {
        dropped += lines
    }

    /// A retry failed too, losing `lines` more.
    public mutating func failedAgain(dropping lines: Int, now: Int64) {
        dropped += lines
        lastTry = now
    }

    /// The path was opened again (`reopen-logs`): the new file is tried at once.
    public mutating func reopened() {
        lastTry = .min / 2
    }

    /// The report when a write succeeds again and the outage ends.
    public var recovery: String {
        "writing to \(path) again; \(dropped) log \(dropped == 1 ? "line" : "lines") dropped since \(since)"
    }
}
