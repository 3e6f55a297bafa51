import DroverCore
import Testing

@Suite struct ShutdownPlanTests {
    @Test func anInstanceExitStopsEverythingAndGivesItsCode() {
        var plan = ShutdownPlan(timeoutMilliseconds: 5000)
        let actions = plan.stop(.instanceExited(name: "web.1", .exited(code: 3)), now: 1000).textual
        #expect(actions == [.log("sending SIGTERM to all processes"), .terminateAll])
        #expect(plan.deadline == 6000)
        #expect(plan.deadlinePassed(now: 5999, stillRunning: 2).textual == [])
        #expect(plan.deadlinePassed(now: 6000, stillRunning: 0).textual == [])
        #expect(plan.phase == .killing)
        #expect(plan.exitCode == 3)
    }

    @Test func aSignalledInstanceGives128PlusTheSignal() {
        var plan = ShutdownPlan(timeoutMilliseconds: 5000)
        _ = plan.stop(.instanceExited(name: "web.1", .signaled(signal: 9, name: "SIGKILL")), now: 0).textual
        #expect(plan.exitCode == 137)
    }

    @Test func aSignalToDroverExitsZeroWhenAllStopInTime() {
        var plan = ShutdownPlan(timeoutMilliseconds: 5000)
        let actions = plan.received(.interrupt, now: 0, stillRunning: 3).textual
        #expect(
            actions == [
                .log("SIGINT received, stopping all processes"), .log("sending SIGTERM to all processes"), .terminateAll,
            ])
        #expect(plan.exitCode == 0)
    }

    @Test func losingTheOutputIsAFailureEvenWhenAllStopInTime() {
        var plan = ShutdownPlan(timeoutMilliseconds: 5000)
        let actions = plan.stop(.outputLost(why: "stdout: broken pipe"), now: 0).textual
        #expect(
            actions == [
                .log("output lost (stdout: broken pipe), stopping all processes"), .log("sending SIGTERM to all processes"),
                .terminateAll,
            ])
        #expect(plan.deadlinePassed(now: 5000, stillRunning: 0).textual == [])
        #expect(plan.exitCode == 1)
    }

    @Test func killingAfterTheTimeoutExitsOne() {
        var plan = ShutdownPlan(timeoutMilliseconds: 2000)
        _ = plan.received(.terminate, now: 100, stillRunning: 3).textual
        #expect(
            plan.deadlinePassed(now: 2100, stillRunning: 2).textual
                == [.log("sending SIGKILL to 2 processes still running after 2s"), .killAll])
        #expect(plan.exitCode == 1)
        #expect(plan.deadline == nil)
    }

    @Test func aSecondInterruptKillsAtOnce() {
        var plan = ShutdownPlan(timeoutMilliseconds: 5000)
        _ = plan.received(.interrupt, now: 0, stillRunning: 1).textual
        #expect(plan.received(.terminate, now: 99, stillRunning: 1).textual == [], "the same request, sent twice (timeout(1))")
        #expect(
            plan.received(.interrupt, now: 100, stillRunning: 1).textual
                == [.log("SIGINT received again; sending SIGKILL to 1 process still running"), .killAll])
        #expect(plan.phase == .killing)
        #expect(plan.received(.terminate, now: 200, stillRunning: 1).textual == [], "already killing")
    }

    @Test func aSecondSignalCountsWhatItKills() {
        var plan = ShutdownPlan(timeoutMilliseconds: 5000)
        _ = plan.received(.terminate, now: 0, stillRunning: 3).textual
        #expect(
            plan.received(.terminate, now: 500, stillRunning: 3).textual
                == [.log("SIGTERM received again; sending SIGKILL to 3 processes still running"), .killAll])
        var idle = ShutdownPlan(timeoutMilliseconds: 5000)
        _ = idle.received(.terminate, now: 0, stillRunning: 1)
        #expect(idle.received(.interrupt, now: 500, stillRunning: 0) == [], "nothing left to kill: no message")
    }

    /// The window's edges: 0 and 99 ms after the first are the same request, 100 ms is a
    /// second one; the window runs from the first signal, not from the last repeat.
    @Test(arguments: [StopSignal.terminate, .interrupt])
    func repeatsWithinTheWindowAreOneRequest(_ signal: StopSignal) {
        var plan = ShutdownPlan(timeoutMilliseconds: 5000)
        _ = plan.received(.terminate, now: 1000, stillRunning: 1).textual
        #expect(plan.received(signal, now: 1000, stillRunning: 1).textual == [])
        #expect(plan.received(signal, now: 1010, stillRunning: 1).textual == [], "timeout(1): drover, then its group")
        #expect(plan.received(signal, now: 1099, stillRunning: 1).textual == [])
        #expect(plan.phase == .draining(deadline: 6000))
        #expect(plan.received(signal, now: 1100, stillRunning: 1).textual.last == .killAll)
        #expect(plan.exitCode == 1)
    }

    @Test func aRepeatWithNothingLeftRunningKillsNothing() {
        var plan = ShutdownPlan(timeoutMilliseconds: 5000)
        _ = plan.received(.terminate, now: 0, stillRunning: 1).textual
        #expect(plan.received(.terminate, now: 500, stillRunning: 0).textual == [])
        #expect(plan.exitCode == 0)
    }

    @Test func hangupStartsTheDrainButDoesNotEscalate() {
        var plan = ShutdownPlan(timeoutMilliseconds: 5000)
        #expect(plan.received(.hangup, now: 0, stillRunning: 1).textual.last == .terminateAll)
        #expect(plan.received(.hangup, now: 1, stillRunning: 1).textual == [])
        #expect(plan.isStopping)
    }

    @Test func userSignalsAreForwarded() {
        var plan = ShutdownPlan(timeoutMilliseconds: 5000)
        #expect(
            plan.received(.userDefined1, now: 0, stillRunning: 1).textual
                == [.log("SIGUSR1 received, forwarding it to all processes"), .forward(.userDefined1)])
        #expect(!plan.isStopping)
    }

    @Test func onlyTheFirstReasonCounts() {
        var plan = ShutdownPlan(timeoutMilliseconds: 5000)
        _ = plan.stop(.instanceExited(name: "a.1", .exited(code: 2)), now: 0).textual
        #expect(plan.stop(.instanceExited(name: "b.1", .exited(code: 9)), now: 1).textual == [])
        #expect(plan.exitCode == 2)
    }

    @Test func fractionalTimeoutsReadNaturally() {
        var plan = ShutdownPlan(timeoutMilliseconds: 250)
        _ = plan.received(.terminate, now: 0, stillRunning: 1).textual
        #expect(
            plan.deadlinePassed(now: 250, stillRunning: 1).textual.first
                == .log("sending SIGKILL to 1 process still running after 0.25s"))
    }
}
