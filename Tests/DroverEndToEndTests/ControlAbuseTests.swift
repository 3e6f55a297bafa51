import Foundation
import Testing

/// Clients that misbehave must not crash, block or leak anything in drover.
@Suite struct ControlAbuseTests {
    static func descriptorCount(_ pid: Int32) -> Int {
        ((try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd")) ?? []).count
    }

    @Test func garbageOnTheSocketLeavesTheFormationLogging() throws {
        let sandbox = try Sandbox()
        try sandbox.write("Procfile", "ticker: i=0; while true; do i=$((i+1)); echo \"tick $i\"; sleep 0.05; done\n")
        let drover = try RunningDrover(["start", "--no-timestamp"], in: sandbox.path)
        drover.waitForOutput("ticker.1 | tick 3")
        let socket = sandbox.path + "/.drover.sock"
        let descriptorsBefore = Self.descriptorCount(drover.pid)

        // Random bytes with a newline: a bad request, answered and closed.
        var generator = SystemRandomNumberGenerator()
        let random = try RawControlClient(socket)
        random.send((0..<4096).map { _ in UInt8.random(in: 0...255, using: &generator) } + [10])
        #expect(random.readAll().hasPrefix(#"{"version":1,"ok":false,"error":"bad request: "#))

        // A 1 MiB line: refused once it passes 64 KiB.
        let huge = try RawControlClient(socket)
        huge.send([UInt8](repeating: UInt8(ascii: "x"), count: 1 << 20) + [10])
        #expect(huge.readAll() == #"{"version":1,"ok":false,"error":"request longer than 65536 bytes"}"# + "\n")

        // Half a request, then the client goes away.
        do {
            let half = try RawControlClient(socket)
            half.send(Array(#"{"version":1,"comm"#.utf8))
        }

        // 200 connections that say nothing, held open while drover keeps working.
        let idle = try (0..<200).map { _ in try RawControlClient(socket) }
        let during = try DroverProcess.run(["ps", "--json"], in: sandbox.path)
        #expect(during.code == 0, "drover still answers with 200 idle clients: \(during.stderr)")
        #expect(ProcessList.rows(fromJSON: during.stdout).count == 1)
        let ticksBefore = drover.stdout.components(separatedBy: "tick ").count
        drover.waitForOutput("tick \(ticksBefore + 5)")
        withExtendedLifetime(idle) {}

        // Once they are gone, so are their descriptors.
        let deadline = Date().addingTimeInterval(20)
        while Self.descriptorCount(drover.pid) > descriptorsBefore && Date() < deadline { usleep(20_000) }
        #expect(Self.descriptorCount(drover.pid) == descriptorsBefore)
        drover.signal(SIGTERM)
        #expect(try drover.finish().code == 0)
    }

    /// The limit is 65,536 bytes before the newline, however the bytes arrive.
    @Test func theRequestLimitIsExact() throws {
        let sandbox = try Sandbox()
        try sandbox.write("Procfile", "web: exec sleep 60\n")
        let drover = try RunningDrover(["start"], in: sandbox.path)
        drover.waitForOutput("web.1 started")
        let socket = sandbox.path + "/.drover.sock"
        func request(length: Int) -> [UInt8] {
            let body = Array(#"{"version":1,"command":"ps"}"#.utf8)
            return body + [UInt8](repeating: UInt8(ascii: " "), count: length - body.count) + [10]
        }
        let atLimit = try RawControlClient(socket)
        atLimit.send(request(length: 65_536))
        #expect(atLimit.readAll().hasPrefix(#"{"version":1,"ok":true,"pid":"#), "65,536 bytes and a newline are accepted")
        let over = try RawControlClient(socket)
        over.send(request(length: 65_537))
        #expect(over.readAll() == #"{"version":1,"ok":false,"error":"request longer than 65536 bytes"}"# + "\n")
        // Sent in two parts, the second carrying the newline: still refused.
        let split = try RawControlClient(socket)
        let bytes = request(length: 65_537)
        split.send(Array(bytes[..<40_000]))
        usleep(100_000)
        split.send(Array(bytes[40_000...]))
        #expect(split.readAll() == #"{"version":1,"ok":false,"error":"request longer than 65536 bytes"}"# + "\n")
        drover.signal(SIGTERM)
        #expect(try drover.finish().code == 0)
    }

    @Test func aClientThatSaysNothingIsDropped() throws {
        let sandbox = try Sandbox()
        try sandbox.write("Procfile", "web: exec sleep 60\n")
        let drover = try RunningDrover(["start"], in: sandbox.path)
        drover.waitForOutput("web.1 started")
        let silent = try RawControlClient(sandbox.path + "/.drover.sock")
        // drover drops it after 10 s without a request: the read sees end of file.
        let start = Date()
        #expect(silent.readAll(timeout: 30) == "")
        #expect(Date().timeIntervalSince(start) < 25)
        drover.signal(SIGTERM)
        #expect(try drover.finish().code == 0)
    }

    @Test func unknownCommandsAndVersionsGetErrorReplies() throws {
        let sandbox = try Sandbox()
        try sandbox.write("Procfile", "web: exec sleep 60\n")
        let drover = try RunningDrover(["start"], in: sandbox.path)
        drover.waitForOutput("web.1 started")
        let socket = sandbox.path + "/.drover.sock"
        let unknown = try RawControlClient(socket)
        unknown.send(Array(#"{"version":1,"command":"reboot"}"#.utf8) + [10])
        #expect(unknown.readAll() == #"{"version":1,"ok":false,"error":"bad request: unknown command \"reboot\""}"# + "\n")
        let future = try RawControlClient(socket)
        future.send(Array(#"{"version":9,"command":"ps"}"#.utf8) + [10])
        #expect(future.readAll().contains("unsupported protocol version 9"))
        drover.signal(SIGTERM)
        #expect(try drover.finish().code == 0)
    }

    @Test func whatAFollowerSendsAfterItsRequestIsDropped() throws {
        let sandbox = try Sandbox()
        try sandbox.write("Procfile", "web: echo up; exec sleep 60\n")
        let drover = try RunningDrover(["start", "--no-timestamp"], in: sandbox.path)
        drover.waitForOutput("web.1  | up")
        let follower = try RawControlClient(sandbox.path + "/.drover.sock")
        follower.send(Array(#"{"version":1,"command":"logs","follow":true,"lines":1}"#.utf8) + [10])
        let rssBefore = Self.residentKilobytes(drover.pid)
        // 16 MiB after the request, with no newline: it used to be kept, byte for byte.
        let junk = [UInt8](repeating: UInt8(ascii: "j"), count: 1 << 20)
        for _ in 0..<16 { follower.send(junk) }
        #expect(try DroverProcess.run(["ps"], in: sandbox.path).code == 0, "drover still answers")
        #expect(Self.residentKilobytes(drover.pid) - rssBefore < 4096, "memory did not grow with the junk")
        drover.signal(SIGTERM)
        #expect(try drover.finish().code == 0)
    }

    static func residentKilobytes(_ pid: Int32) -> Int {
        let status = (try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)) ?? ""
        let line = status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") } ?? ""
        return Int(line.split(whereSeparator: { $0 == " " || $0 == "\t" }).dropFirst().first ?? "") ?? 0
    }

    @Test func aStuckFollowerIsCutOffAndTheStreamGoesOn() throws {
        let sandbox = try Sandbox()
        // 20 MB quickly: more than a follower that never reads may hold back.
        try sandbox.write(
            "Procfile",
            """
            flood: i=0; while [ $i -lt 100 ]; do head -c 200000 /dev/zero | tr '\\0' f; echo; i=$((i+1)); done; echo flood-done; exec sleep 60
            """)
        let drover = try RunningDrover(["start", "--no-timestamp"], in: sandbox.path)
        drover.waitForOutput("flood.1 started")
        let stuck = try RawControlClient(sandbox.path + "/.drover.sock")
        stuck.send(Array(#"{"version":1,"command":"logs","follow":true,"lines":0}"#.utf8) + [10])
        drover.waitForOutput("flood.1 | flood-done", timeout: 60)
        // drover is not held back by the stuck reader, and hung up on it.
        #expect(try DroverProcess.run(["ps"], in: sandbox.path).code == 0)
        let received = stuck.readAll(timeout: 10)
        #expect(received.count < 20_000_000, "cut off, not buffered without bound")
        drover.signal(SIGTERM)
        #expect(try drover.finish().code == 0)
    }

    /// CPU time (user and system, in clock ticks) drover has used so far.
    static func cpuTicks(_ pid: Int32) -> Int {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return 0 }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        // After the command: state is field 3, utime 14 and stime 15.
        return (Int(fields[11]) ?? 0) + (Int(fields[12]) ?? 0)
    }

    @Test(
        .enabled(if: FileManager.default.isExecutableFile(atPath: SpawnFailureTests.prlimit), "needs prlimit (apt-get install util-linux)"))
    func outOfDescriptorsTheListenerRestsInsteadOfSpinning() throws {
        let sandbox = try Sandbox()
        try sandbox.write("Procfile", "web: exec sleep 300\n")
        let drover = try RunningDrover(["start", "--no-timestamp"], in: sandbox.path)
        drover.waitForOutput("web.1 started")
        let prlimit = SpawnFailureTests.prlimit
        let soft = try DroverProcess.runProgram(
            prlimit, ["prlimit", "--pid", "\(drover.pid)", "--nofile", "--output=SOFT", "--noheadings"], in: sandbox.path)
        let original = soft.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        // No room for one more descriptor: accept4 fails with EMFILE while the
        // connection waits in the backlog.
        let lowered = try DroverProcess.runProgram(
            prlimit, ["prlimit", "--pid", "\(drover.pid)", "--nofile=\(Self.descriptorCount(drover.pid)):"], in: sandbox.path)
        try #require(lowered.code == 0, "\(lowered.stderr)")
        let waiting = try RawControlClient(sandbox.path + "/.drover.sock")
        waiting.send(Array(#"{"version":1,"command":"ps"}"#.utf8) + [10])
        drover.waitForOutput("cannot accept control connections (too many open files)")
        let before = Self.cpuTicks(drover.pid)
        usleep(1_000_000)
        let used = Self.cpuTicks(drover.pid) - before
        // A loop spinning on the readable listener burns the whole second (100 ticks).
        #expect(used < 30, "drover used \(used) ticks of CPU in a second while out of descriptors")

        _ = try DroverProcess.runProgram(prlimit, ["prlimit", "--pid", "\(drover.pid)", "--nofile=\(original):"], in: sandbox.path)
        #expect(waiting.readAll().hasPrefix(#"{"version":1,"ok":true"#), "the waiting client is served once there is room")
        drover.waitForOutput("control connections accepted again")
        #expect(drover.stdout.components(separatedBy: "cannot accept control connections").count == 2, "said once")
        drover.signal(SIGTERM)
        #expect(try drover.finish().code == 0)
    }
}
