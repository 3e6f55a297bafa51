import Foundation
import Testing

/// Restart policies, backoff, the restart limit and can-die types, against the built binary.
@Suite struct RestartPolicyTests {
    typealias Formation = ControlTests.Formation

    static func row(_ rows: [[String: Any]], _ name: String) -> [String: Any]? {
        rows.first { $0["name"] as? String == name }
    }

    /// Millisecond timestamps the instances appended to `file`, one per run.
    static func times(in sandbox: Sandbox, _ file: String) -> [Int] {
        sandbox.text(file).split(separator: "\n").compactMap { Int($0) }
    }

    @Test func backoffGapsGrowThenTheLimitGivesUpAndStopsTheFormation() throws {
        let sandbox = try Sandbox()
        try sandbox.write(
            "Procfile",
            """
            web: exec sleep 60
            worker: date +%s%3N >> starts; exit 3
            """)
        let outcome = try DroverProcess.run(
            ["start", "--no-timestamp", "-r", "worker=on-failure", "--restart-delay", "0.2", "--restart-limit", "3"],
            in: sandbox.path)
        #expect(outcome.code == 3, "the worker cannot die, so giving up stops everything with its code")
        for (restart, delay) in [(1, "0.2s"), (2, "0.4s"), (3, "0.8s")] {
            #expect(outcome.stdout.contains("system   | worker.1 exited with code 3; restarting in \(delay) (restart \(restart))\n"))
        }
        #expect(outcome.stdout.contains("system   | worker.1 exited with code 3; giving up after 3 restarts\n"))
        #expect(outcome.stdout.contains("system   | web.1 terminated by SIGTERM\n"))
        let starts = Self.times(in: sandbox, "starts")
        #expect(starts.count == 4, "the first run and three restarts: \(starts)")
        let gaps = zip(starts.dropFirst(), starts).map { $0 - $1 }
        // A restart never comes early; how late it may be depends on the machine's load.
        for (gap, delay) in zip(gaps, [200, 400, 800]) {
            #expect(gap >= delay, "gaps \(gaps)")
        }
    }

    @Test func aCanDieTypeThatGivesUpLeavesTheRestRunning() throws {
        let formation = try Formation(
            """
            web: echo "web up"; exec sleep 120
            worker: echo "worker run"; exit 4
            """, arguments: ["-r", "worker=always", "--restart-delay", "0.05", "--restart-limit", "2", "--can-die", "worker"])
        formation.drover.waitForOutput("worker.1 exited with code 4; giving up after 2 restarts")
        try formation.waitFor("worker.1 failed") { Self.row($0, "worker.1")?["state"] as? String == "failed" }
        let rows = try formation.rows()
        #expect(Self.row(rows, "worker.1")?["restarts"] as? Int == 2)
        #expect(Self.row(rows, "worker.1")?["exit_code"] as? Int == 4)
        #expect(Self.row(rows, "worker.1")?["pid"] is NSNull)
        #expect(Self.row(rows, "web.1")?["state"] as? String == "running")
        #expect(formation.drover.stdout.components(separatedBy: "worker.1 | worker run").count == 4, "three runs")
        #expect(!formation.drover.stdout.contains("sending SIGTERM"), "nothing was stopped")
        #expect(try formation.finish().code == 0)
    }

    @Test func exitZeroUnderOnFailureIsDone() throws {
        // With can-die, the rest keeps running and the instance shows as exited.
        let formation = try Formation(
            """
            web: exec sleep 120
            once: echo "migrated"; exit 0
            """, arguments: ["-r", "all=on-failure", "--can-die", "once"])
        formation.drover.waitForOutput("once.1 exited with code 0")
        try formation.waitFor("once.1 exited") { Self.row($0, "once.1")?["state"] as? String == "exited" }
        let once = Self.row(try formation.rows(), "once.1")
        #expect(once?["restarts"] as? Int == 0)
        #expect(once?["exit_code"] as? Int == 0)
        #expect(Self.row(try formation.rows(), "web.1")?["state"] as? String == "running")
        #expect(!formation.drover.stdout.contains("restarting"))
        #expect(try formation.finish().code == 0)

        // Without can-die, a finished instance stops the formation as foreman's would, with 0.
        let sandbox = try Sandbox()
        try sandbox.write("Procfile", "web: exec sleep 60\nonce: exit 0\n")
        let outcome = try DroverProcess.run(["start", "--no-timestamp", "-r", "all=on-failure"], in: sandbox.path)
        #expect(outcome.code == 0)
        #expect(outcome.stdout.contains("system | once.1 exited with code 0\n"))
        #expect(outcome.stdout.contains("system | sending SIGTERM to all processes\n"))
        #expect(!outcome.stdout.contains("restarting"))
    }

    @Test func aManualStopNeverRestartsAndStartCountsARestart() throws {
        let formation = try Formation(
            """
            web: echo "web pid=$$"; exec sleep 120
            other: exec sleep 120
            """, arguments: ["-r", "all=always", "--restart-delay", "0"])
        formation.drover.waitForOutput("web.1   | web pid=")
        #expect(try formation.client(["stop", "web"]).code == 0)
        try formation.waitFor("web.1 stopped") { Self.row($0, "web.1")?["state"] as? String == "stopped" }
        // With a delay of 0 a policy restart would be immediate: give it time to show.
        usleep(500_000)
        let row = Self.row(try formation.rows(), "web.1")
        #expect(row?["state"] as? String == "stopped")
        #expect(row?["restarts"] as? Int == 0)
        #expect(!formation.drover.stdout.contains("restarting"))
        #expect(try formation.client(["start", "web"]).code == 0)
        try formation.waitFor("web.1 running again") { Self.row($0, "web.1")?["state"] as? String == "running" }
        #expect(Self.row(try formation.rows(), "web.1")?["restarts"] as? Int == 1)
        #expect(try formation.finish().code == 0)
    }

    @Test func psShowsABackoffAndRestartSkipsIt() throws {
        let formation = try Formation(
            """
            web: exec sleep 120
            worker: echo "worker run"; exit 3
            """, arguments: ["-r", "worker=always", "--restart-delay", "60", "--restart-max-delay", "60"])
        formation.drover.waitForOutput("worker.1 exited with code 3; restarting in 60s")
        try formation.waitFor("worker.1 in backoff") { Self.row($0, "worker.1")?["state"] as? String == "backoff" }
        let row = Self.row(try formation.rows(), "worker.1")
        let retry = row?["retry_in_s"] as? Double
        #expect(retry.map { $0 > 0 && $0 <= 60 } == true, "\(String(describing: row))")
        #expect(row?["exit_code"] as? Int == 3)
        #expect(Self.row(try formation.rows(), "web.1")?["retry_in_s"] is NSNull)
        let table = try formation.client(["ps"]).stdout
        let line = table.split(separator: "\n").first { $0.hasPrefix("worker.1 ") }
        #expect(line?.contains(" backoff (") == true, "\(table)")
        // A user's restart does not wait for the backoff.
        #expect(try formation.client(["restart", "worker"]).stdout == "restarting worker.1\n")
        // The first exit already said "(restart 1)": wait for the second exit line itself.
        formation.drover.waitForOutput("worker.1 exited with code 3; restarting in 60s", times: 2)
        #expect(formation.drover.stdout.components(separatedBy: "worker.1 | worker run").count == 3)
        #expect(try formation.finish().code == 0)
    }

    @Test func whenOnlyCanDieTypesAreLeftDroverExitsWithTheFirstFailure() throws {
        let sandbox = try Sandbox()
        try sandbox.write("Procfile", "a: sleep 0.2; exit 0\nb: sleep 0.4; exit 5\nc: sleep 0.8; exit 6\n")
        let failed = try DroverProcess.run(["start", "--no-timestamp", "--can-die", "all"], in: sandbox.path)
        #expect(failed.code == 5)
        #expect(failed.stdout.contains("system | every process has ended\n"))

        try sandbox.write("Procfile", "a: exit 0\nb: sleep 0.2; exit 0\n")
        let clean = try DroverProcess.run(["start", "--no-timestamp", "--can-die", "a,b"], in: sandbox.path)
        #expect(clean.code == 0)
        #expect(clean.stdout.contains("system | every process has ended\n"))
    }

    @Test func aScaleDownNeverEndsDrover() throws {
        let formation = try Formation(
            """
            web: exec sleep 120
            migrate: echo migrated; exit 0
            """, arguments: ["--can-die", "migrate"])
        formation.drover.waitForOutput("migrate.1 exited with code 0")
        #expect(try formation.client(["scale", "web=0"]).code == 0)
        formation.drover.waitForOutput("web.1 terminated by SIGTERM")
        // Only the ended one-shot is left, but the user is steering: drover waits.
        usleep(300_000)
        #expect(try formation.client(["ps"]).code == 0)
        #expect(try formation.client(["scale", "web=1"]).stdout == "formation: web=1 migrate=1\n")
        #expect(!formation.drover.stdout.contains("every process has ended"))
        #expect(try formation.finish().code == 0)
    }

    @Test func aScaleUpWaitsForTheRunStillStoppingInItsPlace() throws {
        let formation = try Formation(
            """
            slow: trap 'sleep 0.5; echo "gone $PS"; exit 0' TERM; echo "up $PS"; while true; do sleep 0.05; done
            """, arguments: ["-m", "slow=2", "-t", "10"])
        formation.drover.waitForOutput("slow.2 | up slow.2")
        #expect(try formation.client(["scale", "slow=1"]).code == 0)
        #expect(try formation.client(["scale", "slow=2"]).stdout == "formation: slow=2\n")
        let deadline = Date().addingTimeInterval(20)
        while formation.drover.stdout.components(separatedBy: "up slow.2").count < 3 && Date() < deadline { usleep(10_000) }
        let output = formation.drover.stdout
        let gone = try #require(output.range(of: "slow.2 | gone slow.2"))
        let second = try #require(output.range(of: "up slow.2", range: gone.upperBound..<output.endIndex))
        #expect(gone.upperBound <= second.lowerBound, "one run at a time on slow.2's PORT")
        #expect(output.components(separatedBy: "up slow.1").count == 2, "slow.1 untouched")
        #expect(try formation.finish().code == 0)
    }

    @Test func aCleanStopSendsOneSIGTERM() throws {
        let sandbox = try Sandbox()
        // The shell does not exec: its child is a member of the group, and dash dies
        // of SIGTERM before the child has finished draining.
        try sandbox.write(
            "Procfile",
            """
            web: sh -c 'trap "echo term >> terms; sleep 0.5; exit 0" TERM; echo up; while true; do sleep 0.05; done'; echo done
            """)
        let drover = try RunningDrover(["start", "--no-timestamp"], in: sandbox.path)
        drover.waitForOutput("web.1  | up")
        drover.signal(SIGTERM)
        #expect(try drover.finish().code == 0)
        #expect(sandbox.text("terms") == "term\n", "a second SIGTERM cuts a drain short")
    }

    @Test func aCrashedInstancesLeftoversAreStoppedBeforeItRestarts() throws {
        let formation = try Formation(
            """
            worker: trap '' TERM; sh -c 'trap "" TERM; exec sleep 300' & echo "child=$!"; sleep 0.3; exit 1
            """, arguments: ["-r", "worker=always", "--restart-delay", "0.5", "-t", "1"])
        formation.drover.waitForOutput("restarting in 0.5s (restart 1)")
        let children = StartLifecycleTests.pids(in: formation.drover.stdout, named: "child")
        #expect(!children.isEmpty)
        // The grandchild ignores SIGTERM: SIGKILL comes after -t.
        let deadline = Date().addingTimeInterval(20)
        while children.contains(where: ProcessTable.isAlive) && Date() < deadline { usleep(20_000) }
        #expect(children.allSatisfy { !ProcessTable.isAlive($0) }, "the first run's child outlived it")
        _ = try formation.finish()
        let all = StartLifecycleTests.pids(in: formation.drover.stdout, named: "child")
        #expect(ProcessTable.killSurvivors(all).isEmpty)
    }

    @Test func settingsComeFromDroverSections() throws {
        let sandbox = try Sandbox()
        try sandbox.write("Procfile", "web: exec sleep 60\nworker: echo run; exit 2\n")
        try sandbox.write(".drover", "restart-delay=0.05\n[worker]\nrestart=on-failure\nrestart-limit=1\ncan-die=true\n")
        let drover = try RunningDrover(["start", "--no-timestamp"], in: sandbox.path)
        drover.waitForOutput("worker.1 exited with code 2; giving up after 1 restart")
        drover.signal(SIGTERM)
        #expect(try drover.finish().code == 0, "worker can die: web ran on until SIGTERM")

        try sandbox.write(".drover", "[worker]\nrestart=on-failure\n[db]\nrestart=always\n")
        let check = try DroverProcess.run(["check"], in: sandbox.path)
        #expect(check.code == 1)
        #expect(check.stderr == "drover: .drover:3: unknown process type \"db\" (the Procfile has: web, worker) in section [db]\n")
        // Every problem at once: the file's shape and what its values mean.
        try sandbox.write(".drover", "\u{FEFF}[worker]\nrestart=bogus\n[worker]\nx=1\n[zzz]\n")
        let all = try DroverProcess.run(["check"], in: sandbox.path)
        #expect(
            all.stderr == """
                drover: .drover:3: section [worker] is already on line 1
                drover: .drover:4: unknown option "x" (known: procfile, env, root, formation, port, timeout, color, no-timestamp, no-prefix, socket, restart, can-die, restart-delay, restart-max-delay, restart-limit, tty, ready, ready-timeout, after, listen, listen-address, watch, watch-ignore, watch-debounce, log-format, app, user, log, image)
                drover: .drover:2: invalid value "bogus" for restart: unknown restart policy "bogus" (policies: no, on-failure, always)
                drover: .drover:5: unknown process type "zzz" (the Procfile has: web, worker) in section [zzz]

                """)
        try sandbox.write(".drover", "")
        let bad = try DroverProcess.run(["start", "-r", "worker=sometimes"], in: sandbox.path)
        #expect(bad.code == 64)
        #expect(bad.stderr.hasPrefix("drover: invalid value \"worker=sometimes\" for -r: unknown restart policy"))
    }
}
