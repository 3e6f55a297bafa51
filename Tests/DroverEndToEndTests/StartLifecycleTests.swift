import Foundation
import Testing

/// How `drover start` stops, and that nothing outlives it.
@Suite struct StartLifecycleTests {
    /// Pids a process printed as "NAME=PID" lines.
    static func pids(in stdout: String, named label: String) -> [Int32] {
        stdout.split(separator: "\n").compactMap { line in
            guard let range = line.range(of: "\(label)=") else { return nil }
            return Int32(line[range.upperBound...].prefix { $0.isNumber })
        }
    }

    @Test func exitCodeOfTheInstanceThatStoppedTheFormation() throws {
        let sandbox = try Sandbox()
        try sandbox.write("Procfile", "web: exec sleep 60\nfail: sleep 0.2; exit 7\n")
        let outcome = try DroverProcess.run(["start"], in: sandbox.path)
        #expect(outcome.code == 7)
        #expect(outcome.stdout.contains("| fail.1 exited with code 7\n"))
        #expect(outcome.stdout.contains("| sending SIGTERM to all processes\n"))
        #expect(outcome.stdout.contains("| web.1 terminated by SIGTERM\n"))

        try sandbox.write("Procfile", "web: exec sleep 60\nfail: sleep 0.2; kill -KILL $$\n")
        let killed = try DroverProcess.run(["start"], in: sandbox.path)
        #expect(killed.code == 128 + 9)
        #expect(killed.stdout.contains("| fail.1 terminated by SIGKILL\n"))

        try sandbox.write("Procfile", "web: exec sleep 60\ndone: sleep 0.2\n")
        #expect(try DroverProcess.run(["start"], in: sandbox.path).code == 0)
    }

    @Test(arguments: [SIGINT, SIGTERM, SIGHUP])
    func aSignalDrainsTheFormationAndExitsZero(_ signal: Int32) throws {
        let sandbox = try Sandbox()
        try sandbox.write(
            "Procfile", "web: echo up; exec sleep 60\nworker: trap 'echo bye; exit 0' TERM; echo up; while true; do sleep 0.05; done\n")
        let drover = try RunningDrover(["start", "--no-timestamp"], in: sandbox.path)
        drover.waitForOutput("worker.1 | up")
        drover.waitForOutput("web.1    | up")
        drover.signal(signal)
        let outcome = try drover.finish()
        #expect(outcome.code == 0)
        let name = signal == SIGINT ? "SIGINT" : signal == SIGTERM ? "SIGTERM" : "SIGHUP"
        #expect(outcome.stdout.contains("system   | \(name) received, stopping all processes\n"))
        #expect(outcome.stdout.contains("worker.1 | bye\n"))
        #expect(outcome.stdout.contains("system   | worker.1 exited with code 0\n"))
        #expect(!outcome.stdout.contains("SIGKILL"))
    }

    @Test func aProcessIgnoringSIGTERMIsKilledAfterTheTimeout() throws {
        let sandbox = try Sandbox()
        try sandbox.write("Procfile", "stubborn: trap '' TERM; echo ready; while true; do sleep 0.05; done\nok: exec sleep 60\n")
        let drover = try RunningDrover(["start", "-t", "1", "--no-timestamp"], in: sandbox.path)
        drover.waitForOutput("stubborn.1 | ready")
        drover.signal(SIGTERM)
        let outcome = try drover.finish()
        #expect(outcome.code == 1)
        #expect(outcome.stdout.contains("sending SIGKILL to 1 process still running after 1s\n"))
        #expect(outcome.stdout.contains("stubborn.1 terminated by SIGKILL\n"))
        #expect(outcome.stdout.contains("ok.1 terminated by SIGTERM\n"))
    }

    @Test func aSecondInterruptKillsAtOnce() throws {
        let sandbox = try Sandbox()
        try sandbox.write("Procfile", "stubborn: trap '' TERM INT; echo ready; while true; do sleep 0.05; done\n")
        // A 60 s timeout: only the second SIGINT can end this within the test's limit.
        let drover = try RunningDrover(["start", "-t", "60", "--no-timestamp"], in: sandbox.path)
        drover.waitForOutput("stubborn.1 | ready")
        drover.signal(SIGINT)
        drover.waitForOutput("sending SIGTERM to all processes")
        // Within 100 ms a repeat counts as the same request (timeout(1) sends two).
        usleep(200_000)
        drover.signal(SIGINT)
        let outcome = try drover.finish(timeout: 20)
        #expect(outcome.code == 1)
        #expect(outcome.stdout.contains("SIGINT received again; sending SIGKILL to 1 process still running\n"))
    }

    @Test func grandchildrenAndDaemonsDoNotOutliveDrover() throws {
        let sandbox = try Sandbox()
        try sandbox.write(
            "Procfile",
            """
            tree: sh -c 'trap "" TERM; while true; do sleep 0.05; done' & echo "grandchild=$!"; sleep 0.05 & echo "ready"; wait
            daemon: setsid sh -c 'trap "" TERM; echo "daemon=$$"; exec sleep 300' & sleep 60
            orphan: (sh -c 'echo "orphan=$$"; trap "" TERM; exec sleep 300' &); echo "parent gone"; exec sleep 60
            """)
        let drover = try RunningDrover(["start", "-t", "1", "--no-timestamp"], in: sandbox.path)
        drover.waitForOutput("grandchild=")
        drover.waitForOutput("daemon=")
        drover.waitForOutput("orphan=")
        let escapees = ["grandchild", "daemon", "orphan"].flatMap { Self.pids(in: drover.stdout, named: $0) }
        #expect(escapees.count == 3)
        #expect(escapees.allSatisfy(ProcessTable.isAlive), "they run while drover does")
        drover.signal(SIGTERM)
        let outcome = try drover.finish()
        #expect(outcome.code == 1, "the TERM-ignorers had to be killed")
        let survivors = ProcessTable.killSurvivors(escapees)
        #expect(survivors.isEmpty, "still alive after drover exited: \(survivors)")
    }

    @Test func leavesNoZombiesWhileRunning() throws {
        let sandbox = try Sandbox()
        // Each round orphans a short-lived grandchild; as subreaper drover must reap them.
        try sandbox.write(
            "Procfile",
            """
            spawner: i=0; while [ $i -lt 20 ]; do (sleep 0.01 &); i=$((i+1)); done; echo spawned; exec sleep 60
            """)
        let drover = try RunningDrover(["start", "--no-timestamp"], in: sandbox.path)
        drover.waitForOutput("spawner.1 | spawned")
        // Orphans die within 10 ms of being made; give the loop time to reap them all.
        var zombies: [Int32] = []
        let deadline = Date().addingTimeInterval(10)
        repeat {
            usleep(50_000)
            zombies = ProcessTable.children(of: drover.pid).filter { $0.state == "Z" }.map(\.pid)
        } while !zombies.isEmpty && Date() < deadline
        #expect(zombies.isEmpty, "zombie children of drover: \(zombies)")
        let children = ProcessTable.children(of: drover.pid).map(\.pid)
        #expect(children.filter { !ProcessTable.isGuardian($0) }.count == 1, "only the spawner's shell is left")
        #expect(children.filter(ProcessTable.isGuardian).count == 1, "and the guardian")
        drover.signal(SIGTERM)
        #expect(try drover.finish().code == 0)
    }

    @Test func userSignalsAreForwardedToEveryGroup() throws {
        let sandbox = try Sandbox()
        try sandbox.write(
            "Procfile",
            """
            a: trap 'echo got-usr1' USR1; trap 'echo got-usr2' USR2; echo ready; while true; do sleep 0.05; done
            b: trap 'echo got-usr1' USR1; trap 'echo got-usr2' USR2; echo ready; while true; do sleep 0.05; done
            """)
        let drover = try RunningDrover(["start", "--no-timestamp"], in: sandbox.path)
        drover.waitForOutput("a.1    | ready")
        drover.waitForOutput("b.1    | ready")
        drover.signal(SIGUSR1)
        drover.waitForOutput("a.1    | got-usr1")
        drover.waitForOutput("b.1    | got-usr1")
        drover.signal(SIGUSR2)
        drover.waitForOutput("a.1    | got-usr2")
        drover.waitForOutput("b.1    | got-usr2")
        #expect(drover.stdout.contains("system | SIGUSR1 received, forwarding it to all processes\n"))
        drover.signal(SIGTERM)
        #expect(try drover.finish().code == 0)
    }

    /// A missing root is refused before anything starts (as `check` does); one that
    /// goes away while drover runs makes the next spawn fail, reported, not a crash.
    @Test func anInstanceThatCannotBeSpawnedIsReportedNotCrashed() throws {
        let sandbox = try Sandbox()
        try sandbox.write("Procfile", "web: echo hi\n")
        let refused = try DroverProcess.run(["start", "-f", "Procfile", "-d", "no/such/dir"], in: sandbox.path)
        #expect(refused.code == 64)
        #expect(refused.stderr == "drover: invalid value \"no/such/dir\" for -d: no such directory\n")

        try sandbox.write("app/keep", "")
        let drover = try RunningDrover(
            ["start", "-f", "Procfile", "-d", "app", "-r", "web=always", "--restart-delay", "1", "--restart-limit", "1"],
            in: sandbox.path)
        drover.waitForOutput("| hi")
        try FileManager.default.removeItem(atPath: "\(sandbox.path)/app")
        let outcome = try drover.finish()
        #expect(outcome.code == 127)
        #expect(outcome.stdout.contains("| web.1 could not start: no such file or directory (/bin/sh in "), "\(outcome.stdout)")
        #expect(outcome.stderr == "")
    }

    @Test func childrenInheritOnlyTheStandardDescriptors() throws {
        let sandbox = try Sandbox()
        // exec: look at a program that opens nothing itself, from outside.
        try sandbox.write("Procfile", "a: echo \"child=$$\"; exec sleep 60\nb: echo \"child=$$\"; exec sleep 60\n")
        let drover = try RunningDrover(["start", "--no-timestamp"], in: sandbox.path)
        drover.waitForOutput("a.1    | child=")
        drover.waitForOutput("b.1    | child=")
        for pid in Self.pids(in: drover.stdout, named: "child") {
            // Right after exec the dynamic loader briefly holds a file of its own (fd 3);
            // an inherited descriptor would stay. So wait for the list to settle.
            let deadline = Date().addingTimeInterval(20)
            var descriptors: [String] = []
            repeat {
                descriptors = ((try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd")) ?? []).sorted()
                if descriptors == ["0", "1", "2"] { break }
                usleep(10_000)
            } while Date() < deadline
            let targets = descriptors.map {
                ($0, (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/fd/\($0)")) ?? "?")
            }
            #expect(descriptors == ["0", "1", "2"], "pid \(pid): \(targets)")
        }
        drover.signal(SIGTERM)
        #expect(try drover.finish().code == 0)
    }

    @Test func everyInstanceRunsInItsOwnProcessGroupInTheRoot() throws {
        let sandbox = try Sandbox()
        try sandbox.write(
            "app/Procfile",
            CoordinatedProcfile.make(
                [("web", #"echo "pid=$$ pgid=$(ps -o pgid= -p $$ | tr -d ' ') cwd=$(pwd) stdin=$(readlink /proc/$$/fd/0)""#)],
                instances: 2))
        let outcome = try DroverProcess.run(
            ["start", "--no-timestamp", "-f", "app/Procfile", "-m", "web=2,finish=1"],
            in: sandbox.path)
        let lines = StartOutputTests.lines(of: "web.1", in: outcome.stdout) + StartOutputTests.lines(of: "web.2", in: outcome.stdout)
        #expect(lines.count == 2)
        for line in lines {
            let fields = Dictionary(
                uniqueKeysWithValues: line.split(separator: " ").map {
                    let pair = $0.split(separator: "=", maxSplits: 1)
                    return (String(pair[0]), String(pair[1]))
                })
            #expect(fields["pid"] == fields["pgid"], "\(line)")
            #expect(fields["cwd"]?.hasSuffix("/app") == true, "\(line)")
            #expect(fields["stdin"] == "/dev/null", "\(line)")
        }
    }
}
