import Testing

@testable import DroverCore

/// `--ready TYPE=PROBE`: what each probe form parses to, and what it refuses.
@Suite struct ReadinessProbeTests {
    static func endpoint(_ a: UInt8, _ b: UInt8, _ c: UInt8, _ d: UInt8, port: Int) -> IPv4Endpoint {
        IPv4Endpoint(host: IPv4Address(octets: (a, b, c, d)), port: port)
    }

    @Test(arguments: [
        ("tcp", ReadinessProbe.tcp(nil)),
        ("tcp:5432", .tcp(endpoint(127, 0, 0, 1, port: 5432))),
        ("tcp:10.0.0.7:6379", .tcp(endpoint(10, 0, 0, 7, port: 6379))),
        // Only the one name that needs no lookup.
        ("tcp:localhost:80", .tcp(endpoint(127, 0, 0, 1, port: 80))),
        ("tcp:1", .tcp(endpoint(127, 0, 0, 1, port: 1))),
        ("tcp:65535", .tcp(endpoint(127, 0, 0, 1, port: 65_535))),
        ("http:/health", .http(path: "/health")),
        ("http:/", .http(path: "/")),
        ("http:/status?full=1", .http(path: "/status?full=1")),
        ("log:listening on", .log("listening on")),
        // Only the first colon splits: the rest is the probe's own.
        ("log:ready: yes", .log("ready: yes")),
        ("exec:pg_isready -h localhost", .exec("pg_isready -h localhost")),
    ])
    func parses(_ text: String, _ probe: ReadinessProbe) throws {
        #expect(try ReadinessProbe.parse(text) == probe)
    }

    @Test(arguments: [
        ("tcp:0", #""tcp:0": a tcp probe takes PORT or HOST:PORT, with a port from 1 to 65535"#),
        ("tcp:70000", #""tcp:70000": a tcp probe takes PORT or HOST:PORT, with a port from 1 to 65535"#),
        ("tcp:", #""tcp:": a tcp probe takes PORT or HOST:PORT, with a port from 1 to 65535"#),
        ("tcp:127.0.0.1:0", #""tcp:127.0.0.1:0": a tcp probe takes PORT or HOST:PORT, with a port from 1 to 65535"#),
        // drover's loop never blocks on DNS.
        ("tcp:db:5432", #""db" is not an IPv4 address such as 127.0.0.1 (names are not looked up)"#),
        ("tcp:256.0.0.1:80", #""256.0.0.1" is not an IPv4 address such as 127.0.0.1 (names are not looked up)"#),
        ("http:health", #""http:health": an http probe takes a path such as http:/health"#),
        ("http:", #""http:": an http probe takes a path such as http:/health"#),
        ("http:/a b", #""http:/a b": an http probe takes a path such as http:/health"#),
        ("log:", #""log:": a log probe needs the text to wait for"#),
        ("exec:", #""exec:": an exec probe needs a command"#),
        ("exec:   ", #""exec:   ": an exec probe needs a command"#),
        ("ping:x", #"unknown readiness probe "ping:x" (probes: tcp, tcp:PORT, tcp:HOST:PORT, http:PATH, log:TEXT, exec:COMMAND)"#),
        ("TCP", #"unknown readiness probe "TCP" (probes: tcp, tcp:PORT, tcp:HOST:PORT, http:PATH, log:TEXT, exec:COMMAND)"#),
        ("", #"unknown readiness probe "" (probes: tcp, tcp:PORT, tcp:HOST:PORT, http:PATH, log:TEXT, exec:COMMAND)"#),
    ])
    func rejects(_ text: String, _ reason: String) {
        #expect(throws: InvalidValue(reason)) { try ReadinessProbe.parse(text) }
    }

    /// What the ready line and the timeout message say was checked.
    @Test(arguments: [
        (ReadinessProbe.tcp(nil), "tcp 127.0.0.1:5000"),
        (.tcp(endpoint(10, 0, 0, 7, port: 6379)), "tcp 10.0.0.7:6379"),
        (.http(path: "/health"), "http 127.0.0.1:5000/health"),
        (.log("listening"), #"log "listening""#),
        (.exec("pg_isready"), "exec pg_isready"),
    ])
    func describesWhatItChecks(_ probe: ReadinessProbe, _ description: String) {
        #expect(probe.description(port: 5000) == description)
    }

    /// A probe of the instance's own `$PORT` cannot tell the old run from the new one
    /// behind drover's listening socket.
    @Test(arguments: [
        (ReadinessProbe.tcp(nil), true),
        (.http(path: "/"), true),
        (.tcp(endpoint(127, 0, 0, 1, port: 5432)), false),
        (.log("up"), false),
        (.exec("true"), false),
    ])
    func usesOwnPort(_ probe: ReadinessProbe, _ uses: Bool) {
        #expect(probe.usesOwnPort == uses)
    }

    @Test(arguments: [
        ("127.0.0.1", "127.0.0.1"),
        ("0.0.0.0", "0.0.0.0"),
        ("255.255.255.255", "255.255.255.255"),
        ("localhost", "127.0.0.1"),
        ("010.001.0.1", "10.1.0.1"),
    ])
    func parsesDottedQuads(_ text: String, _ address: String) {
        #expect(IPv4Address.parse(text)?.description == address)
    }

    @Test(arguments: ["1.2.3", "1.2.3.4.5", "256.0.0.1", "1..2.3", "1.2.3.", "0001.0.0.0", "a.b.c.d", "-1.0.0.0", "", "db"])
    func refusesOtherAddresses(_ text: String) {
        #expect(IPv4Address.parse(text) == nil)
    }

    @Test func loopbackIsItself() {
        #expect(IPv4Address.loopback == IPv4Address(octets: (127, 0, 0, 1)))
        #expect(IPv4Address.loopback != IPv4Address(octets: (127, 0, 0, 2)))
        #expect(Self.endpoint(127, 0, 0, 1, port: 80).description == "127.0.0.1:80")
    }
}

/// The one HTTP exchange of an `http:` probe: read only as far as the status code.
@Suite struct HTTPProbeTests {
    @Test(arguments: [
        ("", HTTPProbe.Answer.incomplete),
        ("HTTP/1.", .incomplete),
        ("HTTP/1.1 20", .incomplete),
        ("HTTP/1.1 200 OK\r\n\r\n", .status(200)),
        ("HTTP/1.0 200", .status(200)),
        ("HTTP/1.1 301 Moved Permanently\r\n", .status(301)),
        ("HTTP/1.1 404 Not Found\r\n", .status(404)),
        ("HTTP/1.1 503 Service Unavailable\r\n", .status(503)),
        // Not HTTP at all: known at the first wrong byte, before 12 arrive.
        ("SSH-2.0", .malformed),
        ("http/1.1 200 OK", .malformed),
        ("HTTP/1.1 2x0 OK", .malformed),
        ("HTTP/1.1  200 OK", .malformed),
        ("HTTP/1.1-200 OK", .malformed),
    ])
    func readsTheStatusLine(_ text: String, _ answer: HTTPProbe.Answer) {
        #expect(HTTPProbe.answer(Array(text.utf8)) == answer)
    }

    @Test(arguments: [(200, true), (204, true), (301, true), (399, true), (199, false), (404, false), (503, false)])
    func twoAndThreeHundredsAreReady(_ status: Int, _ ready: Bool) {
        #expect(HTTPProbe.isReady(status) == ready)
    }

    /// HTTP/1.0 with `Connection: close`: no server holds the probe's connection open.
    @Test func requestsOnceAndCloses() {
        #expect(
            String(decoding: HTTPProbe.request(path: "/health", port: 5000), as: UTF8.self)
                == "GET /health HTTP/1.0\r\nHost: 127.0.0.1:5000\r\nUser-Agent: drover\r\nConnection: close\r\n\r\n")
    }
}

/// When a run that is not ready yet gets probed again, and when it is given up on.
@Suite struct ReadinessWatchTests {
    /// The first ten failures wait 0.1 s; then each wait is 1.5 times the last, up to 1 s.
    @Test(arguments: [
        (1, 100), (5, 100), (10, 100), (11, 150), (12, 225), (13, 337), (14, 506), (15, 759), (16, 1000), (17, 1000),
        (100, 1000), (10_000, 1000),
    ])
    func intervals(_ attempt: Int, _ milliseconds: Int) {
        #expect(ReadinessWatch.interval(afterAttempt: attempt) == milliseconds)
    }

    @Test func failuresScheduleTheNextProbe() {
        var watch = ReadinessWatch(startedAt: 1000, timeoutMilliseconds: 60_000)
        #expect(watch.deadline == 61_000)
        var now: Int64 = 1000
        for attempt in 1...12 {
            let next = watch.failed(now: now, why: "connection refused \(attempt)")
            #expect(next == now + Int64(ReadinessWatch.interval(afterAttempt: attempt)))
            now = next
        }
        #expect(watch.attempts == 12)
        #expect(watch.lastFailure == "connection refused 12")
        #expect(now == 1000 + 10 * 100 + 150 + 225)
    }

    /// The owner gives up at the deadline, so a probe is never scheduled after it.
    @Test func neverSchedulesPastTheDeadline() {
        var watch = ReadinessWatch(startedAt: 1000, timeoutMilliseconds: 250)
        #expect(watch.failed(now: 1000, why: "refused") == 1100)
        #expect(watch.failed(now: 1100, why: "refused") == 1200)
        #expect(watch.failed(now: 1200, why: "refused") == 1250)
        #expect(watch.failed(now: 1250, why: "refused") == 1250)
        #expect(!watch.isOverdue(now: 1249))
        #expect(watch.isOverdue(now: 1250))
        #expect(watch.isOverdue(now: 9999))
    }

    @Test func aTimeoutOfZeroWaitsForEver() {
        var watch = ReadinessWatch(startedAt: 0, timeoutMilliseconds: 0)
        #expect(watch.deadline == nil)
        #expect(!watch.isOverdue(now: Int64.max))
        for _ in 0..<20 { _ = watch.failed(now: 1_000_000_000, why: "refused") }
        #expect(watch.failed(now: 1_000_000_000, why: "refused") == 1_000_001_000)
    }

    /// Hundredths, rounded half up, always two of them.
    @Test(arguments: [
        (Int64(0), "0.00s"), (4, "0.00s"), (5, "0.01s"), (90, "0.09s"), (420, "0.42s"), (1234, "1.23s"), (1235, "1.24s"),
        (9995, "10.00s"), (60_000, "60.00s"),
        // A clock read before the start (it cannot go back, but the owner may pass a stale one).
        (-50, "0.00s"),
    ])
    func elapsed(_ milliseconds: Int64, _ text: String) {
        let watch = ReadinessWatch(startedAt: 10_000, timeoutMilliseconds: 60_000)
        #expect(watch.elapsed(now: 10_000 + milliseconds) == text)
    }
}

/// `--after`: which types may start, what a failed one-shot blocks, and the order of a stop.
@Suite struct StartOrderTests {
    @Test func shutdownStagesNameTheirTypes() {
        let stages = ShutdownStages(types: ["migrate", "web", "worker", "clock"], dependencies: ["web": ["migrate"], "worker": ["web"]])
        #expect(stages.count == 3)
        #expect(stages.stage(of: "clock") == 0 && stages.stage(of: "worker") == 0 && stages.stage(of: "migrate") == 2)
        #expect(stages.announcement(0).text == "stopping worker, clock (shutdown stage 1 of 3)")
        #expect(stages.announcement(2).text == "stopping migrate (shutdown stage 3 of 3)")
    }

    typealias State = StartOrder.DependencyState

    static let dependencies = ["web": ["migrate"], "worker": ["web", "migrate"]]
    static let types = ["migrate", "web", "worker"]

    @Test func aTypeWaitsUntilItsDependenciesAreSatisfied() {
        var order = StartOrder(dependencies: Self.dependencies)
        var states: [String: State] = ["migrate": .pending, "web": .pending, "worker": .pending]
        #expect(order.isReleased("migrate"), "a type without dependencies never waits")
        #expect(!order.isReleased("web"))
        #expect(order.release(Self.types) { states[$0]! } == .success([]))

        states["migrate"] = .satisfied
        #expect(order.release(Self.types) { states[$0]! } == .success(["web"]))
        #expect(order.isReleased("web") && !order.isReleased("worker"))

        states["web"] = .satisfied
        #expect(order.release(Self.types) { states[$0]! } == .success(["worker"]))
        #expect(order.release(Self.types) { states[$0]! } == .success([]), "released once only")
    }

    /// A dependency's later restart does not hold back a scale-up of its dependents.
    @Test func releasedTypesStayReleased() {
        var order = StartOrder(dependencies: Self.dependencies)
        #expect(order.release(Self.types) { _ in .satisfied } == .success(["web", "worker"]))
        #expect(order.release(Self.types) { _ in .pending } == .success([]))
        #expect(order.isReleased("web") && order.isReleased("worker"))
        #expect(
            order.release(Self.types) { _ in .failed(name: "migrate.1", .exited(code: 2)) } == .success([]),
            "nothing waits any more, so nothing is blocked")
    }

    @Test func aFailedOneShotBlocksItsDependents() {
        var order = StartOrder(dependencies: Self.dependencies)
        let states: [String: State] = ["migrate": .failed(name: "migrate.1", .exited(code: 2)), "web": .pending]
        #expect(
            order.release(Self.types) { states[$0]! }
                == .failure(
                    StartOrder.Blocked(
                        dependent: "web", dependency: "migrate", name: "migrate.1", termination: .exited(code: 2))))
        #expect(!order.isReleased("web"))
    }

    @Test func emptyDependencyListsAreNone() {
        let order = StartOrder(dependencies: ["web": [], "worker": ["web"]])
        #expect(order.dependencies == ["worker": ["web"]])
        #expect(order.isReleased("web"))
    }

    // MARK: A dependency's state from real lifecycles

    static func lifecycle(
        _ name: String, canDie: Bool = false, restart: RestartPolicy = .no, limit: Int = 10, _ events: [InstanceLifecycle.Event]
    ) -> InstanceLifecycle {
        var lifecycle = InstanceLifecycle(
            name: name, settings: ProcessTypeSettings(restart: restart, canDie: canDie, backoff: Backoff(limit: limit)),
            graceMilliseconds: 5000)
        for (index, event) in events.enumerated() { _ = lifecycle.handle(event, now: Int64(index) * 1000).textual }
        return lifecycle
    }

    static let notReady: [InstanceLifecycle.Event] = [.start, .spawned(pid: 100, ready: false)]
    static let ready: [InstanceLifecycle.Event] = notReady + [.becameReady]

    /// A long-running type counts once every instance passed its probe.
    @Test func aServerIsSatisfiedWhenEveryInstanceIsReady() {
        let waiting = Self.lifecycle("web.1", [.wait])
        let starting = Self.lifecycle("web.1", [.start])
        let probing = Self.lifecycle("web.1", Self.notReady)
        let ready = Self.lifecycle("web.1", Self.ready)
        let alsoReady = Self.lifecycle("web.2", [.start, .spawned(pid: 101, ready: true)])
        let crashed = Self.lifecycle("web.2", canDie: false, restart: .always, Self.ready + [.exited(.exited(code: 3))])
        #expect(StartOrder.state(canDie: false, [waiting]) == .pending)
        #expect(StartOrder.state(canDie: false, [starting]) == .pending)
        #expect(StartOrder.state(canDie: false, [probing]) == .pending)
        #expect(StartOrder.state(canDie: false, [ready]) == .satisfied)
        #expect(StartOrder.state(canDie: false, [ready, alsoReady]) == .satisfied)
        #expect(StartOrder.state(canDie: false, [ready, probing]) == .pending)
        #expect(StartOrder.state(canDie: false, [ready, crashed]) == .pending, "in its backoff")
        #expect(StartOrder.state(canDie: false, [InstanceLifecycle]()) == .satisfied, "scaled to 0")
    }

    /// A one-shot counts once every instance exited 0; any other ending fails it.
    @Test func aOneShotIsSatisfiedByExitingZero() {
        let running = Self.lifecycle("migrate.1", canDie: true, Self.ready)
        let done = Self.lifecycle("migrate.1", canDie: true, Self.ready + [.exited(.exited(code: 0))])
        let broke = Self.lifecycle("migrate.2", canDie: true, Self.ready + [.exited(.exited(code: 2))])
        let killed = Self.lifecycle(
            "migrate.2", canDie: true, Self.ready + [.exited(.signaled(signal: 9, name: "SIGKILL"))])
        let retrying = Self.lifecycle(
            "migrate.2", canDie: true, restart: .onFailure, Self.ready + [.exited(.exited(code: 2))])
        let gaveUp = Self.lifecycle(
            "migrate.2", canDie: true, restart: .onFailure, limit: 1,
            Self.ready + [.exited(.exited(code: 2)), .tick, .spawned(pid: 101, ready: true), .exited(.exited(code: 4))])
        #expect(broke.state == .exited(.exited(code: 2)) && gaveUp.state == .failed(.exited(code: 4)))

        #expect(StartOrder.state(canDie: true, [running]) == .pending, "ready is not enough for a one-shot")
        #expect(StartOrder.state(canDie: true, [done]) == .satisfied)
        #expect(StartOrder.state(canDie: true, [done, running]) == .pending)
        #expect(StartOrder.state(canDie: true, [done, broke]) == .failed(name: "migrate.2", .exited(code: 2)))
        #expect(
            StartOrder.state(canDie: true, [done, killed])
                == .failed(name: "migrate.2", .signaled(signal: 9, name: "SIGKILL")))
        #expect(StartOrder.state(canDie: true, [retrying]) == .pending, "a restart is still due")
        #expect(StartOrder.state(canDie: true, [done, gaveUp]) == .failed(name: "migrate.2", .exited(code: 4)))
    }

    // MARK: Cycles and stop stages

    @Test(arguments: [
        (["web", "worker"], ["web": ["worker"], "worker": ["web"]], ["web", "worker", "web"] as [String]?),
        (["a", "b", "c"], ["a": ["b"], "b": ["c"], "c": ["a"]], ["a", "b", "c", "a"]),
        // The path into the cycle is not part of it.
        (["x", "a", "b"], ["x": ["a"], "a": ["b"], "b": ["a"]], ["a", "b", "a"]),
        (["web", "worker", "migrate"], ["web": ["migrate"], "worker": ["web", "migrate"]], nil),
        (["web", "worker"], [:], nil),
    ])
    func cycles(_ types: [String], _ dependencies: [String: [String]], _ cycle: [String]?) {
        #expect(StartOrder.cycle(types: types, dependencies: dependencies) == cycle)
    }

    /// Dependents stop first, so nothing loses what it depends on while it drains.
    @Test(arguments: [
        (["migrate", "web", "worker"], ["web": ["migrate"], "worker": ["web"]], [["worker"], ["web"], ["migrate"]]),
        // clock depends on nothing and nothing on it: it stops with the first stage.
        (
            ["migrate", "web", "clock", "worker"], ["web": ["migrate"], "worker": ["web"]],
            [["clock", "worker"], ["web"], ["migrate"]]
        ),
        // A diamond: db waits for the longest chain above it.
        (["db", "web", "worker"], ["web": ["db"], "worker": ["db", "web"]], [["worker"], ["web"], ["db"]]),
        (["web", "worker", "migrate"], [:], [["web", "worker", "migrate"]]),
    ])
    func stopStages(_ types: [String], _ dependencies: [String: [String]], _ stages: [[String]]) {
        #expect(StartOrder.stopStages(types: types, dependencies: dependencies) == stages)
    }
}

/// What readiness, `--after` and `--listen` add to an instance's lifecycle.
@Suite struct ReadinessLifecycleTests {
    typealias Event = InstanceLifecycle.Event
    typealias Action = InstanceLifecycle.Action

    static let terminated = Termination.signaled(signal: 15, name: "SIGTERM")

    static func lifecycle(_ restart: RestartPolicy = .no, canDie: Bool = false) -> InstanceLifecycle {
        InstanceLifecycle(
            name: "web.1", settings: ProcessTypeSettings(restart: restart, canDie: canDie), graceMilliseconds: 5000)
    }

    static func run(_ lifecycle: inout InstanceLifecycle, _ steps: [(Event, Int64)]) -> [Action] {
        var actions: [Action] = []
        for (event, now) in steps { actions = lifecycle.handle(event, now: now).textual }
        return actions
    }

    @Test func waitingHoldsAStartBack() {
        var lifecycle = Self.lifecycle()
        #expect(lifecycle.handle(.wait, now: 0).textual == [])
        #expect(lifecycle.state == .waiting)
        #expect(!lifecycle.isLive && !lifecycle.isReady && !lifecycle.hasEnded)
        #expect(lifecycle.handle(.start, now: 100).textual == [.spawn])
        #expect(lifecycle.state == .starting)
        #expect(lifecycle.restarts == 0, "leaving the wait is the first start")
        #expect(lifecycle.handle(.wait, now: 200).textual == [], "only a place with no run waits")
        #expect(lifecycle.state == .starting)
    }

    @Test(arguments: [
        (InstanceLifecycle.StopIntent.stop, [Action](), InstanceLifecycle.State.stopped),
        (.shutdown, [], .stopped),
        (.remove, [.remove], .waiting),
        (.restart, [], .waiting),
        (.notReady, [], .waiting),
    ])
    func stoppingAWaitingPlace(_ intent: InstanceLifecycle.StopIntent, _ actions: [Action], _ state: InstanceLifecycle.State) {
        var lifecycle = Self.lifecycle()
        _ = lifecycle.handle(.wait, now: 0).textual
        #expect(lifecycle.handle(.stop(intent), now: 100).textual == actions)
        #expect(lifecycle.state == state)
    }

    @Test func readyOnceTheProbePasses() {
        var lifecycle = Self.lifecycle()
        _ = Self.run(&lifecycle, [(.start, 0), (.spawned(pid: 100, ready: false), 10)]).textual
        #expect(lifecycle.state == .running(pid: 100, since: 10, ready: false))
        #expect(!lifecycle.isReady && lifecycle.isLive)
        #expect(lifecycle.handle(.becameReady, now: 420).textual == [])
        #expect(lifecycle.state == .running(pid: 100, since: 10, ready: true), "the run's start is kept")
        #expect(lifecycle.isReady)

        var stopped = Self.lifecycle()
        #expect(stopped.handle(.becameReady, now: 0).textual == [])
        #expect(stopped.state == .stopped && !stopped.isReady)
    }

    /// A run that was not ready in time gets SIGTERM, and its ending is the failure it stands for.
    @Test func notReadyInTimeStopsTheFormation() {
        var lifecycle = Self.lifecycle()
        #expect(
            Self.run(&lifecycle, [(.start, 0), (.spawned(pid: 100, ready: false), 0), (.stop(.notReady), 60_000)]).textual
                == [.signal(.terminate, group: 100), .wake(at: 65_000)])
        #expect(
            lifecycle.handle(.exited(Self.terminated), now: 60_100).textual == [
                .log("web.1 terminated by SIGTERM"),
                .tearDownRemnants(group: 100, Teardown(now: 60_000, graceMilliseconds: 5000), signalNow: nil),
                .log("web.1 was not ready in time"),
                .stopFormation(.exited(code: 1)),
            ])
        #expect(lifecycle.state == .exited(.exited(code: 1)))
        #expect(lifecycle.lastExit == .exited(code: 1))
    }

    @Test func notReadyInTimeIsRestartedOnFailure() {
        var lifecycle = Self.lifecycle(.onFailure)
        _ = Self.run(&lifecycle, [(.start, 0), (.spawned(pid: 100, ready: false), 0), (.stop(.notReady), 60_000)]).textual
        // Even an exit 0 after the SIGTERM counts as the failure.
        #expect(
            lifecycle.handle(.exited(.exited(code: 0)), now: 60_100).textual == [
                .log("web.1 exited with code 0"),
                .tearDownRemnants(group: 100, Teardown(now: 60_000, graceMilliseconds: 5000), signalNow: nil),
                .log("web.1 was not ready in time; restarting in 0.1s (restart 1)"),
                .wake(at: 60_200),
            ])
        #expect(lifecycle.state == .backoff(until: 60_200, attempt: 1))
    }

    @Test func aCanDieTypeNotReadyInTimeJustEnds() {
        var lifecycle = Self.lifecycle(canDie: true)
        _ = Self.run(&lifecycle, [(.start, 0), (.spawned(pid: 100, ready: false), 0), (.stop(.notReady), 60_000)]).textual
        #expect(
            lifecycle.handle(.exited(Self.terminated), now: 60_100).textual.suffix(2) == [
                .log("web.1 was not ready in time"), .ended,
            ])
        #expect(lifecycle.state == .exited(.exited(code: 1)))
    }

    /// The old run serves on, unsignalled, until its successor is ready.
    @Test func aHandOverSignalsOnlyOnRemoval() {
        var lifecycle = Self.lifecycle(.always)
        _ = Self.run(&lifecycle, [(.start, 0), (.spawned(pid: 100, ready: true), 0)]).textual
        #expect(lifecycle.handle(.stop(.handOver), now: 1000).textual == [])
        #expect(lifecycle.state == .stopping(pid: 100, since: 0, intent: .handOver, teardown: nil))
        #expect(lifecycle.handle(.stop(.remove), now: 2000).textual == [.signal(.terminate, group: 100), .wake(at: 7000)])
        #expect(
            lifecycle.state
                == .stopping(pid: 100, since: 0, intent: .remove, teardown: Teardown(now: 2000, graceMilliseconds: 5000)))
        #expect(
            lifecycle.handle(.exited(Self.terminated), now: 2100).textual == [
                .log("web.1 terminated by SIGTERM"),
                .tearDownRemnants(group: 100, Teardown(now: 2000, graceMilliseconds: 5000), signalNow: nil),
                .remove,
            ])
        #expect(lifecycle.state == .stopped)
    }

    /// An exit while handing over is not restarted by the policy: the successor takes the place.
    @Test func anExitWhileHandingOverRemovesThePlace() {
        var lifecycle = Self.lifecycle(.always)
        _ = Self.run(&lifecycle, [(.start, 0), (.spawned(pid: 100, ready: true), 0), (.stop(.handOver), 1000)]).textual
        let actions = lifecycle.handle(.exited(.exited(code: 3)), now: 1500).textual
        #expect(actions.first == .log("web.1 exited with code 3"))
        #expect(actions.last == .remove)
        #expect(!actions.contains(.spawn) && !actions.contains(.stopFormation(.exited(code: 3))))
        #expect(lifecycle.state == .stopped)
    }

    /// Nobody signalled a handed-over group (its stop has no teardown of its own, unlike
    /// the shutdown's), so what its leader leaves behind should get SIGTERM now, as after
    /// any unasked-for exit, rather than only the SIGKILL at the end of the grace.
    @Test func remnantsOfAHandedOverRunGetSIGTERM() {
        var lifecycle = Self.lifecycle(.always)
        _ = Self.run(&lifecycle, [(.start, 0), (.spawned(pid: 100, ready: true), 0), (.stop(.handOver), 1000)]).textual
        let actions = lifecycle.handle(.exited(.exited(code: 3)), now: 1500).textual
        // Nothing signalled the group while it handed over: what its leader left gets SIGTERM now.
        #expect(
            actions.contains(
                .tearDownRemnants(group: 100, Teardown(now: 1500, graceMilliseconds: 5000), signalNow: .terminate)))
    }

    @Test func theShutdownOverridesAHandOver() {
        var lifecycle = Self.lifecycle(.always)
        _ = Self.run(&lifecycle, [(.start, 0), (.spawned(pid: 100, ready: true), 0), (.stop(.handOver), 1000)]).textual
        #expect(lifecycle.handle(.stop(.shutdown), now: 1200).textual == [], "the formation's teardown signals")
        #expect(lifecycle.state == .stopping(pid: 100, since: 0, intent: .shutdown, teardown: nil))
    }

    /// The successor is the same place: `drover ps` keeps counting its restarts.
    @Test func aSuccessorKeepsTheRestartCount() {
        var lifecycle = Self.lifecycle()
        _ =
            Self.run(
                &lifecycle,
                [
                    (.start, 0), (.spawned(pid: 100, ready: true), 0), (.stop(.restart), 100), (.exited(Self.terminated), 200),
                    (.spawned(pid: 101, ready: true), 200),
                ]
            ).textual
        #expect(lifecycle.restarts == 1)
        var successor = lifecycle.successor()
        #expect(successor.restarts == 1)
        #expect(successor.state == .stopped)
        #expect(successor.name == "web.1" && successor.settings == lifecycle.settings)
        #expect(successor.handle(.startRequested, now: 300).textual == [.spawn])
        #expect(successor.restarts == 2)
        #expect(successor.startedOnRequest)
    }

    @Test func aFreshPlacesFirstStartIsNoRestart() {
        var fresh = Self.lifecycle()
        var successor = fresh.successor()
        _ = fresh.handle(.start, now: 0)
        _ = successor.handle(.start, now: 0).textual
        #expect(fresh.restarts == 0)
        #expect(successor.restarts == 1, "a successor always replaces a run")
    }
}

/// `--after` stops the formation in stages, dependents first, each with its own grace.
@Suite struct StagedShutdownTests {
    @Test func eachStageGetsItsOwnSIGTERMAndGrace() {
        var plan = ShutdownPlan(timeoutMilliseconds: 5000, stages: 3)
        #expect(!plan.isFinalStage)
        #expect(
            plan.stop(.requested, now: 1000).textual == [
                .log("stop requested, stopping all processes"), .log("sending SIGTERM to dependents first"),
                .terminateStage(0),
            ])
        #expect(plan.stage == 0 && plan.deadline == 6000)
        #expect(plan.stageEnded(now: 2000).textual == [.terminateStage(1)])
        #expect(plan.stage == 1 && plan.deadline == 7000 && !plan.isFinalStage)
        #expect(plan.stageEnded(now: 3000).textual == [.terminateAll])
        #expect(plan.stage == 2 && plan.deadline == 8000 && plan.isFinalStage)
        #expect(plan.stageEnded(now: 4000).textual == [], "nothing after the last")
        #expect(plan.exitCode == 0)
    }

    @Test func stagesWaitForAStop() {
        var plan = ShutdownPlan(timeoutMilliseconds: 5000, stages: 3)
        #expect(plan.stageEnded(now: 0).textual == [])
        #expect(plan.stage == 0 && !plan.isStopping)
    }

    @Test func anEarlyStageOverItsGraceIsKilledAlone() {
        var plan = ShutdownPlan(timeoutMilliseconds: 2000, stages: 3)
        _ = plan.received(.terminate, now: 0, stillRunning: 4).textual
        #expect(plan.deadlinePassed(now: 1999, stillRunning: 2).textual == [])
        #expect(
            plan.deadlinePassed(now: 2000, stillRunning: 2).textual
                == [.log("sending SIGKILL to 2 processes still running after 2s"), .killStage(0)])
        #expect(plan.phase == .killing)
        #expect(plan.exitCode == 1, "something was killed")
        #expect(plan.stageEnded(now: 2100).textual == [.terminateStage(1)])
        #expect(plan.phase == .draining(deadline: 4100))
        #expect(plan.exitCode == 1)
    }

    @Test func theLastStageOverItsGraceKillsEverything() {
        var plan = ShutdownPlan(timeoutMilliseconds: 2000, stages: 2)
        _ = plan.stop(.requested, now: 0).textual
        _ = plan.stageEnded(now: 500).textual
        #expect(
            plan.deadlinePassed(now: 2500, stillRunning: 1).textual
                == [.log("sending SIGKILL to 1 process still running after 2s"), .killAll])
    }

    @Test func aSecondInterruptKillsEveryStage() {
        var plan = ShutdownPlan(timeoutMilliseconds: 5000, stages: 3)
        _ = plan.received(.interrupt, now: 0, stillRunning: 3).textual
        #expect(!plan.isFinalStage)
        #expect(
            plan.received(.interrupt, now: 500, stillRunning: 3).textual
                == [.log("SIGINT received again; sending SIGKILL to 3 processes still running"), .killAll])
        #expect(plan.isFinalStage)
        #expect(plan.phase == .killing)
        #expect(plan.stageEnded(now: 600).textual == [])
        #expect(plan.exitCode == 1)
    }

    /// Without `--after` a stop is the old one: everything at once.
    @Test func oneStageIsTheWholeFormation() {
        var plan = ShutdownPlan(timeoutMilliseconds: 5000, stages: 1)
        #expect(plan.isFinalStage)
        #expect(
            plan.received(.interrupt, now: 0, stillRunning: 2).textual == [
                .log("SIGINT received, stopping all processes"), .log("sending SIGTERM to all processes"), .terminateAll,
            ])
        #expect(plan.stageEnded(now: 100).textual == [])
        #expect(ShutdownPlan(timeoutMilliseconds: 5000, stages: 0).stages == 1)
    }

    @Test func anEndedFormationGoesStraightToTheLastStage() {
        var plan = ShutdownPlan(timeoutMilliseconds: 5000, stages: 3)
        #expect(plan.stop(.formationEnded(exitCode: 0), now: 0).textual == [.log("every process has ended"), .terminateAll])
        #expect(plan.isFinalStage)
    }

    @Test func anInstanceExitStopsDependentsFirst() {
        var plan = ShutdownPlan(timeoutMilliseconds: 5000, stages: 2)
        #expect(
            plan.stop(.instanceExited(name: "migrate.1", .exited(code: 2)), now: 0).textual
                == [.log("sending SIGTERM to dependents first"), .terminateStage(0)])
        #expect(plan.exitCode == 2)
    }
}

/// How `--ready`, `--after`, `--listen` and their `.drover` forms resolve, and the errors
/// that point at where they were written.
@Suite struct ReadinessSettingsTests {
    static let procfile = "web: serve\nworker: work\nmigrate: rake db:migrate\n"

    /// A flag as the parser records it, repeats included.
    static func flag(_ option: LaunchOption, _ texts: String...) -> OptionValue {
        let flag = "--\(option.rawValue)"
        return texts.dropFirst().reduce(OptionValue(texts[0], origin: .commandLine(flag: flag))) {
            $0.repeated(OptionValue($1, origin: .commandLine(flag: flag)))
        }
    }

    static func load(_ flags: [LaunchOption: OptionValue] = [:], file: String = "") -> Result<Application, Diagnostics> {
        let fileOptions: LaunchOptions
        switch DefaultsFile.parse(file, file: ".drover", syntax: .keyEqualsValue) {
        case let .success(options): fileOptions = options
        case let .failure(errors): return .failure(errors)
        }
        return ApplicationLoaderTests.loader(["Procfile": procfile]).load(fileOptions.overridden(by: LaunchOptions(flags)))
    }

    static func settings(_ flags: [LaunchOption: OptionValue] = [:], file: String = "") throws -> [String: ProcessTypeSettings] {
        try load(flags, file: file).get().typeSettings
    }

    static func messages(_ flags: [LaunchOption: OptionValue] = [:], file: String = "") -> [String] {
        ApplicationLoaderTests.messages(load(flags, file: file))
    }

    @Test func noProbeNoDependencies() throws {
        let settings = try Self.settings()
        #expect(settings["web"]?.ready == nil && settings["web"]?.after == [] && settings["web"]?.listen == false)
    }

    @Test func aReadyFlagNamesItsType() throws {
        let settings = try Self.settings([.ready: Self.flag(.ready, "web=tcp")])
        #expect(settings["web"]?.ready == .tcp(nil))
        #expect(settings["worker"]?.ready == nil)
    }

    @Test func theReadyFlagRepeatsAndNamedBeatsAll() throws {
        let settings = try Self.settings([.ready: Self.flag(.ready, "all=log:up", "web=http:/health", "migrate = exec:true")])
        #expect(settings["web"]?.ready == .http(path: "/health"))
        #expect(settings["worker"]?.ready == .log("up"))
        #expect(settings["migrate"]?.ready == .exec("true"))
    }

    @Test func afterTakesSeveralDependencies() throws {
        let settings = try Self.settings([.after: Self.flag(.after, "worker=web+migrate", "web=migrate")])
        #expect(settings["worker"]?.after == ["web", "migrate"])
        #expect(settings["web"]?.after == ["migrate"])
        #expect(
            try Self.load([.after: Self.flag(.after, "worker=web+migrate")]).get().dependencies
                == ["web": [], "worker": ["web", "migrate"], "migrate": []])
    }

    @Test func aSectionSetsAfterReadyAndListen() throws {
        let settings = try Self.settings(file: "[worker]\nafter=web,migrate\nready=log:up\nlisten=true\n[web]\nafter=migrate\n")
        #expect(settings["worker"] == ProcessTypeSettings(ready: .log("up"), after: ["web", "migrate"], listen: true))
        #expect(settings["web"]?.after == ["migrate"] && settings["web"]?.listen == false)
    }

    @Test func theFilesOwnLinesRepeatToo() throws {
        let settings = try Self.settings(file: "ready=web=tcp\nready=worker=log:up\nafter=worker=web\n")
        #expect(settings["web"]?.ready == .tcp(nil) && settings["worker"]?.ready == .log("up"))
        #expect(settings["worker"]?.after == ["web"])
    }

    @Test func theCommandLineBeatsTheSection() throws {
        let settings = try Self.settings([.ready: Self.flag(.ready, "worker=tcp:6379")], file: "[worker]\nready=log:up\n")
        #expect(settings["worker"]?.ready == .tcp(IPv4Endpoint(host: .loopback, port: 6379)))
    }

    @Test(arguments: [
        (
            [LaunchOption.after: flag(.after, "worker=ghost")],
            #"invalid value "worker=ghost" for --after: unknown process type "ghost" (the Procfile has: web, worker, migrate)"#
        ),
        (
            [.after: flag(.after, "ghost=web")],
            #"invalid value "ghost=web" for --after: unknown process type "ghost" (the Procfile has: web, worker, migrate)"#
        ),
        (
            [.after: flag(.after, "all=web")],
            #"invalid value "all=web" for --after: unknown process type "all" (the Procfile has: web, worker, migrate)"#
        ),
        ([.after: flag(.after, "web=web")], #"invalid value "web=web" for --after: dependency cycle: web -> web"#),
        ([.after: flag(.after, "web")], #"invalid value "web" for --after: expected TYPE=DEP[+DEP...]"#),
        ([.after: flag(.after, "worker=web+")], #"invalid value "worker=web+" for --after: empty item in "web+""#),
        (
            [.after: flag(.after, "worker=web", "worker=migrate")],
            #"invalid value "worker=migrate" for --after: "worker" is given twice"#
        ),
        // The cycle is reported at the entry of the type it is found from.
        (
            [.after: flag(.after, "web=worker", "worker=web")],
            #"invalid value "web=worker" for --after: dependency cycle: web -> worker -> web"#
        ),
        ([.ready: flag(.ready, "web=tcp", "web=log:up")], #"invalid value "web=log:up" for --ready: "web" is given twice"#),
        (
            [.ready: flag(.ready, "web=tcp:db:5432")],
            #"invalid value "web=tcp:db:5432" for --ready: "db" is not an IPv4 address such as 127.0.0.1 (names are not looked up)"#
        ),
        (
            [.ready: flag(.ready, "ghost=tcp")],
            #"invalid value "ghost=tcp" for --ready: unknown process type "ghost" (the Procfile has: web, worker, migrate)"#
        ),
        (
            [.readyTimeout: flag(.readyTimeout, "abc")],
            #"invalid value "abc" for --ready-timeout: must be a number of seconds such as 60 (0: no limit)"#
        ),
        (
            [.listenAddress: flag(.listenAddress, "1.2.3")],
            #"invalid value "1.2.3" for --listen-address: must be an IPv4 address such as 127.0.0.1 or 0.0.0.0"#
        ),
    ])
    func badFlagsNameTheirFlag(_ flags: [LaunchOption: OptionValue], _ message: String) {
        guard case .failure(let errors) = Self.load(flags) else {
            Issue.record("expected errors")
            return
        }
        #expect(errors.all.map(\.message) == [message])
        #expect(errors.kind == .usage)
    }

    @Test(arguments: [
        (
            "after=web=worker\n[worker]\nafter=web\n",
            #".drover:1: invalid value "web=worker" for after: dependency cycle: web -> worker -> web"#
        ),
        (
            "[web]\nafter=worker\n[worker]\nafter=migrate\n[migrate]\nafter=web\n",
            #".drover:2: invalid value "worker" for after: dependency cycle: web -> worker -> migrate -> web"#
        ),
        ("[worker]\nafter=worker\n", #".drover:2: invalid value "worker" for after: dependency cycle: worker -> worker"#),
        (
            "[worker]\nready=log:up\nafter=ghost\n",
            #".drover:3: invalid value "ghost" for after: unknown process type "ghost" (the Procfile has: web, worker, migrate)"#
        ),
        ("ready=web=tcp\nready=web=log:up\n", #".drover:2: invalid value "web=log:up" for ready: "web" is given twice"#),
        (
            "[web]\nready=http:health\n",
            #".drover:2: invalid value "http:health" for ready: "http:health": an http probe takes a path such as http:/health"#
        ),
        (
            "ready-timeout=soon\n",
            #".drover:1: invalid value "soon" for ready-timeout: must be a number of seconds such as 60 (0: no limit)"#
        ),
        ("listen-address=db\n", #".drover:1: invalid value "db" for listen-address: must be an IPv4 address such as 127.0.0.1 or 0.0.0.0"#),
    ])
    func badLinesNameTheirFileAndLine(_ file: String, _ message: String) {
        #expect(Self.messages(file: file) == [message])
    }

    /// Behind drover's socket the old run or the new one may answer a probe of `$PORT`.
    @Test(arguments: ["web=http:/", "web=tcp", "all=tcp"])
    func aListeningTypeCannotProbeItsOwnPort(_ ready: String) {
        let messages = Self.messages([.listen: Self.flag(.listen, "web"), .ready: Self.flag(.ready, ready)])
        #expect(messages.count == 1)
        #expect(messages.first?.hasPrefix("invalid value \"\(ready)\" for --ready: ") == true)
        #expect(messages.first?.contains("web listens through drover's socket") == true)
    }

    @Test func aListeningTypeMayProbeOtherwise() throws {
        let settings = try Self.settings(
            [.listen: Self.flag(.listen, "web"), .ready: Self.flag(.ready, "web=log:listening", "worker=tcp")])
        #expect(settings["web"]?.listen == true && settings["web"]?.ready == .log("listening"))
        #expect(settings["worker"]?.listen == false && settings["worker"]?.ready == .tcp(nil))
        #expect(
            try Self.settings([.listen: Self.flag(.listen, "web"), .ready: Self.flag(.ready, "web=tcp:6000")])["web"]?
                .ready == .tcp(IPv4Endpoint(host: .loopback, port: 6000)))
        #expect(
            Self.messages(
                [.ready: Self.flag(.ready, "web=http:/")], file: "[web]\nlisten=true\n"
            ).first?
            .contains("listens through drover's socket") == true, "a section's listen counts too")
    }

    @Test func readyTimeoutAndListenAddress() throws {
        let defaults = try Self.load().get()
        #expect(defaults.readyTimeoutMilliseconds == 60_000)
        #expect(defaults.listenAddress == .loopback)
        let set = try Self.load([
            .readyTimeout: Self.flag(.readyTimeout, "2.5"), .listenAddress: Self.flag(.listenAddress, "0.0.0.0"),
        ]).get()
        #expect(set.readyTimeoutMilliseconds == 2500)
        #expect(set.listenAddress == IPv4Address(octets: (0, 0, 0, 0)))
        #expect(try Self.load([.readyTimeout: Self.flag(.readyTimeout, "0")]).get().readyTimeoutMilliseconds == 0)
        let fromFile = try Self.load(file: "ready-timeout=90\nlisten-address=localhost\n").get()
        #expect(fromFile.readyTimeoutMilliseconds == 90_000 && fromFile.listenAddress == .loopback)
    }
}
