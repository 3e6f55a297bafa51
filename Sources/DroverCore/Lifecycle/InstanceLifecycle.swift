/// One place in the formation (`worker.2`) from start to end, across restarts.
///
/// Every decision about an instance lives here: what an exit means (restart after a
/// delay, give up, end quietly, or stop the whole formation), what a user's stop or
/// restart does, and when SIGKILL follows SIGTERM. The supervisor feeds it events
/// and the monotonic time in milliseconds, and carries out the actions it returns.
public struct InstanceLifecycle: Equatable, Sendable {
    /// Why drover itself stops an instance; such an exit is never restarted by the policy.
    public enum StopIntent: Equatable, Sendable {
        /// `drover stop NAME`: leave it stopped.
        case stop
        /// `drover restart NAME`: start it again with the same number and PORT.
        case restart
        /// Scaled down: take it out of the formation.
        case remove
        /// The whole formation stops; its own teardown sends the signals.
        case shutdown
        /// Its readiness probe did not pass in time: the ending counts as a failure.
        case notReady
        /// A successor on the same listening socket is starting: this run serves on,
        /// unsignalled, until `stop(.remove)` once the successor is ready.
        case handOver
    }

    public enum State: Equatable, Sendable {
        /// No process, and none due: not started yet, or stopped on request.
        case stopped
        /// Held back until the types it starts after are ready (`--after`).
        case waiting
        /// The supervisor owes a spawn.
        case starting
        /// `ready`: its readiness probe passed (or it has none).
        case running(pid: Int32, since: Int64, ready: Bool)
        /// SIGTERM sent (by `teardown`, or by the formation's shutdown when nil).
        case stopping(pid: Int32, since: Int64, intent: StopIntent, teardown: Teardown?)
        /// Waiting to start again: consecutive restart `attempt` happens at `until`.
        case backoff(until: Int64, attempt: Int)
        /// Ended for good, and allowed to (a can-die type).
        case exited(Termination)
        /// Ended for good after the restart limit was reached.
        case failed(Termination)
    }

    public enum Event: Equatable, Sendable {
        /// The formation starts it.
        case start
        /// A user asks for a run while the formation runs (`start NAME`, a scale-up).
        case startRequested
        /// A start (`.start` or `.startRequested`) that must wait for its dependencies.
        case wait
        /// `ready`: false while a readiness probe has yet to pass.
        case spawned(pid: Int32, ready: Bool)
        /// Its readiness probe passed.
        case becameReady
        /// posix_spawn itself failed (or the pipe before it); counts as an exit with this
        /// code (126 or 127), but one of a run a user asked for never stops the formation.
        case spawnFailed(exitCode: Int32)
        /// The leader process ended (its group may still have members).
        case exited(Termination)
        case stop(StopIntent)
        /// Time passed: a backoff or a SIGKILL may be due.
        case tick
    }

    public enum Action: Equatable, Sendable {
        case spawn
        case signal(Teardown.Step, group: Int32)
        /// Deliver a `.tick` at this time.
        case wake(at: Int64)
        case log(SystemEvent)
        /// The leader is gone; members left in its group get this teardown, and
        /// `signalNow` if nobody has signalled the group yet (a crash).
        case tearDownRemnants(group: Int32, Teardown, signalNow: Teardown.Step?)
        /// Scaled down and ended: the place can go.
        case remove
        /// Nothing may restart it and the type cannot die: the formation stops.
        case stopFormation(Termination)
        /// Ended for good without stopping anything; the formation may have ended.
        case ended
    }

    /// `web.1`, for messages.
    public let name: String
    public var settings: ProcessTypeSettings
    /// SIGTERM to SIGKILL (`-t`).
    public let graceMilliseconds: Int
    public private(set) var state: State = .stopped
    /// Every start after the first.
    public private(set) var restarts = 0
    /// Consecutive policy restarts without a healthy run.
    public private(set) var attempt = 0
    public private(set) var lastExit: Termination?
    private var hasStarted = false
    /// Whether the pending run (and its retries, until one runs) is a user's live
    /// change: its spawn failing then leaves the formation running.
    public private(set) var startedOnRequest = false

    public init(name: String, settings: ProcessTypeSettings, graceMilliseconds: Int) {
        self.name = name
        self.settings = settings
        self.graceMilliseconds = graceMilliseconds
    }

    /// The lifecycle of a run that takes over from this one (a restart on a listening
    /// socket): the same place, not started yet, with this one's restarts counted.
    public func successor() -> InstanceLifecycle {
        var next = InstanceLifecycle(name: name, settings: settings, graceMilliseconds: graceMilliseconds)
        next.restarts = restarts
        next.hasStarted = true
        return next
    }

    /// Ready, or ended with 0 (a one-shot done): nothing more to wait for.
    public var isUp: Bool {
        if case let .exited(termination) = state { return termination.shellCode == 0 }
        return isReady
    }

    /// Running, and its readiness probe passed (or it has none).
    public var isReady: Bool {
        if case .running(_, _, true) = state { return true }
        return false
    }

    /// The leader's pid while it runs or stops (also its process group id).
    public var pid: Int32? {
        switch state {
        case let .running(pid, _, _), let .stopping(pid, _, _, _): pid
        default: nil
        }
    }

    /// Whether a process of this instance is alive or about to be.
    public var isLive: Bool {
        switch state {
        case .starting, .running, .stopping, .backoff: true
        case .waiting, .stopped, .exited, .failed: false
        }
    }

    /// Ended on its own and will not run again unless asked.
    public var hasEnded: Bool {
        switch state {
        case .exited, .failed: true
        default: false
        }
    }

    public mutating func handle(_ event: Event, now: Int64) -> [Action] {
        switch event {
        case .start: return start(onRequest: false)
        case .startRequested: return start(onRequest: true)
        case .wait:
            switch state {
            case .stopped, .exited, .failed: state = .waiting
            default: break
            }
            return []
        case let .spawned(pid, ready):
            guard state == .starting else { return [] }
            state = .running(pid: pid, since: now, ready: ready)
            startedOnRequest = false
            return []
        case .becameReady:
            if case let .running(pid, since, false) = state { state = .running(pid: pid, since: since, ready: true) }
            return []
        case let .spawnFailed(code):
            guard state == .starting else { return [] }
            return ended(.exited(code: code), cause: .spawnFailed, ranSince: nil, now: now)
        case let .exited(termination): return exited(termination, now: now)
        case let .stop(intent): return stop(intent, now: now)
        case .tick: return tick(now: now)
        }
    }

    // MARK: Transitions

    private mutating func start(onRequest: Bool) -> [Action] {
        switch state {
        case .waiting, .stopped, .exited, .failed, .backoff:
            return launch(resettingCount: true, onRequest: onRequest)
        // A pending stop, or a scale-down that a scale-up took back: start again
        // once the old run is gone, so two runs never share a number and a PORT.
        case .stopping(let pid, let since, .stop, let teardown), .stopping(let pid, let since, .remove, let teardown):
            state = .stopping(pid: pid, since: since, intent: .restart, teardown: teardown)
            return []
        case .starting, .running, .stopping:
            return []
        }
    }

    /// `onRequest` nil: a policy restart, which keeps the cause of the run it retries.
    private mutating func launch(resettingCount: Bool, onRequest: Bool? = nil) -> [Action] {
        if hasStarted { restarts += 1 }
        hasStarted = true
        if resettingCount { attempt = 0 }
        if let onRequest { startedOnRequest = onRequest }
        state = .starting
        return [.spawn]
    }

    private mutating func stop(_ intent: StopIntent, now: Int64) -> [Action] {
        switch state {
        case let .running(pid, since, _):
            guard intent != .shutdown, intent != .handOver else {
                state = .stopping(pid: pid, since: since, intent: intent, teardown: nil)
                return []
            }
            let teardown = Teardown(now: now, graceMilliseconds: graceMilliseconds)
            state = .stopping(pid: pid, since: since, intent: intent, teardown: teardown)
            return [.signal(.terminate, group: pid), .wake(at: teardown.deadline ?? now)]
        case .stopping(let pid, let since, .handOver, nil) where intent == .remove || intent == .stop:
            // The successor is ready (or the place is going): now this run stops.
            let teardown = Teardown(now: now, graceMilliseconds: graceMilliseconds)
            state = .stopping(pid: pid, since: since, intent: .remove, teardown: teardown)
            return [.signal(.terminate, group: pid), .wake(at: teardown.deadline ?? now)]
        case let .stopping(pid, since, current, teardown):
            state = .stopping(pid: pid, since: since, intent: Self.merge(current, intent), teardown: teardown)
            return []
        case .waiting:
            switch intent {
            case .remove: return [.remove]
            case .stop, .shutdown:
                state = .stopped
                return []
            case .restart, .notReady, .handOver: return []
            }
        case .backoff, .stopped, .exited, .failed, .starting:
            switch intent {
            case .restart: return state == .starting ? [] : launch(resettingCount: true, onRequest: true)
            case .remove:
                if case .backoff = state { state = .stopped }
                return [.remove]
            case .stop, .shutdown:
                // A spawn still owed is not made: the supervisor asks before spawning.
                if case .backoff = state { state = .stopped }
                if state == .starting { state = .stopped }
                return []
            case .notReady, .handOver:
                return []
            }
        }
    }

    /// A later request wins, except that nothing overrides a removal or the shutdown.
    private static func merge(_ current: StopIntent, _ new: StopIntent) -> StopIntent {
        switch current {
        case .remove, .shutdown: current
        case .handOver: new == .shutdown || new == .remove ? new : current
        case .stop, .restart, .notReady: new == .notReady || new == .handOver ? current : new
        }
    }

    private mutating func tick(now: Int64) -> [Action] {
        switch state {
        case let .backoff(until, _):
            guard now >= until else { return [] }
            return launch(resettingCount: false)
        case .stopping(let pid, let since, let intent, var teardown?):
            guard teardown.tick(now: now) != nil else { return [] }
            state = .stopping(pid: pid, since: since, intent: intent, teardown: teardown)
            return [.log(.killing(name, pid: pid, graceMilliseconds: graceMilliseconds)), .signal(.kill, group: pid)]
        default:
            return []
        }
    }

    private mutating func exited(_ termination: Termination, now: Int64) -> [Action] {
        switch state {
        case let .running(pid, since, _):
            // The group is seen to first, so whatever the ending decides finds it in hand.
            let remnants = Action.tearDownRemnants(
                group: pid, Teardown(now: now, graceMilliseconds: graceMilliseconds), signalNow: .terminate)
            return [remnants] + ended(termination, cause: .exited, ranSince: since, now: now)
        case let .stopping(pid, _, intent, teardown):
            lastExit = termination
            // The group already had its SIGTERM (from this stop or the formation's):
            // a second one would make many programs skip their graceful drain. A run
            // handing over had none yet.
            let remnants = Action.tearDownRemnants(
                group: pid, teardown ?? Teardown(now: now, graceMilliseconds: graceMilliseconds),
                signalNow: intent == .handOver ? .terminate : nil)
            let report = Action.log(.exited(name, termination))
            switch intent {
            case .restart:
                return [report, remnants] + launch(resettingCount: true, onRequest: true)
            case .remove, .handOver:
                state = .stopped
                return [report, remnants, .remove]
            case .notReady:
                // Counted as the failure it stands for, whatever signal ended it.
                return [report, remnants] + ended(.exited(code: 1), cause: .notReady, ranSince: nil, now: now)
            case .stop, .shutdown:
                state = .stopped
                return [report, remnants]
            }
        default:
            return []
        }
    }

    private enum Ending {
        case exited, spawnFailed, notReady
    }

    /// An ending nobody asked for: restart after a delay, end quietly, or stop everything.
    private mutating func ended(_ termination: Termination, cause: Ending, ranSince: Int64?, now: Int64) -> [Action] {
        lastExit = termination
        if let ranSince, now - ranSince >= Int64(settings.backoff.healthyAfterMilliseconds) { attempt = 0 }
        let spawnFailed = cause == .spawnFailed
        let what: EndingCause =
            switch cause {
            case .exited: .exited(termination)
            case .spawnFailed: .spawnFailed
            case .notReady: .notReady
            }
        var gaveUp = false
        if settings.restart.restarts(after: termination) {
            let next = attempt + 1
            if settings.backoff.allows(attempt: next) {
                attempt = next
                let delay = settings.backoff.delay(forAttempt: next)
                let until = now + Int64(delay)
                state = .backoff(until: until, attempt: next)
                return [
                    .log(.restarting(name, what, delayMilliseconds: delay, restart: next)),
                    .wake(at: until),
                ]
            }
            gaveUp = true
        }
        state = gaveUp ? .failed(termination) : .exited(termination)
        var actions: [Action] = []
        if gaveUp {
            actions.append(.log(.gaveUp(name, what, restarts: attempt)))
        } else if cause != .spawnFailed {
            // A failed spawn was reported with its reason already.
            actions.append(.log(.ended(name, what)))
        }
        // A user's live change that could not start: the rest keeps running (the reason
        // was logged and goes in the reply), and the place waits, failed, for the user.
        if spawnFailed && startedOnRequest {
            state = .failed(termination)
            return actions
        }
        actions.append(settings.canDie ? .ended : .stopFormation(termination))
        return actions
    }
}
