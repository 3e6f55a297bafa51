import DroverCore
import Testing

@Suite struct TeardownTests {
    @Test func killsOnceAtTheDeadline() {
        var teardown = Teardown(now: 1000, graceMilliseconds: 5000)
        #expect(teardown.deadline == 6000)
        #expect(teardown.tick(now: 5999) == nil)
        #expect(teardown.tick(now: 6000) == .kill)
        #expect(teardown.isKilled && teardown.deadline == nil)
        #expect(teardown.tick(now: 9000) == nil, "nothing after SIGKILL")
        #expect(teardown.hurry() == nil)
    }

    @Test func hurryingKillsAtOnce() {
        var teardown = Teardown(now: 0, graceMilliseconds: 60_000)
        #expect(teardown.hurry() == .kill)
        #expect(teardown.tick(now: 60_000) == nil)
    }

    @Test func aZeroGraceIsDueImmediately() {
        var teardown = Teardown(now: 10, graceMilliseconds: 0)
        #expect(teardown.tick(now: 10) == .kill)
    }
}

@Suite struct BackoffTests {
    @Test func doublesUpToTheCeiling() {
        let backoff = Backoff(firstDelayMilliseconds: 100, maximumDelayMilliseconds: 1000)
        #expect((1...6).map(backoff.delay(forAttempt:)) == [100, 200, 400, 800, 1000, 1000])
        #expect(Backoff().delay(forAttempt: 1) == 100)
        #expect(Backoff().delay(forAttempt: 40) == 30_000, "no overflow on long runs")
        #expect(Backoff(firstDelayMilliseconds: 5000, maximumDelayMilliseconds: 2000).delay(forAttempt: 1) == 2000)
        #expect(Backoff(firstDelayMilliseconds: 0).delay(forAttempt: 5) == 0)
    }

    @Test func theLimitCountsRestartsInARow() {
        let limited = Backoff(limit: 3)
        #expect([1, 2, 3, 4].map(limited.allows(attempt:)) == [true, true, true, false])
        #expect(Backoff(limit: 0).allows(attempt: 1_000_000), "0 means no limit")
    }

    @Test(arguments: [
        (RestartPolicy.no, Termination.exited(code: 0), false), (.no, .exited(code: 1), false),
        (.onFailure, .exited(code: 0), false), (.onFailure, .exited(code: 2), true),
        (.onFailure, .signaled(signal: 9, name: "SIGKILL"), true),
        (.always, .exited(code: 0), true), (.always, .signaled(signal: 15, name: "SIGTERM"), true),
    ])
    func policies(_ policy: RestartPolicy, _ termination: Termination, _ restarts: Bool) {
        #expect(policy.restarts(after: termination) == restarts)
    }
}

@Suite struct DeadlineQueueTests {
    @Test func popsInTimeOrderOnlyWhenDue() {
        var queue = DeadlineQueue<String>()
        #expect(queue.timeout(now: 0) == nil)
        for (name, time) in [("e", 50), ("a", 10), ("d", 40), ("b", 20), ("c", 30), ("a2", 10)] {
            queue.schedule(name, at: Int64(time))
        }
        #expect(queue.next == 10)
        #expect(queue.timeout(now: 4) == 6)
        #expect(queue.timeout(now: 99) == 0, "overdue: wake at once")
        #expect(queue.popDue(now: 9) == nil)
        var popped: [String] = []
        while let entry = queue.popDue(now: 35) { popped.append(entry.owner) }
        #expect(popped.sorted() == ["a", "a2", "b", "c"])
        #expect(queue.count == 2)
        #expect(queue.popDue(now: 100)?.owner == "d")
        #expect(queue.popDue(now: 100)?.owner == "e")
        #expect(queue.isEmpty)
    }

    @Test func staysOrderedUnderManyRandomTimes() {
        var queue = DeadlineQueue<Int>()
        var generator = SystemRandomNumberGenerator()
        let times = (0..<2000).map { _ in Int64.random(in: 0..<10_000, using: &generator) }
        for (index, time) in times.enumerated() { queue.schedule(index, at: time) }
        var previous = Int64.min
        var count = 0
        while let entry = queue.popDue(now: .max) {
            #expect(entry.time >= previous)
            #expect(times[entry.owner] == entry.time)
            previous = entry.time
            count += 1
        }
        #expect(count == 2000)
    }
}
