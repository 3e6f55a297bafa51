/// When and how the formation stops: SIGTERM to everyone, a grace period, then SIGKILL.
///
/// A pure state machine: the supervisor feeds it events and the monotonic time in
/// milliseconds, and carries out the actions it returns.
public struct ShutdownPlan: Sendable {
    public enum Phase: Equatable, Sendable {
        case running
        /// SIGTERM sent; SIGKILL follows at `deadline`.
        case draining(deadline: Int64)
        /// SIGKILL sent; waiting for the last processes to be reaped.
        case killing
    }

    /// What started the stop; it decides drover's exit code.
    public enum Reason: Equatable, Sendable {
        case instanceExited(name: String, Termination)
        case signal(StopSignal)
        /// An instance could not even be spawned (shell missing, bad root).
        case spawnFailed(name: String, exitCode: Int32)
        /// drover's own stdout was closed (the reader went away).
        case outputClosed
        /// A client asked for it (`drover stop`, `drover quit`).
        case requested
    }

    public enum Action: Equatable, Sendable {
        case log(String)
        case terminateAll
        case killAll
        case forward(StopSignal)
    }

    public private(set) var phase: Phase = .running
    public private(set) var reason: Reason?
    /// Whether SIGKILL had to be sent to something still running.
    public private(set) var killedSomething = false
    public let timeoutMilliseconds: Int

    public init(timeoutMilliseconds: Int) {
        self.timeoutMilliseconds = timeoutMilliseconds
    }

    public var deadline: Int64? {
        if case let .draining(deadline) = phase { return deadline }
        return nil
    }

    public var isStopping: Bool { phase != .running }

    /// Starts the drain, unless one is under way already.
    public mutating func stop(_ reason: Reason, now: Int64) -> [Action] {
        guard phase == .running else { return [] }
        self.reason = reason
        phase = .draining(deadline: now + Int64(timeoutMilliseconds))
        var actions: [Action] = []
        switch reason {
        case let .signal(signal): actions.append(.log("\(signal.name) received, stopping all processes"))
        case .outputClosed: actions.append(.log("output closed, stopping all processes"))
        case .requested: actions.append(.log("stop requested, stopping all processes"))
        case .instanceExited, .spawnFailed: break
        }
        actions.append(.log("sending SIGTERM to all processes"))
        actions.append(.terminateAll)
        return actions
    }

    /// SIGINT, SIGTERM, SIGHUP stop the formation; a second SIGINT or SIGTERM kills at
    /// once; SIGUSR1 and SIGUSR2 are passed on to every process group.
    public mutating func received(_ signal: StopSignal, now: Int64, stillRunning: Int) -> [Action] {
        switch signal {
        case .userDefined1, .userDefined2:
            return [.log("\(signal.name) received, forwarding it to all processes"), .forward(signal)]
        case .interrupt, .terminate, .hangup:
            if phase == .running { return stop(.signal(signal), now: now) }
            guard signal != .hangup, case .draining = phase else { return [] }
            return kill(stillRunning: stillRunning, why: "\(signal.name) received again")
        }
    }

    /// Called when the clock passes `deadline`.
    public mutating func deadlinePassed(now: Int64, stillRunning: Int) -> [Action] {
        guard let deadline, now >= deadline else { return [] }
        return kill(stillRunning: stillRunning, why: "still running after \(Seconds.text(milliseconds: timeoutMilliseconds))")
    }

    private mutating func kill(stillRunning: Int, why: String) -> [Action] {
        phase = .killing
        guard stillRunning > 0 else { return [] }
        killedSomething = true
        let noun = stillRunning == 1 ? "process" : "processes"
        return [.log("sending SIGKILL to \(stillRunning) \(noun) \(why)"), .killAll]
    }

    /// The instance's code (128+N for signal N) if its exit started the stop; else 0
    /// when everything stopped in time and 1 when something had to be killed.
    public var exitCode: Int32 {
        switch reason {
        case let .instanceExited(_, termination)?: return termination.shellCode
        case let .spawnFailed(_, code)?: return code
        case .signal?, .outputClosed?, .requested?, nil: return killedSomething ? 1 : 0
        }
    }
}

/// The signals drover acts on, by meaning; the system layer maps them to numbers.
public enum StopSignal: Equatable, Sendable, CaseIterable {
    case hangup, interrupt, terminate, userDefined1, userDefined2

    public var name: String {
        switch self {
        case .hangup: "SIGHUP"
        case .interrupt: "SIGINT"
        case .terminate: "SIGTERM"
        case .userDefined1: "SIGUSR1"
        case .userDefined2: "SIGUSR2"
        }
    }
}
