import DroverCore
import Testing

/// Every transition of an instance's lifecycle, as tables: events in, actions out.
@Suite struct InstanceLifecycleTests {
    typealias Event = InstanceLifecycle.Event
    typealias Action = InstanceLifecycle.Action

    static let crash = Termination.exited(code: 3)
    static let clean = Termination.exited(code: 0)
    static let terminated = Termination.signaled(signal: 15, name: "SIGTERM")

    static func lifecycle(
        _ restart: RestartPolicy = .no, canDie: Bool = false, limit: Int = 10
    ) -> InstanceLifecycle {
        InstanceLifecycle(
            name: "worker.1",
            settings: ProcessTypeSettings(restart: restart, canDie: canDie, backoff: Backoff(limit: limit)),
            graceMilliseconds: 5000)
    }

    /// Runs `steps` (event at a time) and returns the last step's actions.
    static func run(_ lifecycle: inout InstanceLifecycle, _ steps: [(Event, Int64)]) -> [Action] {
        var actions: [Action] = []
        for (event, now) in steps { actions = lifecycle.handle(event, now: now).textual }
        return actions
    }

    /// Started at 0 as pid 100.
    static let running: [(Event, Int64)] = [(.start, 0), (.spawned(pid: 100, ready: true), 0)]

    struct Case: CustomTestStringConvertible, Sendable {
        var name: String
        var restart: RestartPolicy = .no
        var canDie = false
        var limit = 10
        var steps: [(Event, Int64)]
        var actions: [Action]
        var state: InstanceLifecycle.State
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "first start spawns", steps: [(.start, 0)], actions: [.spawn], state: .starting),
        Case(name: "spawned runs", steps: running, actions: [], state: .running(pid: 100, since: 0, ready: true)),
        // (d) no policy, cannot die: the formation stops with the instance's code.
        Case(
            name: "an exit without a policy stops the formation", steps: running + [(.exited(crash), 500)],
            actions: [
                .tearDownRemnants(group: 100, Teardown(now: 500, graceMilliseconds: 5000), signalNow: .terminate),
                .log("worker.1 exited with code 3"), .stopFormation(crash),
            ],
            state: .exited(crash)),
        // (b) the policy matches: backoff with the first delay.
        Case(
            name: "on-failure restarts a crash after the first delay", restart: .onFailure,
            steps: running + [(.exited(crash), 500)],
            actions: [
                .tearDownRemnants(group: 100, Teardown(now: 500, graceMilliseconds: 5000), signalNow: .terminate),
                .log("worker.1 exited with code 3; restarting in 0.1s (restart 1)"), .wake(at: 600),
            ],
            state: .backoff(until: 600, attempt: 1)),
        Case(
            name: "on-failure restarts a death by signal", restart: .onFailure,
            steps: running + [(.exited(terminated), 500)],
            actions: [
                .tearDownRemnants(group: 100, Teardown(now: 500, graceMilliseconds: 5000), signalNow: .terminate),
                .log("worker.1 terminated by SIGTERM; restarting in 0.1s (restart 1)"), .wake(at: 600),
            ],
            state: .backoff(until: 600, attempt: 1)),
        // exit 0 under on-failure is done: with no can-die the formation stops with 0.
        Case(
            name: "exit 0 under on-failure is done", restart: .onFailure, steps: running + [(.exited(clean), 500)],
            actions: [
                .tearDownRemnants(group: 100, Teardown(now: 500, graceMilliseconds: 5000), signalNow: .terminate),
                .log("worker.1 exited with code 0"), .stopFormation(clean),
            ],
            state: .exited(clean)),
        // (c) can die: ends quietly.
        Case(
            name: "a can-die type ends without stopping anything", canDie: true, steps: running + [(.exited(clean), 500)],
            actions: [
                .tearDownRemnants(group: 100, Teardown(now: 500, graceMilliseconds: 5000), signalNow: .terminate),
                .log("worker.1 exited with code 0"), .ended,
            ],
            state: .exited(clean)),
        Case(
            name: "always restarts exit 0 too", restart: .always, steps: running + [(.exited(clean), 500)],
            actions: [
                .tearDownRemnants(group: 100, Teardown(now: 500, graceMilliseconds: 5000), signalNow: .terminate),
                .log("worker.1 exited with code 0; restarting in 0.1s (restart 1)"), .wake(at: 600),
            ],
            state: .backoff(until: 600, attempt: 1)),
        Case(
            name: "the backoff ends in a spawn", restart: .always,
            steps: running + [(.exited(crash), 500), (.tick, 599)], actions: [], state: .backoff(until: 600, attempt: 1)),
        Case(
            name: "the backoff spawns when due", restart: .always,
            steps: running + [(.exited(crash), 500), (.tick, 600)], actions: [.spawn], state: .starting),
        // The delay doubles per restart in a row.
        Case(
            name: "the third restart in a row waits 0.4s", restart: .always,
            steps: running + [
                (.exited(crash), 100), (.tick, 200), (.spawned(pid: 101, ready: true), 200), (.exited(crash), 300),
                (.tick, 500), (.spawned(pid: 102, ready: true), 500), (.exited(crash), 600),
            ],
            actions: [
                .tearDownRemnants(group: 102, Teardown(now: 600, graceMilliseconds: 5000), signalNow: .terminate),
                .log("worker.1 exited with code 3; restarting in 0.4s (restart 3)"), .wake(at: 1000),
            ],
            state: .backoff(until: 1000, attempt: 3)),
        // A run of 10 s is healthy: the count starts again.
        Case(
            name: "a healthy run resets the delay", restart: .always,
            steps: running + [(.exited(crash), 100), (.tick, 200), (.spawned(pid: 101, ready: true), 200), (.exited(crash), 10_200)],
            actions: [
                .tearDownRemnants(group: 101, Teardown(now: 10_200, graceMilliseconds: 5000), signalNow: .terminate),
                .log("worker.1 exited with code 3; restarting in 0.1s (restart 1)"), .wake(at: 10_300),
            ],
            state: .backoff(until: 10_300, attempt: 1)),
        // The limit gives up: failed, and the formation stops (the type cannot die).
        Case(
            name: "the limit gives up", restart: .always, limit: 1,
            steps: running + [(.exited(crash), 100), (.tick, 200), (.spawned(pid: 101, ready: true), 200), (.exited(crash), 300)],
            actions: [
                .tearDownRemnants(group: 101, Teardown(now: 300, graceMilliseconds: 5000), signalNow: .terminate),
                .log("worker.1 exited with code 3; giving up after 1 restart"), .stopFormation(crash),
            ],
            state: .failed(crash)),
        Case(
            name: "a can-die type that gives up just fails", restart: .onFailure, canDie: true, limit: 1,
            steps: running + [(.exited(crash), 100), (.tick, 200), (.spawned(pid: 101, ready: true), 200), (.exited(crash), 300)],
            actions: [
                .tearDownRemnants(group: 101, Teardown(now: 300, graceMilliseconds: 5000), signalNow: .terminate),
                .log("worker.1 exited with code 3; giving up after 1 restart"), .ended,
            ],
            state: .failed(crash)),
        // (a) stops drover asked for are never restarted by the policy.
        Case(
            name: "stop sends SIGTERM and sets the deadline", restart: .always, steps: running + [(.stop(.stop), 1000)],
            actions: [.signal(.terminate, group: 100), .wake(at: 6000)],
            state: .stopping(pid: 100, since: 0, intent: .stop, teardown: Teardown(now: 1000, graceMilliseconds: 5000))),
        Case(
            name: "a manual stop never restarts", restart: .always,
            steps: running + [(.stop(.stop), 1000), (.exited(terminated), 1200)],
            actions: [
                .log("worker.1 terminated by SIGTERM"),
                .tearDownRemnants(group: 100, Teardown(now: 1000, graceMilliseconds: 5000), signalNow: nil),
            ],
            state: .stopped),
        Case(
            name: "SIGKILL follows at the deadline", steps: running + [(.stop(.stop), 1000), (.tick, 6000)],
            actions: [.log("sending SIGKILL to worker.1, still running after 5s"), .signal(.kill, group: 100)],
            state: .stopping(
                pid: 100, since: 0, intent: .stop,
                teardown: {
                    var teardown = Teardown(now: 1000, graceMilliseconds: 5000)
                    _ = teardown.hurry()
                    return teardown
                }())),
        Case(
            name: "restart starts again once the old run exits", restart: .no,
            steps: running + [(.stop(.restart), 1000), (.exited(terminated), 1100)],
            actions: [
                .log("worker.1 terminated by SIGTERM"),
                .tearDownRemnants(group: 100, Teardown(now: 1000, graceMilliseconds: 5000), signalNow: nil), .spawn,
            ],
            state: .starting),
        Case(
            name: "restart during a backoff starts at once", restart: .always,
            steps: running + [(.exited(crash), 100), (.stop(.restart), 150)], actions: [.spawn], state: .starting),
        Case(
            name: "stop during a backoff cancels it", restart: .always,
            steps: running + [(.exited(crash), 100), (.stop(.stop), 150)], actions: [], state: .stopped),
        Case(
            name: "a stale backoff tick after a stop does nothing", restart: .always,
            steps: running + [(.exited(crash), 100), (.stop(.stop), 150), (.tick, 200)], actions: [], state: .stopped),
        Case(
            name: "scale-down of a running instance stops it", steps: running + [(.stop(.remove), 10)],
            actions: [.signal(.terminate, group: 100), .wake(at: 5010)],
            state: .stopping(pid: 100, since: 0, intent: .remove, teardown: Teardown(now: 10, graceMilliseconds: 5000))),
        Case(
            name: "scale-down ends in removal", restart: .always, steps: running + [(.stop(.remove), 10), (.exited(terminated), 20)],
            actions: [
                .log("worker.1 terminated by SIGTERM"),
                .tearDownRemnants(group: 100, Teardown(now: 10, graceMilliseconds: 5000), signalNow: nil), .remove,
            ],
            state: .stopped),
        Case(
            name: "scale-down of a stopped instance removes it at once", steps: [(.stop(.remove), 0)], actions: [.remove],
            state: .stopped),
        Case(
            name: "a removal is not overridden by a restart", steps: running + [(.stop(.remove), 10), (.stop(.restart), 20)],
            actions: [], state: .stopping(pid: 100, since: 0, intent: .remove, teardown: Teardown(now: 10, graceMilliseconds: 5000))),
        Case(
            name: "a scale-up that takes back a place being removed restarts it", steps: running + [(.stop(.remove), 10), (.start, 20)],
            actions: [], state: .stopping(pid: 100, since: 0, intent: .restart, teardown: Teardown(now: 10, graceMilliseconds: 5000))),
        Case(
            name: "start while stopping turns the stop into a restart", steps: running + [(.stop(.stop), 10), (.start, 20)],
            actions: [], state: .stopping(pid: 100, since: 0, intent: .restart, teardown: Teardown(now: 10, graceMilliseconds: 5000))),
        // The formation's shutdown: its own teardown signals; exits are final.
        Case(
            name: "shutdown leaves the signalling to the formation", restart: .always, steps: running + [(.stop(.shutdown), 10)],
            actions: [], state: .stopping(pid: 100, since: 0, intent: .shutdown, teardown: nil)),
        Case(
            name: "an exit during shutdown is final", restart: .always,
            steps: running + [(.stop(.shutdown), 10), (.exited(terminated), 20)],
            actions: [
                .log("worker.1 terminated by SIGTERM"),
                .tearDownRemnants(group: 100, Teardown(now: 20, graceMilliseconds: 5000), signalNow: nil),
            ],
            state: .stopped),
        Case(
            name: "shutdown during a backoff cancels it", restart: .always,
            steps: running + [(.exited(crash), 100), (.stop(.shutdown), 150)], actions: [], state: .stopped),
        // A spawn that fails counts as an exit with its code.
        Case(
            name: "a failed spawn at the formation's start stops the formation", steps: [(.start, 0), (.spawnFailed(exitCode: 127), 0)],
            actions: [.stopFormation(.exited(code: 127))], state: .exited(.exited(code: 127))),
        Case(
            name: "a failed spawn is retried under a policy", restart: .onFailure,
            steps: [(.start, 0), (.spawnFailed(exitCode: 126), 0)],
            actions: [.log("worker.1 could not start; restarting in 0.1s (restart 1)"), .wake(at: 100)],
            state: .backoff(until: 100, attempt: 1)),
        // A user's live change that cannot spawn never stops the formation: the place fails.
        Case(
            name: "a failed spawn on request leaves the formation running",
            steps: [(.startRequested, 0), (.spawnFailed(exitCode: 126), 0)],
            actions: [], state: .failed(.exited(code: 126))),
        Case(
            name: "a failed spawn on request is retried under a policy", restart: .onFailure,
            steps: [(.startRequested, 0), (.spawnFailed(exitCode: 126), 0)],
            actions: [.log("worker.1 could not start; restarting in 0.1s (restart 1)"), .wake(at: 100)],
            state: .backoff(until: 100, attempt: 1)),
        Case(
            name: "retries of a request that cannot spawn give up without stopping the formation", restart: .onFailure,
            limit: 1,
            steps: [(.startRequested, 0), (.spawnFailed(exitCode: 126), 0), (.tick, 100), (.spawnFailed(exitCode: 126), 100)],
            actions: [.log("worker.1 could not start; giving up after 1 restart")], state: .failed(.exited(code: 126))),
        Case(
            name: "a user's restart that cannot spawn leaves the formation running",
            steps: running + [(.stop(.restart), 10), (.exited(terminated), 20), (.spawnFailed(exitCode: 127), 20)],
            actions: [], state: .failed(.exited(code: 127))),
        Case(
            name: "restarting a stopped instance that cannot spawn leaves the formation running",
            steps: running + [
                (.stop(.stop), 10), (.exited(terminated), 20), (.stop(.restart), 30),
                (.spawnFailed(exitCode: 126), 30),
            ],
            actions: [], state: .failed(.exited(code: 126))),
        Case(
            name: "a policy restart that cannot spawn gives up as an exit would", restart: .onFailure, limit: 1,
            steps: running + [(.exited(crash), 100), (.tick, 200), (.spawnFailed(exitCode: 126), 200)],
            actions: [.log("worker.1 could not start; giving up after 1 restart"), .stopFormation(.exited(code: 126))],
            state: .failed(.exited(code: 126))),
        Case(
            name: "a run started on request that ran is an ordinary run",
            steps: [(.startRequested, 0), (.spawned(pid: 100, ready: true), 0), (.exited(crash), 500)],
            actions: [
                .tearDownRemnants(group: 100, Teardown(now: 500, graceMilliseconds: 5000), signalNow: .terminate),
                .log("worker.1 exited with code 3"), .stopFormation(crash),
            ],
            state: .exited(crash)),
        Case(
            name: "a spawn still owed when the formation stops is dropped",
            steps: [(.start, 0), (.stop(.shutdown), 0)], actions: [], state: .stopped),
        Case(
            name: "an ended instance starts again on request", canDie: true,
            steps: running + [(.exited(clean), 100), (.start, 200)], actions: [.spawn], state: .starting),
        Case(
            name: "an exit of nothing running is ignored", steps: [(.exited(crash), 0)], actions: [], state: .stopped),
    ]

    @Test(arguments: cases)
    func transition(_ testCase: Case) {
        var lifecycle = Self.lifecycle(testCase.restart, canDie: testCase.canDie, limit: testCase.limit)
        let actions = Self.run(&lifecycle, testCase.steps).textual
        #expect(actions.textual == testCase.actions)
        #expect(lifecycle.state == testCase.state)
    }

    @Test func restartsCountEveryStartAfterTheFirst() {
        var lifecycle = Self.lifecycle(.always)
        _ = Self.run(&lifecycle, Self.running + [(.exited(Self.crash), 100), (.tick, 200), (.spawned(pid: 101, ready: true), 200)]).textual
        #expect(lifecycle.restarts == 1 && lifecycle.attempt == 1)
        _ = Self.run(&lifecycle, [(.stop(.restart), 300), (.exited(Self.terminated), 310), (.spawned(pid: 102, ready: true), 310)]).textual
        #expect(lifecycle.restarts == 2)
        #expect(lifecycle.attempt == 0, "a user's restart resets the count")
        #expect(lifecycle.lastExit == Self.terminated)
        #expect(lifecycle.pid == 102 && lifecycle.isLive && !lifecycle.hasEnded)
    }

    @Test func aLimitOfZeroNeverGivesUp() {
        var lifecycle = Self.lifecycle(.always, limit: 0)
        var now: Int64 = 0
        _ = Self.run(&lifecycle, Self.running).textual
        for pid in Int32(101)...Int32(150) {
            now += 10
            _ = lifecycle.handle(.exited(Self.crash), now: now).textual
            guard case let .backoff(until, _) = lifecycle.state else {
                Issue.record("gave up at \(pid): \(lifecycle.state)")
                return
            }
            now = until
            #expect(lifecycle.handle(.tick, now: now).textual == [.spawn])
            _ = lifecycle.handle(.spawned(pid: pid, ready: true), now: now).textual
        }
        #expect(lifecycle.attempt == 50)
    }
}

@Suite struct FormationEndingTests {
    static func ended(_ termination: Termination) -> InstanceLifecycle {
        var lifecycle = InstanceLifecycle(name: "x.1", settings: ProcessTypeSettings(canDie: true), graceMilliseconds: 1000)
        _ = lifecycle.handle(.start, now: 0).textual
        _ = lifecycle.handle(.spawned(pid: 10, ready: true), now: 0).textual
        _ = lifecycle.handle(.exited(termination), now: 1).textual
        return lifecycle
    }

    static var running: InstanceLifecycle {
        var lifecycle = InstanceLifecycle(name: "y.1", settings: ProcessTypeSettings(), graceMilliseconds: 1000)
        _ = lifecycle.handle(.start, now: 0).textual
        _ = lifecycle.handle(.spawned(pid: 11, ready: true), now: 0).textual
        return lifecycle
    }

    @Test func overOnlyWhenEveryInstanceEndedOnItsOwn() {
        var ending = FormationEnding()
        let clean = Self.ended(.exited(code: 0))
        #expect(ending.exitCode([clean, Self.running]) == nil)
        #expect(ending.exitCode([InstanceLifecycle]()) == nil, "scaled to nothing: waits for a scale-up")
        let stopped = InstanceLifecycle(name: "z.1", settings: ProcessTypeSettings(), graceMilliseconds: 1000)
        #expect(ending.exitCode([clean, stopped]) == nil, "a stopped instance waits for a user")
        ending.record(clean.lastExit)
        #expect(ending.exitCode([clean]) == 0)
    }

    @Test func theFirstFailureIsTheCode() {
        var ending = FormationEnding()
        let five = Self.ended(.exited(code: 5))
        let killed = Self.ended(.signaled(signal: 9, name: "SIGKILL"))
        ending.record(Self.ended(.exited(code: 0)).lastExit)
        ending.record(five.lastExit)
        ending.record(killed.lastExit)
        #expect(ending.exitCode([five, killed]) == 5)
    }
}
