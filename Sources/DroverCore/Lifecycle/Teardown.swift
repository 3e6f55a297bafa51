/// How drover stops a process group: SIGTERM now, SIGKILL once the grace period is
/// over, and never anything after SIGKILL.
///
/// The one rule behind every stop: the formation's shutdown, `drover stop`, a
/// scale-down, a restart, and what is left of a group after its leader exited.
/// A value: the owner keeps it, asks it on each tick, and sends what it returns.
public struct Teardown: Equatable, Sendable {
    public enum Phase: Equatable, Sendable {
        /// SIGTERM sent; SIGKILL is due at `deadline`.
        case terminating(deadline: Int64)
        /// SIGKILL sent: nothing is left to send.
        case killed
    }

    /// What to send to the group.
    public enum Step: Equatable, Sendable {
        case terminate
        case kill
    }

    public private(set) var phase: Phase
    /// The grace period, for messages ("still running after 5s").
    public let graceMilliseconds: Int

    /// Begins a teardown whose SIGTERM the caller sends now.
    public init(now: Int64, graceMilliseconds: Int) {
        self.graceMilliseconds = graceMilliseconds
        phase = .terminating(deadline: now + Int64(graceMilliseconds))
    }

    /// When SIGKILL is due; nil once it was sent.
    public var deadline: Int64? {
        if case let .terminating(deadline) = phase { return deadline }
        return nil
    }

    public var isKilled: Bool { phase == .killed }

    /// `.kill` once the deadline has passed (and only once).
    public mutating func tick(now: Int64) -> Step? {
        guard let deadline, now >= deadline else { return nil }
        phase = .killed
        return .kill
    }

    /// `.kill` at once, unless already sent: a second Ctrl-C does not wait.
    public mutating func hurry() -> Step? {
        guard !isKilled else { return nil }
        phase = .killed
        return .kill
    }
}
