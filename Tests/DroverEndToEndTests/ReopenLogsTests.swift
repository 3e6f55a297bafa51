import Foundation
import Testing

/// `drover reopen-logs`: logrotate renames the `--log` file, drover opens the path again.
@Suite struct ReopenLogsTests {
    /// The numbers of the `n N` lines in a log file, in order.
    static func numbers(_ text: String) -> [Int] {
        text.split(separator: "\n").compactMap { line in
            line.range(of: "| n ").flatMap { Int(line[$0.upperBound...]) }
        }
    }

    @Test func newLinesGoToTheNewFileAndNoneIsLost() throws {
        let sandbox = try Sandbox()
        try sandbox.write(
            "Procfile",
            """
            counter: i=0; while [ ! -e stop ]; do i=$((i+1)); echo "n $i"; sleep 0.005; done; echo "last $i"; exec sleep 60
            """)
        let started = try DroverProcess.run(["start", "--daemon", "--log", "a.log"], in: sandbox.path)
        #expect(started.code == 0)
        let daemon = try #require(DaemonTests.daemonPid(started.stdout))
        defer { _ = ProcessTable.killSurvivors([daemon]) }
        let pids = ProcessList.pids(fromJSON: try DroverProcess.run(["ps", "--json"], in: sandbox.path).stdout)
        func waitFor(_ what: String, _ condition: () -> Bool) {
            let deadline = Date().addingTimeInterval(30)
            while !condition() && Date() < deadline { usleep(20_000) }
            #expect(condition(), "timed out waiting for \(what)")
        }
        waitFor("lines in a.log") { Self.numbers(sandbox.text("a.log")).count >= 20 }

        try FileManager.default.moveItem(atPath: sandbox.path + "/a.log", toPath: sandbox.path + "/a.log.1")
        let reopened = try DroverProcess.run(["reopen-logs"], in: sandbox.path)
        #expect(reopened.code == 0)
        #expect(reopened.stdout == "reopened a.log\n")
        waitFor("lines in the new a.log") { Self.numbers(sandbox.text("a.log")).count >= 20 }
        try sandbox.write("stop", "")
        waitFor("the counter's last line") { sandbox.text("a.log").contains("| last ") }
        #expect(try DroverProcess.run(["stop"], in: sandbox.path).code == 0)
        DaemonTests.expectGone([daemon] + pids)

        let old = sandbox.text("a.log.1")
        let new = sandbox.text("a.log")
        #expect(new.hasPrefix(String(new.prefix(9)) + "system    |"))
        #expect(new.split(separator: "\n").first?.hasSuffix("| reopened a.log") == true, "it starts with the reopen")
        #expect(!old.contains("reopened"))
        // Every line exactly once, in order, split between the two files.
        let oldNumbers = Self.numbers(old)
        let newNumbers = Self.numbers(new)
        #expect(!oldNumbers.isEmpty && !newNumbers.isEmpty)
        #expect(oldNumbers + newNumbers == Array(1...(oldNumbers.count + newNumbers.count)))
        let last = new.range(of: "| last ").map { Int(new[$0.upperBound...].prefix { $0.isNumber }) ?? 0 }
        #expect(last == oldNumbers.count + newNumbers.count)
    }

    @Test func withoutALogFileItIsAnError() throws {
        let formation = try ControlTests.Formation("web: exec sleep 60\n")
        formation.drover.waitForOutput("web.1 started")
        let outcome = try formation.client(["reopen-logs"])
        #expect(outcome.code == 1)
        #expect(outcome.stderr == "drover: this drover has no log file to reopen (start it with --daemon --log FILE)\n")
        #expect(try formation.finish().code == 0)
    }

    @Test func aPathThatCannotBeOpenedKeepsTheOldFile() throws {
        let sandbox = try Sandbox()
        try sandbox.write("Procfile", "web: echo up; exec sleep 60\n")
        try FileManager.default.createDirectory(atPath: sandbox.path + "/logs", withIntermediateDirectories: false)
        let started = try DroverProcess.run(["start", "-D", "--log", "logs/a.log"], in: sandbox.path)
        let daemon = try #require(DaemonTests.daemonPid(started.stdout))
        defer { _ = ProcessTable.killSurvivors([daemon]) }
        let pids = ProcessList.pids(fromJSON: try DroverProcess.run(["ps", "--json"], in: sandbox.path).stdout)
        // logs/ is renamed away: logs/a.log cannot be created.
        try FileManager.default.moveItem(atPath: sandbox.path + "/logs", toPath: sandbox.path + "/old")
        let outcome = try DroverProcess.run(["reopen-logs"], in: sandbox.path)
        #expect(outcome.code == 1)
        #expect(
            outcome.stderr
                == "drover: cannot reopen logs/a.log: no such file or directory; still writing to the old file\n")
        #expect(try DroverProcess.run(["stop"], in: sandbox.path).code == 0)
        DaemonTests.expectGone([daemon] + pids)
        #expect(sandbox.text("old/a.log").contains("stop requested, stopping all processes"))
    }
}
