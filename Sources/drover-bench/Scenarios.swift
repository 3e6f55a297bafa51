import DroverSystem
import Foundation

/// The benchmark scenarios of issue 3, each returning its numbers for one run.
struct Scenarios {
    let peer: Peer
    let workspace: String

    /// `tty`: every instance on a pseudo-terminal of its own (`--tty all`, drover only).
    private func command(formation: String? = nil, timeout: Int? = nil, tty: Bool = false) -> [String] {
        [peer.executable] + peer.startArguments(formation, timeout) + (tty ? ["--tty", "all"] : [])
    }

    /// A fresh directory with `procfile` written in it.
    func directory(_ name: String, procfile: String) throws -> String {
        let path = "\(workspace)/\(peer.name)-\(name)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        try procfile.write(toFile: "\(path)/Procfile", atomically: true, encoding: .utf8)
        return path
    }

    /// A file of `lines` lines of 100 bytes (99 + newline), made once.
    func dataFile(lines: Int) throws -> String {
        let path = "\(workspace)/lines-\(lines).txt"
        if FileManager.default.fileExists(atPath: path) { return path }
        let line = Array(String(repeating: "0123456789", count: 10).utf8.prefix(99)) + [10]
        var data = [UInt8]()
        data.reserveCapacity(lines * 100)
        for _ in 0..<lines { data += line }
        try Data(data).write(to: URL(fileURLWithPath: path))
        return path
    }

    /// 1. Lines per second and CPU per line, `writers` × `lines` through drover, on
    /// pipes or (`tty`) on pseudo-terminals.
    /// `format`: drover's `--log-format` (nil: the peer's default, text).
    func throughput(
        writers: Int, lines: Int, tty: Bool = false, format: String? = nil
    ) throws -> (linesPerSecond: Double, cpuPerLine: Double) {
        let file = try dataFile(lines: lines)
        let procfile = (1...writers).map { "w\($0): cat \(file); exec sleep 100" }.joined(separator: "\n") + "\n"
        let directory = try directory(tty ? "throughput-tty" : "throughput-\(format ?? "default")", procfile: procfile)
        let start = Measurement.now()
        // Data lines end in "345678" (JSON ones in `345678"}`); the managers' own lines do not.
        let subject = try Subject(
            command(tty: tty) + (format.map { ["--log-format", $0] } ?? []), in: directory,
            marker: format == "json" ? "345678\"}" : "345678")
        let expected = writers * lines
        // 120 s: drover needs about one; a peer that takes longer has hung (foreman did once).
        guard subject.read(until: { $0.markedLines >= expected }, timeout: 120) else {
            throw BenchError("throughput: saw \(subject.markedLines) of \(expected) lines")
        }
        let elapsed = Measurement.now() - start
        let cpu = Measurement.cpuSeconds(of: subject.pid)
        subject.signal(SIGTERM)
        _ = subject.waitForExit(timeout: 30)
        return (Double(writers * lines) / elapsed, cpu / Double(writers * lines))
    }

    /// The same files through 16 `cat`s into one drained pipe: what the pipe allows.
    func pipeLimit(writers: Int, lines: Int) throws -> Double {
        let file = try dataFile(lines: lines)
        let script = (1...writers).map { _ in "cat \(file) &" }.joined(separator: " ") + " wait"
        let start = Measurement.now()
        let subject = try Subject(["/bin/sh", "-c", script], in: workspace)
        guard subject.read(until: { $0.lines >= writers * lines }, timeout: 300) else {
            throw BenchError("pipe limit: saw \(subject.lines) lines")
        }
        let elapsed = Measurement.now() - start
        _ = subject.waitForExit(timeout: 30)
        return Double(writers * lines) / elapsed
    }

    /// 2. Seconds until all `count` instances have printed `ready`.
    func startup(count: Int) throws -> Double {
        let started = try launchReady("startup", type: "idle", count: count)
        started.subject.signal(SIGTERM)
        _ = started.subject.waitForExit(timeout: 30)
        return started.seconds
    }

    /// Starts the manager on `type: echo ready; exec sleep 100` × `count` in a fresh
    /// directory and waits for every `ready`; returns it still running (the scale group
    /// goes on to measure it), with the seconds from launch. Stops it if that fails.
    func launchReady(_ name: String, type: String, count: Int) throws -> (subject: Subject, seconds: Double, directory: String) {
        let directory = try directory(name, procfile: "\(type): \(DirectSpawn.command)\n")
        let start = Measurement.now()
        let subject = try Subject(command(formation: "\(type)=\(count)"), in: directory)
        guard subject.read(until: { $0.markedLines >= count }, timeout: 120) else {
            subject.signal(SIGTERM)
            _ = subject.waitForExit(timeout: 30)
            throw BenchError("\(name): \(subject.markedLines) of \(count) ready")
        }
        return (subject, Measurement.now() - start, directory)
    }

    /// 3. Seconds from SIGTERM to drover's exit.
    func shutdown(procfile: String, count: Int, timeout: Int?) throws -> Double {
        let directory = try directory("shutdown", procfile: procfile)
        let subject = try Subject(command(formation: "p=\(count)", timeout: timeout), in: directory)
        guard subject.read(until: { $0.markedLines >= count }, timeout: 120) else {
            throw BenchError("shutdown: \(subject.markedLines) of \(count) ready")
        }
        let start = Measurement.now()
        subject.signal(SIGTERM)
        return subject.waitForExit(timeout: 60) - start
    }

    /// 5. Seconds from SIGKILL of drover until nothing it started is left: its guardian
    /// must TERM every group, then KILL them after `timeout` (these ignore TERM). The
    /// harness is a subreaper, so every orphan comes back to it: done when it has no
    /// children left.
    func killNine(count: Int, timeout: Int) throws -> Double {
        let directory = try directory("kill9", procfile: "p: trap '' TERM; echo ready; while :; do sleep 1; done\n")
        let subject = try Subject(command(formation: "p=\(count)", timeout: timeout), in: directory)
        defer { _ = subject.waitForExit(timeout: 1) }
        guard subject.read(until: { $0.markedLines >= count }, timeout: 120) else {
            throw BenchError("kill -9: \(subject.markedLines) of \(count) ready")
        }
        let start = Measurement.now()
        subject.signal(SIGKILL)
        let deadline = start + 60
        while Measurement.now() < deadline {
            while case .exited = Children.reapAny() {}
            if Subreaper.children().isEmpty { return Measurement.now() - start }
            usleep(2_000)
        }
        throw BenchError("kill -9: processes left after 60 s")
    }

    /// 4. RSS with `count` idle instances (and how many helpers it counts), then CPU and
    /// wake-ups over `seconds` idle.
    func idle(
        count: Int, seconds: Double, tty: Bool = false
    ) throws -> (rssKB: Double, cpuSeconds: Double, wakeupsPerSecond: Double, helpers: Int, helperRSSkB: Double) {
        let directory = try directory(tty ? "idle-tty" : "idle", procfile: "idle: echo ready; exec sleep 1000\n")
        let subject = try Subject(command(formation: "idle=\(count)", tty: tty), in: directory)
        guard subject.read(until: { $0.markedLines >= count }, timeout: 120) else {
            throw BenchError("idle: \(subject.markedLines) of \(count) ready")
        }
        // Let start-up settle, then measure a quiet window.
        usleep(500_000)
        let memory = Measurement.managerRSS(of: subject.pid)
        let cpuBefore = Measurement.cpuSeconds(of: subject.pid)
        let switchesBefore = Measurement.contextSwitches(of: subject.pid)
        usleep(UInt32(seconds * 1_000_000))
        let cpu = Measurement.cpuSeconds(of: subject.pid) - cpuBefore
        let switches = Measurement.contextSwitches(of: subject.pid) - switchesBefore
        subject.signal(SIGTERM)
        _ = subject.waitForExit(timeout: 30)
        return (memory.kB, cpu, switches / seconds, memory.helpers, memory.helperRSSkB)
    }
}

struct BenchError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
