import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// What drover does when its output goes away: stdout lost stops the formation with
/// a message and a failure code; a `--log` file that cannot be written is reported
/// once, drops lines (counted) and resumes.
@Suite struct OutputLossTests {
    @Test func startIntoAFullDeviceFailsWithAMessage() throws {
        let sandbox = try Sandbox()
        try sandbox.write("Procfile", "web: echo $$ > web.pid; exec sleep 60\n")
        let outcome = try DroverProcess.runProgram(
            "/bin/sh", ["sh", "-c", #"exec "$0" start > /dev/full"#, DroverProcess.binary], in: sandbox.path)
        #expect(outcome.code == 1)
        #expect(outcome.stderr == "drover: cannot write to stdout (no space left on device); stopping the formation\n")
        if let pid = Int32(sandbox.text("web.pid").trimmingCharacters(in: .whitespacesAndNewlines)) {
            #expect(!ProcessTable.isAlive(pid))
        }
    }

    @Test func aClosedStdoutIsNotReusedForDroversOwnDescriptors() throws {
        let sandbox = try Sandbox()
        try sandbox.write("Procfile", "web: echo up; exec sleep 60\n")
        // exec keeps the pid: the process is drover, started with descriptor 1 closed.
        let drover = try RunningDrover(
            program: "/bin/sh", ["sh", "-c", #"exec "$0" start >&-"#, DroverProcess.binary], in: sandbox.path)
        let deadline = Date().addingTimeInterval(20)
        var rows: [[String: Any]] = []
        while Date() < deadline {
            rows = ProcessList.rows(fromJSON: try DroverProcess.run(["ps", "--json"], in: sandbox.path).stdout)
            if rows.first?["state"] as? String == "running" { break }
            usleep(20_000)
        }
        #expect(rows.first?["state"] as? String == "running")
        // Descriptor 1 holds /dev/null, not the signal descriptor or anything else of drover's.
        let standardOutput = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(drover.pid)/fd/1")
        #expect(standardOutput == "/dev/null")
        usleep(200_000)
        #expect(ProcessTable.isAlive(drover.pid), "the formation keeps running")
        drover.signal(SIGTERM)
        let outcome = try drover.finish()
        #expect(outcome.code == 0)
        #expect(outcome.stderr == "")
    }

    @Test func aReaderThatGoesAwayEndsAQuietFormationPromptly() throws {
        let sandbox = try Sandbox()
        try sandbox.write("Procfile", "web: echo $$ > web.pid; echo a; echo b; echo c; exec sleep 60\n")
        // drover's own exit code goes to a file: the pipeline's is head's.
        try sandbox.write("run.sh", #"( "$1" start; echo $? > code ) | head -2"#)
        let started = Date()
        let outcome = try DroverProcess.runProgram(
            "/bin/sh", ["sh", "run.sh", DroverProcess.binary], in: sandbox.path, timeout: 30)
        let elapsed = Date().timeIntervalSince(started)
        #expect(elapsed < 10, "drover took \(elapsed) s to notice its reader was gone")
        #expect(outcome.stdout.split(separator: "\n").count == 2)
        #expect(sandbox.text("code") == "1\n")
        #expect(outcome.stderr == "drover: cannot write to stdout (broken pipe); stopping the formation\n")
        let pid = try #require(Int32(sandbox.text("web.pid").trimmingCharacters(in: .whitespacesAndNewlines)))
        #expect(!ProcessTable.isAlive(pid))
    }

    /// Mounts a tmpfs of `size` on `directory` (`mount(2)`, as root).
    static func mountTmpfs(_ directory: String, size: String) -> Bool {
        "size=\(size)".withCString { mount("tmpfs", directory, "tmpfs", 0, $0) } == 0
    }

    /// Whether this machine lets the tests mount a tmpfs (root, no sandbox forbidding it).
    static let canMountTmpfs: Bool = {
        guard let sandbox = try? Sandbox(), mountTmpfs(sandbox.path, size: "64k") else { return false }
        umount2(sandbox.path, Int32(MNT_DETACH))
        return true
    }()

    @Test(.enabled(if: canMountTmpfs, "needs root to mount a tmpfs (mount -t tmpfs)"))
    func aFullLogFileDropsLinesAndResumesWhileTheFormationRuns() throws {
        let sandbox = try Sandbox()
        let disk = sandbox.path + "/disk"
        try FileManager.default.createDirectory(atPath: disk, withIntermediateDirectories: false)
        try #require(Self.mountTmpfs(disk, size: "256k"), "mount: \(String(cString: strerror(errno)))")
        // Unmounted before the sandbox goes (it cannot remove a mount point).
        defer { umount2(sandbox.path + "/disk", Int32(MNT_DETACH)) }
        // 20 KB free: the log fills within a few hundred lines.
        try Data(count: 240_000).write(to: URL(fileURLWithPath: disk + "/filler"))
        try sandbox.write(
            "Procfile",
            """
            chatty: i=0; while [ ! -e stop ]; do i=$((i+1)); echo "line $i of a chatty process, long enough to fill a disk"; sleep 0.005; done; exec sleep 60
            """)
        let started = try DroverProcess.run(["start", "--daemon", "--log", "disk/drover.log"], in: sandbox.path)
        #expect(started.code == 0)
        let daemon = try #require(DaemonTests.daemonPid(started.stdout))
        defer { _ = ProcessTable.killSurvivors([daemon]) }
        let pids = ProcessList.pids(fromJSON: try DroverProcess.run(["ps", "--json"], in: sandbox.path).stdout)

        let failure =
            "system   | cannot write to disk/drover.log (no space left on device); dropping log lines until it can be written again"
        func systemLines() throws -> String { try DroverProcess.run(["logs", "-n", "1000"], in: sandbox.path).stdout }
        func waitFor(_ what: String, _ condition: () throws -> Bool) throws {
            let deadline = Date().addingTimeInterval(30)
            while try !condition() && Date() < deadline { usleep(50_000) }
            #expect(try condition(), "timed out waiting for \(what)")
        }
        try waitFor("the disk to fill") { try systemLines().contains(failure) }
        // The formation keeps running, its lines still reach `logs`.
        let before = try systemLines().components(separatedBy: "chatty.1 | line ").count
        try waitFor("more lines") { try systemLines().components(separatedBy: "chatty.1 | line ").count > before + 5 }
        #expect(ProcessList.pids(fromJSON: try DroverProcess.run(["ps", "--json"], in: sandbox.path).stdout) == pids)

        try FileManager.default.removeItem(atPath: disk + "/filler")
        let resumed = "system   | writing to disk/drover.log again; "
        try waitFor("writing to resume") { sandbox.text("disk/drover.log").contains(resumed) }
        let log = sandbox.text("disk/drover.log")
        let after = log[try #require(log.range(of: resumed)).upperBound...]
        let dropped = Int(after.prefix { $0.isNumber }) ?? 0
        #expect(dropped > 0)
        #expect(after.dropFirst(String(dropped).count).hasPrefix(" log lines dropped since "))
        // A line a short write cut is ended there, not glued to the next one.
        for line in log.split(separator: "\n") {
            #expect(line.components(separatedBy: " | ").count <= 2, "\(line)")
        }
        try waitFor("lines after the resume") {
            let text = sandbox.text("disk/drover.log")
            guard let mark = text.range(of: resumed) else { return false }
            return text[mark.upperBound...].contains("chatty.1 | line ")
        }
        try sandbox.write("stop", "")
        #expect(try systemLines().components(separatedBy: failure).count == 2, "reported once")
        #expect(try DroverProcess.run(["stop"], in: sandbox.path).code == 0)
        DaemonTests.expectGone([daemon] + pids)
    }
}
