import Foundation
import Testing

/// `--log-format json`: the stream, the daemon's `--log` file and `drover logs`.
@Suite struct JSONLogTests {
    /// Every non-empty line of `text` as a JSON object (a line that is not one fails the test).
    static func objects(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) -> [[String: Any]] {
        text.split(separator: "\n").compactMap { line in
            let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            #expect(object != nil, "not a JSON object: \(line)", sourceLocation: sourceLocation)
            return object
        }
    }

    static func system(_ objects: [[String: Any]], _ event: String, _ instance: String) -> [String: Any]? {
        objects.first { $0["name"] as? String == "system" && $0["event"] as? String == event && $0["instance"] as? String == instance }
    }

    @Test func theStreamIsOneObjectPerLineWithSystemEvents() throws {
        let sandbox = try Sandbox()
        try sandbox.write("Procfile", "web: printf 'hi \\033[31mred\\377\\n'; exit 3\n")
        let outcome = try DroverProcess.run(["start", "--log-format", "json"], in: sandbox.path)
        #expect(outcome.code == 3)
        let objects = Self.objects(outcome.stdout)
        let line = try #require(objects.first { $0["name"] as? String == "web.1" })
        #expect(line["line"] as? String == "hi \u{1B}[31mred\u{FFFD}")
        #expect(line["type"] as? String == "web" && line["number"] as? Int == 1 && line["pid"] is Int)
        let time = try #require(line["time"] as? String)
        #expect(time.wholeMatch(of: #/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z/#) != nil, "\(time)")
        let started = try #require(Self.system(objects, "started", "web.1"))
        #expect(started["pid"] as? Int == line["pid"] as? Int && started["port"] as? Int == 5000)
        #expect((started["line"] as? String)?.hasPrefix("web.1 started with pid ") == true)
        let exited = try #require(Self.system(objects, "exited", "web.1"))
        #expect(exited["code"] as? Int == 3 && exited["line"] as? String == "web.1 exited with code 3")
        #expect(!outcome.stdout.contains("\u{1B}"), "escaped, never raw")
    }

    @Test func aWatchRestartIsARestartingEvent() throws {
        let sandbox = try Sandbox()
        try sandbox.write("Procfile", "web: echo \"run $$\"; exec sleep 120\n")
        let drover = try RunningDrover(["start", "--log-format", "json", "--watch", "web"], in: sandbox.path)
        drover.waitForOutput(#""line":"run "#)
        try sandbox.write("main.py", "print(1)\n")
        drover.waitForOutput(#""event":"restarting""#, timeout: 30)
        drover.waitForOutput(#""line":"run "#, times: 2, timeout: 30)
        drover.signal(SIGTERM)
        let outcome = try drover.finish()
        #expect(outcome.code == 0, "\(outcome.stderr)")
        let restart = try #require(Self.objects(outcome.stdout).first { $0["event"] as? String == "restarting" })
        #expect(restart["type"] as? String == "web" && restart["reason"] as? String == "files-changed")
        #expect(restart["changed"] as? Int == 1 && restart["paths"] as? [String] == ["main.py"])
        #expect(restart["line"] as? String == "web: restarting (main.py changed)")
    }

    @Test func theDefaultsFileSetsItAndABadValueNamesTheLine() throws {
        let sandbox = try Sandbox()
        try sandbox.write("Procfile", "web: echo up\n")
        try sandbox.write(".drover", "log-format=json\n")
        let outcome = try DroverProcess.run(["start"], in: sandbox.path)
        #expect(Self.objects(outcome.stdout).contains { $0["line"] as? String == "up" })
        try sandbox.write(".drover", "log-format=yaml\n")
        let bad = try DroverProcess.run(["check"], in: sandbox.path)
        #expect(bad.code == 1 && bad.stderr.contains(".drover:1:") && bad.stderr.contains("text or json"), "\(bad.stderr)")
        let flag = try DroverProcess.run(["start", "--log-format", "xml"], in: sandbox.path)
        #expect(flag.code == 1 || flag.code == 64)
        #expect(flag.stderr.contains("--log-format") && flag.stderr.contains("text or json"), "\(flag.stderr)")
    }

    @Test func theDaemonsLogFileAndLogsTakeTheirOwnFormats() throws {
        let sandbox = try Sandbox()
        try sandbox.write("Procfile", "web: echo \"web up\"; exec sleep 120\n")
        let started = try DroverProcess.run(
            ["start", "--daemon", "-t", "1", "--log", "drover.log", "--log-format", "json"], in: sandbox.path)
        #expect(started.code == 0)
        let daemon = try #require(DaemonTests.daemonPid(started.stdout))
        defer { _ = ProcessTable.killSurvivors([daemon]) }
        let deadline = Date().addingTimeInterval(20)
        func logged() -> String { (try? sandbox.read("drover.log")) ?? "" }
        while !logged().contains("web up") && Date() < deadline { usleep(20_000) }
        #expect(Self.objects(logged()).contains { $0["name"] as? String == "web.1" && $0["line"] as? String == "web up" })

        // The follower asks for its own format, whatever the daemon writes.
        let text = try DroverProcess.run(["logs"], in: sandbox.path)
        #expect(text.stdout.contains("web.1  | web up\n"), "\(text.stdout)")
        let json = try DroverProcess.run(["logs", "--log-format", "json"], in: sandbox.path)
        let objects = Self.objects(json.stdout)
        #expect(objects.contains { $0["name"] as? String == "web.1" && $0["line"] as? String == "web up" && $0["pid"] is Int })
        #expect(Self.system(objects, "started", "web.1")?["port"] as? Int == 5000)

        let stopped = try DroverProcess.run(["stop"], in: sandbox.path)
        #expect(stopped.code == 0)
        DaemonTests.expectGone([daemon])
        #expect(Self.objects(logged()).contains { $0["event"] as? String == "stopping" })
    }
}
