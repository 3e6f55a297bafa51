import DroverSystem
import Foundation
import Testing

/// `--ready`, `--after` and `--listen` against the built binary.
@Suite struct ReadinessTests {
    /// The offset of `text` in `output`, to compare the order of lines.
    static func position(of text: String, in output: String, sourceLocation: SourceLocation = #_sourceLocation) -> Int {
        guard let range = output.range(of: text) else {
            Issue.record("\"\(text)\" not in:\n\(output)", sourceLocation: sourceLocation)
            return Int.max
        }
        return output.distance(from: output.startIndex, to: range.lowerBound)
    }

    /// A sandbox with the pid server, the client and a Procfile, and a free port.
    static func serverAndClient(procfile: String) throws -> (Sandbox, Int) {
        let sandbox = try Sandbox()
        try sandbox.write("server.py", TestServers.pidServer)
        try sandbox.write("client.py", TestServers.client)
        try sandbox.write("Procfile", procfile)
        return (sandbox, FreePorts.base())
    }

    @Test func eachProbeReportsReadyAfterTheInstanceIsUp() throws {
        let sandbox = try Sandbox()
        try sandbox.write("server.py", TestServers.pidServer)
        try sandbox.write(
            "Procfile",
            """
            plain: exec python3 server.py
            page: exec python3 server.py
            logger: sleep 0.3; echo warming; echo now accepting jobs; exec sleep 60
            checked: sleep 0.3; touch made.flag; exec sleep 60
            """)
        let base = FreePorts.base(types: 2)
        let drover = try RunningDrover(
            [
                "start", "--no-timestamp", "-p", "\(base)", "--ready", "plain=tcp", "--ready", "page=http:/health",
                "--ready", "logger=log:accepting", "--ready", "checked=exec:test -f made.flag", "-t", "2",
            ], in: sandbox.path)
        for name in ["plain.1", "page.1", "logger.1", "checked.1"] { drover.waitForOutput("\(name) ready after ") }
        let output = drover.stdout
        #expect(output.contains("plain.1 ready after "))
        #expect(output.contains("s (tcp 127.0.0.1:\(base))"))
        #expect(output.contains("s (http 127.0.0.1:\(base + 100)/health)"))
        #expect(output.contains("s (log \"accepting\")"))
        #expect(output.contains("s (exec test -f made.flag)"))
        // None could pass before its 0.3 s of sleep: each was probed, and passed once it could.
        for name in ["plain.1", "page.1", "logger.1", "checked.1"] {
            let seconds = output.components(separatedBy: "\(name) ready after ").last.flatMap { Double($0.prefix { $0 != "s" }) }
            #expect((seconds ?? 0) >= 0.3, "\(name): \(output)")
        }
        #expect(Self.position(of: "logger.1  | now accepting", in: output) < Self.position(of: "logger.1 ready", in: output))
        let listing = try DroverProcess.run(["ps", "--json"], in: sandbox.path)
        let rows = ProcessList.rows(fromJSON: listing.stdout)
        #expect(rows.count == 4 && rows.allSatisfy { $0["ready"] as? Bool == true && $0["state"] as? String == "running" })
        drover.signal(SIGTERM)
        #expect(try drover.finish().code == 0)
    }

    @Test func startingShowsInPsUntilReadyAndAnHTTPErrorIsNotReady() throws {
        let sandbox = try Sandbox()
        try sandbox.write("server.py", TestServers.pidServer)
        try sandbox.write("Procfile", "web: STATUS='503 Busy' exec python3 server.py\n")
        let base = FreePorts.base()
        let drover = try RunningDrover(
            ["start", "--no-timestamp", "-p", "\(base)", "--ready", "web=http:/", "--ready-timeout", "4", "-t", "1"],
            in: sandbox.path)
        drover.waitForOutput("web.1  | serving")
        let listing = try DroverProcess.run(["ps"], in: sandbox.path)
        #expect(listing.stdout.contains(" starting "), "\(listing.stdout)")
        let json = ProcessList.rows(fromJSON: try DroverProcess.run(["ps", "--json"], in: sandbox.path).stdout)
        #expect(json.first?["ready"] as? Bool == false)
        let outcome = try drover.finish()
        #expect(outcome.code == 1, "not ready, no restart policy, cannot die: the formation stops with 1")
        #expect(outcome.stdout.contains("web.1 not ready after 4s (http 127.0.0.1:\(base)/: HTTP status 503)"))
        #expect(outcome.stdout.contains("web.1 was not ready in time\n"))
    }

    @Test func aTimeoutFollowsTheRestartPolicy() throws {
        let sandbox = try Sandbox()
        try sandbox.write("Procfile", "web: exec sleep 60\n")
        let closed = FreePorts.base()
        let outcome = try DroverProcess.run(
            [
                "start", "--no-timestamp", "--ready", "web=tcp:\(closed)", "--ready-timeout", "0.3", "-r", "on-failure",
                "--restart-limit", "1", "--restart-delay", "0.05", "-t", "1",
            ], in: sandbox.path)
        #expect(outcome.code == 1)
        #expect(outcome.stdout.contains("web.1 not ready after 0.3s (tcp 127.0.0.1:\(closed): "))
        #expect(outcome.stdout.contains("web.1 was not ready in time; restarting in 0.05s (restart 1)"))
        #expect(outcome.stdout.contains("web.1 was not ready in time; giving up after 1 restart"))
    }

    @Test func typesStartAfterTheirDependenciesAndStopInReverse() throws {
        let sandbox = try Sandbox()
        try sandbox.write(
            "Procfile",
            """
            worker: echo worker up; exec sleep 60
            web: sleep 0.2; echo web listening; exec sleep 60
            migrate: while [ ! -e go ]; do sleep 0.02; done; echo migrated
            """)
        try sandbox.write(".drover", "can-die=migrate\n[web]\nready=log:listening\nafter=migrate\n")
        let drover = try RunningDrover(
            ["start", "--no-timestamp", "--after", "worker=web", "-t", "2"], in: sandbox.path)
        drover.waitForOutput("migrate.1 started")
        let waiting = try DroverProcess.run(["ps"], in: sandbox.path).stdout
            .split(separator: "\n").map { $0.split(separator: " ").prefix(3).joined(separator: " ") }
        #expect(waiting.contains("worker.1 - waiting"), "\(waiting)")
        #expect(waiting.contains("web.1 - waiting"), "\(waiting)")
        _ = try sandbox.write("go", "")
        drover.waitForOutput("worker.1  | worker up")
        var output = drover.stdout
        #expect(Self.position(of: "migrate.1 exited with code 0", in: output) < Self.position(of: "web.1 started", in: output))
        #expect(Self.position(of: "web.1 ready after", in: output) < Self.position(of: "worker.1 started", in: output))
        drover.signal(SIGTERM)
        let outcome = try drover.finish()
        #expect(outcome.code == 0)
        output = outcome.stdout
        #expect(output.contains("stopping worker (shutdown stage 1 of 3)"))
        #expect(
            Self.position(of: "worker.1 terminated by SIGTERM", in: output)
                < Self.position(of: "stopping web (shutdown stage 2 of 3)", in: output))
        #expect(
            Self.position(of: "stopping web (shutdown stage 2 of 3)", in: output)
                < Self.position(of: "web.1 terminated by SIGTERM", in: output))
    }

    @Test func aFailedOneShotKeepsItsDependentsFromStarting() throws {
        let sandbox = try Sandbox()
        try sandbox.write("Procfile", "migrate: echo no database; exit 3\nweb: echo web up; exec sleep 60\n")
        let outcome = try DroverProcess.run(
            ["start", "--no-timestamp", "--can-die", "migrate", "--after", "web=migrate"], in: sandbox.path)
        #expect(outcome.code == 3)
        #expect(outcome.stdout.contains("web not started: migrate.1 exited with code 3"))
        #expect(!outcome.stdout.contains("web.1 started"))
    }

    @Test func checkReportsCyclesAndUnknownTypesWhereTheyAreWritten() throws {
        let sandbox = try Sandbox()
        try sandbox.write("Procfile", "web: x\nworker: y\nclock: z\n")
        let flags = try DroverProcess.run(["check", "--after", "web=worker", "--after", "worker=web"], in: sandbox.path)
        #expect(flags.code == 64)
        #expect(
            flags.stderr.contains(#"invalid value "web=worker" for --after: dependency cycle: web -> worker -> web"#), "\(flags.stderr)")
        try sandbox.write(".drover", "[web]\nafter=clock\n[clock]\nafter=worker\n[worker]\nafter=web\n")
        let file = try DroverProcess.run(["check"], in: sandbox.path)
        #expect(file.code == 1)
        #expect(file.stderr == "drover: .drover:2: invalid value \"clock\" for after: dependency cycle: web -> clock -> worker -> web\n")
        try sandbox.write(".drover", "[web]\nafter=db\nready=smoke:signals\n")
        let unknown = try DroverProcess.run(["check"], in: sandbox.path)
        #expect(unknown.stderr.contains(#".drover:2: invalid value "db" for after: unknown process type "db""#), "\(unknown.stderr)")
        #expect(unknown.stderr.contains(#".drover:3: invalid value "smoke:signals" for ready: unknown readiness probe"#))
    }

    @Test func daemonReturnsOnceReadyAndFailsNamingTheInstance() throws {
        let sandbox = try Sandbox()
        try sandbox.write("Procfile", "web: sleep 0.5; echo up; exec sleep 60\n")
        let started = try DroverProcess.run(
            ["start", "--daemon", "-t", "1", "--ready", "web=log:up"], in: sandbox.path)
        #expect(started.code == 0, "\(started.stderr)")
        let daemon = try #require(DaemonTests.daemonPid(started.stdout))
        defer { _ = ProcessTable.killSurvivors([daemon]) }
        let rows = ProcessList.rows(fromJSON: try DroverProcess.run(["ps", "--json"], in: sandbox.path).stdout)
        #expect(rows.first?["ready"] as? Bool == true, "it returned only once web.1 was ready")
        let pids = rows.compactMap { ($0["pid"] as? Int).map(Int32.init) }
        #expect(try DroverProcess.run(["stop"], in: sandbox.path).code == 0)
        DaemonTests.expectGone([daemon] + pids)

        let failed = try DroverProcess.run(
            ["start", "--daemon", "-t", "1", "--ready", "web=log:never", "--ready-timeout", "0.5"], in: sandbox.path)
        #expect(failed.code == 1)
        #expect(
            failed.stderr.contains("the formation did not become ready: web.1 not ready after 0.5s (log \"never\": no answer)"),
            "\(failed.stderr)")
    }

    /// A client connecting in a loop across two restarts: with --listen nothing is refused.
    @Test func restartsOnAListeningSocketRefuseNothing() throws {
        let (sandbox, base) = try Self.serverAndClient(procfile: "web: exec python3 server.py\n")
        let drover = try RunningDrover(
            ["start", "--no-timestamp", "-p", "\(base)", "--listen", "web", "--ready", "web=log:serving", "-t", "2"],
            in: sandbox.path)
        drover.waitForOutput("web.1 ready after")
        let client = try RunningDrover(program: "/usr/bin/env", ["env", "python3", "client.py", "\(base)", "600"], in: sandbox.path)
        for round in 1...2 {
            usleep(500_000)
            #expect(try DroverProcess.run(["restart", "web"], in: sandbox.path).code == 0)
            drover.waitForOutput("web.1 handed over", times: round)
        }
        let counts = try client.finish(timeout: 60).stdout
        #expect(counts.hasPrefix("ok 600 refused 0 other 0 pids "), "\(counts)")
        let pids = counts.split(separator: " ").last.map { $0.split(separator: ",") } ?? []
        #expect(pids.count >= 2, "\(counts)")
        // The shell exec'd the server, so LISTEN_PID names the process that serves.
        let serving = drover.stdout.split(separator: "\n").filter { $0.contains("| serving") }
        #expect(serving.count == 3)
        #expect(
            serving.allSatisfy { line in
                let pid = line.split(separator: "pid=").last?.prefix { $0.isNumber } ?? ""
                return line.contains("listen_pid=\(pid) names=web")
            }, "\(serving)")
        drover.signal(SIGTERM)
        #expect(try drover.finish().code == 0)
    }

    /// A crash and its policy restart: drover holds the socket, so connections wait in
    /// its backlog for the next run instead of being refused.
    @Test func policyRestartsKeepTheSocketListening() throws {
        let (sandbox, base) = try Self.serverAndClient(procfile: "web: DELAY=0 ONCE=1 exec python3 server.py\n")
        let drover = try RunningDrover(
            [
                "start", "--no-timestamp", "-p", "\(base)", "--listen", "web", "-r", "always", "--restart-delay", "0.05",
                "--restart-max-delay", "0.05", "--restart-limit", "20", "-t", "2",
            ], in: sandbox.path)
        drover.waitForOutput("web.1 started")
        let counts = try RunningDrover(program: "/usr/bin/env", ["env", "python3", "client.py", "\(base)", "6"], in: sandbox.path)
            .finish(timeout: 60).stdout
        #expect(counts.hasPrefix("ok 6 refused 0 other 0 pids "), "\(counts)")
        #expect(counts.split(separator: " ").last.map { $0.split(separator: ",").count } == 6, "one run per answer: \(counts)")
        drover.signal(SIGTERM)
        _ = try drover.finish()
    }

    /// The same client without --listen: the restart's gap shows as refusals, so the
    /// test above can fail.
    @Test func restartsWithoutAListeningSocketRefuseConnections() throws {
        let (sandbox, base) = try Self.serverAndClient(procfile: "web: exec python3 server.py\n")
        let drover = try RunningDrover(
            ["start", "--no-timestamp", "-p", "\(base)", "--ready", "web=tcp", "-t", "2"], in: sandbox.path)
        drover.waitForOutput("web.1 ready after")
        let client = try RunningDrover(program: "/usr/bin/env", ["env", "python3", "client.py", "\(base)", "300"], in: sandbox.path)
        usleep(300_000)
        #expect(try DroverProcess.run(["restart", "web"], in: sandbox.path).code == 0)
        let counts = try client.finish(timeout: 60).stdout
        let refused = counts.split(separator: " ").dropFirst(3).first.flatMap { Int($0) } ?? 0
        #expect(refused > 0, "\(counts)")
        drover.signal(SIGTERM)
        #expect(try drover.finish().code == 0)
    }

    @Test func aTakenPortStopsTheStartNamingPortAndInstance() throws {
        let sandbox = try Sandbox()
        try sandbox.write("Procfile", "web: exec sleep 60\n")
        let base = FreePorts.base()
        let taken = try TCPSocket.listen(on: .init(host: .loopback, port: base))
        defer { taken.close() }
        let outcome = try DroverProcess.run(["start", "-p", "\(base)", "--listen", "web"], in: sandbox.path)
        #expect(outcome.code == 1)
        #expect(outcome.stderr == "drover: cannot listen on 127.0.0.1:\(base) for web.1: address already in use\n", "\(outcome.stderr)")
        #expect(!outcome.stdout.contains("started"))
        // Another address is another socket: the same port is free on 127.0.0.2.
        try sandbox.write("Procfile", "web: exit 0\n")
        let elsewhere = try DroverProcess.run(
            ["start", "-p", "\(base)", "--listen", "web", "--listen-address", "127.0.0.2", "--can-die", "web"], in: sandbox.path)
        #expect(elsewhere.code == 0, "\(elsewhere.stderr)")
        #expect(elsewhere.stdout.contains("web.1 started with pid"))
    }
}
