import Foundation
import Testing

/// `drover start --daemon`: background start, control, and a clean end.
@Suite struct DaemonTests {
    /// The pid in "drover is running in the background (pid N); ...".
    static func daemonPid(_ stdout: String) -> Int32? {
        guard let range = stdout.range(of: "(pid ") else { return nil }
        return Int32(stdout[range.upperBound...].prefix { $0.isNumber })
    }

    /// Waits for `pids` to disappear; kills and reports any that do not.
    static func expectGone(_ pids: [Int32], timeout: Double = 20, sourceLocation: SourceLocation = #_sourceLocation) {
        let deadline = Date().addingTimeInterval(timeout)
        while pids.contains(where: ProcessTable.isAlive) && Date() < deadline { usleep(20_000) }
        let survivors = ProcessTable.killSurvivors(pids)
        #expect(survivors.isEmpty, "still running: \(survivors)", sourceLocation: sourceLocation)
    }

    @Test func startsInTheBackgroundAnswersAndStopsCleanly() throws {
        let sandbox = try Sandbox()
        try sandbox.write(
            "Procfile",
            """
            web: echo "web up"; exec sleep 120
            worker: sh -c 'trap "" TERM; exec sleep 120' & echo "worker up"; wait
            """)
        let started = try DroverProcess.run(["start", "--daemon", "-t", "1", "--log", "drover.log"], in: sandbox.path)
        #expect(started.code == 0)
        #expect(started.stdout.hasPrefix("drover is running in the background (pid "))
        #expect(started.stdout.hasSuffix("; control socket: .drover.sock\n"))
        let daemon = try #require(Self.daemonPid(started.stdout))
        defer { _ = ProcessTable.killSurvivors([daemon]) }
        // The background drover holds the socket's lock itself (its parent has exited).
        let second = try DroverProcess.run(["start", "--daemon"], in: sandbox.path)
        #expect(second.code == 1)
        #expect(second.stderr == "drover: drover is already running here (pid \(daemon)); use 'drover stop' or -s PATH\n")

        // It returned once every instance was spawned.
        let listing = try DroverProcess.run(["ps", "--json"], in: sandbox.path)
        let rows = ProcessList.rows(fromJSON: listing.stdout)
        #expect(rows.count == 2)
        #expect(rows.allSatisfy { $0["state"] as? String == "running" && $0["pid"] is Int })
        let instancePids = ProcessList.pids(fromJSON: listing.stdout)
        // Its own session: not tied to the terminal or process group that started it.
        let stat = try String(contentsOfFile: "/proc/\(daemon)/stat", encoding: .utf8)
        let fields = stat[stat.index(after: stat.lastIndex(of: ")")!)...].split(separator: " ")
        // After the name: state, ppid, pgrp, session, tty_nr.
        #expect(Int32(fields[3]) == daemon, "session id is its own pid")
        #expect(fields[4] == "0", "no controlling terminal")

        let deadline = Date().addingTimeInterval(20)
        func logged(_ text: String) -> Bool { ((try? sandbox.read("drover.log")) ?? "").contains(text) }
        while !(logged("worker up") && logged("web up")) && Date() < deadline { usleep(20_000) }
        #expect(try sandbox.read("drover.log").contains("| worker up"))
        let replay = try DroverProcess.run(["logs"], in: sandbox.path)
        #expect(replay.stdout.contains("web.1    | web up\n"))

        let stopped = try DroverProcess.run(["stop"], in: sandbox.path)
        #expect(stopped.code == 0)
        #expect(stopped.stdout == "stopping drover (pid \(daemon)) and its formation\n")
        Self.expectGone([daemon] + instancePids)
        #expect(!FileManager.default.fileExists(atPath: sandbox.path + "/.drover.sock"))
        #expect(try sandbox.read("drover.log").contains("sending SIGKILL to 1 process still running after 1s"))
        let after = try DroverProcess.run(["ps"], in: sandbox.path)
        #expect(after.code == 1)
        #expect(after.stderr.hasPrefix("drover: no drover is running here (.drover.sock: "))
    }

    @Test func reportsErrorsBeforeStartingItself() throws {
        let sandbox = try Sandbox()
        try sandbox.write("Procfile", "web bundle exec puma\n")
        let bad = try DroverProcess.run(["start", "--daemon"], in: sandbox.path)
        #expect(bad.code == 1)
        #expect(bad.stderr == "drover: Procfile:1: expected \"name: command\", got \"web bundle exec puma\"\n")
        #expect(!FileManager.default.fileExists(atPath: sandbox.path + "/.drover.sock"))

        try sandbox.write("Procfile", "web: exec sleep 60\n")
        let first = try DroverProcess.run(["start", "-D"], in: sandbox.path)
        let daemon = try #require(Self.daemonPid(first.stdout))
        defer { _ = ProcessTable.killSurvivors([daemon]) }
        let busy = try DroverProcess.run(["start", "--daemon"], in: sandbox.path)
        #expect(busy.code == 1)
        #expect(busy.stderr == "drover: drover is already running here (pid \(daemon)); use 'drover stop' or -s PATH\n")
        let pids = ProcessList.pids(fromJSON: try DroverProcess.run(["ps", "--json"], in: sandbox.path).stdout)
        #expect(try DroverProcess.run(["quit"], in: sandbox.path).code == 0)
        Self.expectGone([daemon] + pids)
    }

    @Test func socketOptionAndEnvironmentPointClientsElsewhere() throws {
        let sandbox = try Sandbox()
        try sandbox.write("Procfile", "web: exec sleep 60\n")
        let started = try DroverProcess.run(["start", "-D", "-s", "ctl.sock"], in: sandbox.path)
        let daemon = try #require(Self.daemonPid(started.stdout))
        defer { _ = ProcessTable.killSurvivors([daemon]) }
        #expect(started.stdout.hasSuffix("control socket: ctl.sock\n"))
        #expect(try DroverProcess.run(["ps"], in: sandbox.path).code == 1, "not at the default path")
        let viaFlag = try DroverProcess.run(["ps", "--socket=ctl.sock", "--json"], in: sandbox.path)
        let pids = ProcessList.pids(fromJSON: viaFlag.stdout)
        #expect(pids.count == 1)
        let viaEnvironment = try DroverProcess.run(
            ["quit"], in: sandbox.path, environment: DroverProcess.environment(["DROVER_SOCKET": "ctl.sock"]))
        #expect(viaEnvironment.code == 0)
        Self.expectGone([daemon] + pids)
    }

    @Test func aSocketPathThatIsTooLongIsRefused() throws {
        let sandbox = try Sandbox()
        try sandbox.write("Procfile", "web: exec sleep 60\n")
        let long = String(repeating: "s", count: 120)
        let outcome = try DroverProcess.run(["start", "-D", "-s", long], in: sandbox.path)
        #expect(outcome.code == 1)
        #expect(outcome.stderr == "drover: control socket path \"\(long)\" is longer than 107 bytes; choose a shorter one with -s\n")
    }
}
