/// When and how the whole formation stops: every group gets the `Teardown` rule
/// together, with one deadline, and drover's exit code follows from why it stopped.
/// With `--after` the stop goes in stages, dependents first (`StartOrder.stopStages`):
/// each stage gets SIGTERM and its own grace, and the next starts once it is gone.
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
        /// An instance ended in a way that stops everything (no restart, cannot die).
        case instanceExited(name: String, Termination)
        case signal(StopSignal)
        /// drover's stdout can no longer be written (its reader went away, the disk is
        /// full...): `why` says what the write met. The formation's output has nowhere to go.
        case outputLost(why: String)
        /// A client asked for it (`drover stop`, `drover quit`).
        case requested
        /// Every instance ended on its own and none will restart (only can-die types).
        case formationEnded(exitCode: Int32)
    }

    public enum Action: Equatable, Sendable {
        case log(SystemEvent)
        /// SIGTERM to the last stage (the only one without `--after`) and to anything
        /// else still alive.
        case terminateAll
        case killAll
        /// SIGTERM, then SIGKILL, to an earlier stage's groups only.
        case terminateStage(Int)
        case killStage(Int)
        case forward(StopSignal)
    }

    /// A second SIGINT or SIGTERM this soon after the first is the same request:
    /// `timeout(1)` and some service managers send it to drover and to its group.
    public static let repeatWindowMilliseconds: Int64 = 100

    private var teardown: Teardown?
    private var stoppedAt: Int64 = 0
    public private(set) var reason: Reason?
    /// Whether SIGKILL had to be sent to something still running.
    public private(set) var killedSomething = false
    public let timeoutMilliseconds: Int
    public let stages: Int
    /// The stage being stopped; the last one is stopped with everything else.
    public private(set) var stage = 0

    public init(timeoutMilliseconds: Int, stages: Int = 1) {
        self.timeoutMilliseconds = timeoutMilliseconds
        self.stages = max(1, stages)
    }

    /// Whether the stop has reached its last stage, where strays are signalled too.
    public var isFinalStage: Bool { stage == stages - 1 }

    /// The current stage's SIGTERM: the whole formation's once it is the last.
    private var terminateStage: Action { isFinalStage ? .terminateAll : .terminateStage(stage) }

    public var phase: Phase {
        guard let teardown else { return .running }
        return teardown.deadline.map(Phase.draining) ?? .killing
    }

    public var deadline: Int64? { teardown?.deadline }

    public var isStopping: Bool { teardown != nil }

    /// Starts the drain, unless one is under way already.
    public mutating func stop(_ reason: Reason, now: Int64) -> [Action] {
        guard teardown == nil else { return [] }
        self.reason = reason
        stoppedAt = now
        teardown = Teardown(now: now, graceMilliseconds: timeoutMilliseconds)
        let sending = Action.log(.terminating(dependentsFirst: stages > 1))
        switch reason {
        case .signal, .outputLost, .requested:
            return [.log(.stopping(reason)), sending, terminateStage]
        case .instanceExited:
            return [sending, terminateStage]
        case .formationEnded:
            // Nothing of the formation runs; SIGTERM reaches what its processes left behind.
            stage = stages - 1
            return [.log(.everythingEnded), .terminateAll]
        }
    }

    /// Every group of the current stage is gone: the next stage gets its SIGTERM and a
    /// grace of its own.
    public mutating func stageEnded(now: Int64) -> [Action] {
        guard teardown != nil, !isFinalStage else { return [] }
        stage += 1
        teardown = Teardown(now: now, graceMilliseconds: timeoutMilliseconds)
        return [terminateStage]
    }

    /// SIGINT, SIGTERM, SIGHUP stop the formation; a second SIGINT or SIGTERM kills at
    /// once; SIGUSR1 and SIGUSR2 are passed on to every process group.
    public mutating func received(_ signal: StopSignal, now: Int64, stillRunning: Int) -> [Action] {
        switch signal {
        case .userDefined1, .userDefined2:
            return [.log(.forwarding(signal)), .forward(signal)]
        case .interrupt, .terminate, .hangup:
            guard var teardown else { return stop(.signal(signal), now: now) }
            guard signal != .hangup, now - stoppedAt >= Self.repeatWindowMilliseconds, teardown.hurry() != nil else {
                return []
            }
            self.teardown = teardown
            stage = stages - 1
            return kill(stillRunning: stillRunning, again: signal, after: nil, all: true)
        }
    }

    /// Called when the clock passes `deadline`.
    public mutating func deadlinePassed(now: Int64, stillRunning: Int) -> [Action] {
        guard var teardown, teardown.tick(now: now) != nil else { return [] }
        self.teardown = teardown
        return kill(stillRunning: stillRunning, again: nil, after: timeoutMilliseconds, all: isFinalStage)
    }

    /// "SIGINT received again; sending SIGKILL to 1 process still running", or
    /// "sending SIGKILL to 3 processes still running after 5s".
    /// `stillRunning`: in the current stage, or everywhere when `all`.
    private mutating func kill(stillRunning: Int, again signal: StopSignal?, after: Int?, all: Bool) -> [Action] {
        guard stillRunning > 0 else { return [] }
        killedSomething = true
        return [.log(.killingAll(stillRunning, again: signal, afterMilliseconds: after)), all ? .killAll : .killStage(stage)]
    }

    /// The instance's code (128+N for signal N) if its exit started the stop; the
    /// formation's when it ended on its own; 1 when drover lost its output (a failure,
    /// even if everything stopped in time); else 0 when everything stopped in time and
    /// 1 when something had to be killed.
    public var exitCode: Int32 {
        switch reason {
        case let .instanceExited(_, termination)?: return termination.shellCode
        case let .formationEnded(code)?: return code
        case .outputLost?: return 1
        case .signal?, .requested?, nil: return killedSomething ? 1 : 0
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

extension ShutdownPlan.Reason: CustomStringConvertible {
    /// Why the formation stopped, for a line such as the daemon's refusal.
    public var description: String {
        switch self {
        case let .instanceExited(name, termination): "\(name) \(termination)"
        case let .signal(signal): "\(signal.name) received"
        case let .outputLost(why): "output lost (\(why))"
        case .requested: "stop requested"
        case .formationEnded: "every process has ended"
        }
    }
}
