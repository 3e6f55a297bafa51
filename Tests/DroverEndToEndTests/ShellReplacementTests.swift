import Foundation
import Testing

/// The program, not `/bin/sh`, is what drover watches and signals (docs/lifecycle.md).
@Suite struct ShellReplacementTests {
    /// A program that prints its own pid and notes every SIGUSR1 in `MARKER`.
    static func program(marker: String) -> String {
        "sh -c 'echo pid=$$; trap \"echo usr1 >> \(marker)\" USR1; while :; do sleep 0.05; done'"
    }

    @Test func forwardedUSR1ReachesTheProgramAndTheFormationKeepsRunning() throws {
        let formation = try ControlTests.Formation(
            """
            simple: \(Self.program(marker: "simple.marker"))
            listed: /bin/true && \(Self.program(marker: "listed.marker"))
            """)
        let drover = formation.drover
        #expect(drover.waitForOutput("simple.1 | pid="))
        #expect(drover.waitForOutput("listed.1 | pid="))
        for name in ["simple", "listed"] {
            // The pid drover watches (and `ps` shows) is the program's own `$$`.
            let printed = StartLifecycleTests.pids(in: drover.stdout, named: "\(name).1 | pid")
            #expect(printed.count == 1)
            #expect(ControlTests.pid(try formation.row("\(name).1")) == printed.first)
        }

        drover.signal(SIGUSR1)
        let deadline = Date().addingTimeInterval(20)
        func marked(_ name: String) -> Bool { (try? formation.sandbox.read("\(name).marker")) == "usr1\n" }
        while Date() < deadline, !(marked("simple") && marked("listed")) { usleep(20_000) }
        #expect(marked("simple") && marked("listed"))
        try formation.waitFor("both still running") { rows in
            rows.count == 2 && rows.allSatisfy { $0["state"] as? String == "running" }
        }
        #expect(ProcessTable.isAlive(drover.pid))
        let outcome = try formation.finish()
        #expect(!outcome.stdout.contains("terminated by SIGUSR1"), "\(outcome.stdout)")
        #expect(outcome.stdout.contains("simple.1 terminated by SIGTERM\n"))
    }

    @Test func aDrainingProgramIsReportedWhenItEndsWithItsOwnStatus() throws {
        let sandbox = try Sandbox()
        // A gunicorn stand-in: on SIGTERM it drains for half a second, then exits 3.
        let drains = "sh -c 'trap \"sleep 0.5; exit 3\" TERM; echo up; while :; do sleep 0.05; done'"
        try sandbox.write(
            "Procfile",
            """
            exec: cd . && \(drains)
            kept: \(drains); true
            """)
        let drover = try RunningDrover(["start", "--no-timestamp"], in: sandbox.path)
        #expect(drover.waitForOutput("exec.1 | up"))
        #expect(drover.waitForOutput("kept.1 | up"))
        drover.signal(SIGTERM)
        let outcome = try drover.finish()
        for name in ["exec.1", "kept.1"] {
            #expect(outcome.stdout.contains("| \(name) exited with code 3\n"), "\(outcome.stdout)")
            #expect(!outcome.stdout.contains("\(name) terminated by SIGTERM"))
        }
    }

    @Test func aProgramThatDiesOfTheSignalBehindAShellIsReportedSo() throws {
        let sandbox = try Sandbox()
        // "up" comes from the last program once it runs: a signal sent while the shell is
        // still starting it could be lost to the forked child (see docs/lifecycle.md).
        try sandbox.write("Procfile", "piped: cat | sh -c 'echo up; exec sleep 60'\n")
        let drover = try RunningDrover(["start", "--no-timestamp"], in: sandbox.path)
        #expect(drover.waitForOutput("piped.1 | up"))
        drover.signal(SIGTERM)
        let outcome = try drover.finish()
        #expect(outcome.stdout.contains("piped.1 terminated by SIGTERM\n"), "\(outcome.stdout)")
    }

    /// The shell's own traps are caught, not ignored, so the program starts with every
    /// disposition at its default: a USR1 kills a program that does not handle it.
    @Test func theProgramDoesNotInheritTheShellsTraps() throws {
        let sandbox = try Sandbox()
        try sandbox.write(
            "Procfile",
            """
            execd: /bin/true && sh -c 'kill -USR1 $$; echo survived'
            forked: sh -c 'kill -USR1 $$; echo survived'; echo shell went on
            """)
        let outcome = try DroverProcess.run(["start", "--no-timestamp", "--can-die", "all"], in: sandbox.path)
        #expect(outcome.stdout.contains("execd.1 terminated by SIGUSR1\n"), "\(outcome.stdout)")
        #expect(outcome.stdout.contains("forked.1 | shell went on\n"), "\(outcome.stdout)")
        #expect(!outcome.stdout.contains("survived"))
    }

    @Test func runReplacesItselfWithTheProgram() throws {
        let sandbox = try Sandbox()
        try sandbox.write("Procfile", "web: cd . && sh -c 'echo pid=$$'\n")
        let drover = try RunningDrover(["run", "web"], in: sandbox.path)
        let outcome = try drover.finish()
        #expect(outcome.code == 0)
        #expect(outcome.stdout == "pid=\(drover.pid)\n")
    }
}
