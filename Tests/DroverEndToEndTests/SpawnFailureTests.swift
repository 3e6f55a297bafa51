import DroverSystem
import Foundation
import Testing

/// A spawn that fails during a live change (`scale`, `restart`, `start NAME`) is
/// reported and marks its instance failed; the rest of the formation keeps running.
@Suite struct SpawnFailureTests {
    static let prlimit = "/usr/bin/prlimit"

    static func states(_ rows: [[String: Any]]) -> [String: Int] {
        rows.reduce(into: [:]) { counts, row in counts[row["state"] as? String ?? "?", default: 0] += 1 }
    }

    static func descriptorCount(_ pid: Int32) -> Int {
        ((try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd")) ?? []).count
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: prlimit), "needs prlimit (apt-get install util-linux)"))
    func scalingPastTheDescriptorLimitKeepsTheFormation() throws {
        let sandbox = try Sandbox()
        try sandbox.write("Procfile", "w: exec sleep 300\n")
        let drover = try RunningDrover(["start", "--no-timestamp"], in: sandbox.path)
        drover.waitForOutput("w.1 started")
        let first = try #require(ProcessList.pids(fromJSON: try DroverProcess.run(["ps", "--json"], in: sandbox.path).stdout).first)

        // Room for about 30 more pipes (the soft limit; children keep theirs), while
        // drover's own check still counts on its old one.
        let soft = try DroverProcess.runProgram(
            Self.prlimit, ["prlimit", "--pid", "\(drover.pid)", "--nofile", "--output=SOFT", "--noheadings"], in: sandbox.path)
        let original = soft.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let limit = Self.descriptorCount(drover.pid) + 30
        let lowered = try DroverProcess.runProgram(
            Self.prlimit, ["prlimit", "--pid", "\(drover.pid)", "--nofile=\(limit):"], in: sandbox.path)
        try #require(lowered.code == 0, "\(lowered.stderr)")
        let scale = try DroverProcess.run(["scale", "w=100"], in: sandbox.path)
        #expect(scale.code == 1)
        #expect(scale.stdout == "formation: w=100\n")
        #expect(scale.stderr.contains("could not start: too many open files"), "\(scale.stderr)")
        #expect(scale.stderr.contains("more could not start"), "\(scale.stderr)")
        #expect(scale.stderr.split(separator: "\n").count == 11, "the first ten, then how many more: \(scale.stderr)")

        // Descriptors back, so that `ps` can connect: the formation is still there.
        _ = try DroverProcess.runProgram(
            Self.prlimit, ["prlimit", "--pid", "\(drover.pid)", "--nofile=\(original):"], in: sandbox.path)
        let rows = ProcessList.rows(fromJSON: try DroverProcess.run(["ps", "--json"], in: sandbox.path).stdout)
        let states = Self.states(rows)
        #expect(rows.count == 100)
        #expect((states["running"] ?? 0) > 1, "\(states)")
        #expect((states["failed"] ?? 0) > 0, "\(states)")
        #expect((states["running"] ?? 0) + (states["failed"] ?? 0) == 100, "\(states)")
        #expect(rows.first?["pid"] as? Int == Int(first), "w.1 untouched")
        #expect(drover.stdout.contains("could not start: too many open files"))

        // The failed places start once there is room.
        let start = try DroverProcess.run(["start", "w"], in: sandbox.path)
        #expect(start.code == 0, "\(start.stderr)")
        let after = ProcessList.rows(fromJSON: try DroverProcess.run(["ps", "--json"], in: sandbox.path).stdout)
        #expect(Self.states(after) == ["running": 100])
        drover.signal(SIGTERM)
        #expect(try drover.finish(timeout: 60).code == 0)
    }

    @Test func aRestartInARenamedRootKeepsTheFormation() throws {
        let sandbox = try Sandbox()
        try sandbox.write("app/Procfile", "web: echo up; exec sleep 300\nworker: echo ready; exec sleep 300\n")
        let socket = sandbox.path + "/ctl.sock"
        let drover = try RunningDrover(["start", "--no-timestamp", "-s", socket], in: sandbox.path + "/app")
        drover.waitForOutput("web.1    | up")
        drover.waitForOutput("worker.1 | ready")
        try FileManager.default.moveItem(atPath: sandbox.path + "/app", toPath: sandbox.path + "/moved")

        // The restart's new run is spawned after the old one exits: the log says why it failed.
        let restart = try DroverProcess.run(["restart", "web", "-s", socket], in: sandbox.path)
        #expect(restart.code == 0, "\(restart.stderr)")
        drover.waitForOutput("web.1 could not start: no such file or directory")
        var rows = ProcessList.rows(fromJSON: try DroverProcess.run(["ps", "--json", "-s", socket], in: sandbox.path).stdout)
        #expect(rows.map { $0["state"] as? String } == ["failed", "running"])

        // Started again at once: the reply says why it failed.
        let start = try DroverProcess.run(["start", "web", "-s", socket], in: sandbox.path)
        #expect(start.code == 1)
        #expect(start.stderr.hasPrefix("drover: web.1 could not start: no such file or directory (/bin/sh in "), "\(start.stderr)")

        try FileManager.default.moveItem(atPath: sandbox.path + "/moved", toPath: sandbox.path + "/app")
        let again = try DroverProcess.run(["start", "web", "-s", socket], in: sandbox.path)
        #expect(again.code == 0, "\(again.stderr)")
        rows = ProcessList.rows(fromJSON: try DroverProcess.run(["ps", "--json", "-s", socket], in: sandbox.path).stdout)
        #expect(rows.map { $0["state"] as? String } == ["running", "running"])
        drover.signal(SIGTERM)
        #expect(try drover.finish().code == 0)
    }
}
