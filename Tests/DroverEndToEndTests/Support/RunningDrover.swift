import DroverCore
import DroverSystem
import Foundation
import Testing

/// A drover started in the background, for tests that signal it while it runs.
///
/// It leads its own process group; `finish` (or deinit) kills that group if anything
/// is left, and fails the test when something was.
final class RunningDrover {
    let pid: Int32
    private let capture: Sandbox
    private var status: Termination?
    private let sourceLocation: SourceLocation
    /// For messages.
    private let command: String

    convenience init(
        _ arguments: [String], in directory: String, environment: [String: String] = DroverProcess.environment(),
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        try self.init(
            program: DroverProcess.binary, ["drover"] + arguments, in: directory, environment: environment,
            sourceLocation: sourceLocation)
    }

    /// Any program (`arguments[0]` is its name), not only drover. `rawEnvironment`:
    /// `NAME=value` entries added as bytes (values that are not UTF-8); `rawArguments`,
    /// arguments added after `arguments`, as bytes.
    init(
        program: String, _ arguments: [String], in directory: String,
        environment: [String: String] = DroverProcess.environment(), rawEnvironment: [[UInt8]] = [],
        rawArguments: [[UInt8]] = [], standardInput: Spawn.Stream = .nullDevice,
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        capture = try Sandbox()
        self.sourceLocation = sourceLocation
        command = arguments.joined(separator: " ")
        var request = Spawn.Request(
            path: program, arguments: CStringArray(arguments.map { Array($0.utf8) } + rawArguments),
            environment: CStringArray(environment.map { Array("\($0.key)=\($0.value)".utf8) } + rawEnvironment),
            workingDirectory: directory)
        request.standardInput = standardInput
        request.standardOutput = .file("\(capture.path)/stdout")
        request.standardError = .file("\(capture.path)/stderr")
        request.grouping = .newProcessGroup
        pid = try Spawn.run(request)
    }

    deinit {
        if status == nil {
            Children.signalGroup(pid, SIGKILL)
            while (try? Children.reapIfExited(pid)) == .some(nil) { usleep(1000) }
        }
    }

    var stdout: String { capture.text("stdout") }
    var stderr: String { capture.text("stderr") }

    func signal(_ number: Int32) {
        Children.signal(pid, number)
    }

    /// Waits until stdout contains `text` (at least `times` times); false after `timeout` seconds.
    @discardableResult
    func waitForOutput(_ text: String, times: Int = 1, timeout: Double = 30) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if stdout.components(separatedBy: text).count > times { return true }
            usleep(5000)
        }
        Issue.record("\(times) × \"\(text)\" not in drover's output within \(timeout) s:\n\(stdout)", sourceLocation: sourceLocation)
        return false
    }

    /// Waits for drover to exit (SIGKILL to its group after `timeout`), then checks
    /// that nothing of its group survived it.
    func finish(timeout: Double = 30) throws -> Outcome {
        if status == nil {
            status = try Self.awaitGroup(of: pid, timeout: timeout, command: command, sourceLocation: sourceLocation)
        }
        return Outcome(status: status!, stdoutBytes: capture.bytes("stdout"), stderr: stderr)
    }

}

extension RunningDrover {
    /// Reaps `pid` (SIGKILL to its group after `timeout`, and an issue), calling
    /// `whileWaiting` between tries; then checks that nothing of its group stays.
    static func awaitGroup(
        of pid: Int32, timeout: Double, command: String, sourceLocation: SourceLocation, whileWaiting: () -> Void = {}
    ) throws -> Termination {
        let deadline = Date().addingTimeInterval(timeout)
        var status: Termination?
        while status == nil {
            whileWaiting()
            status = try Children.reapIfExited(pid)
            if status == nil {
                if Date() > deadline {
                    Children.signalGroup(pid, SIGKILL)
                    Issue.record("\(command) did not exit within \(timeout) s; killed", sourceLocation: sourceLocation)
                }
                usleep(2000)
            }
        }
        // A child drover was spawning when it died sits in drover's group until its
        // setpgid, a moment later: only what stays counts.
        let settled = Date().addingTimeInterval(1)
        while Children.groupHasMembers(pid) && Date() < settled { usleep(5_000) }
        if Children.groupHasMembers(pid) {
            Children.signalGroup(pid, SIGKILL)
            Issue.record("\(command)'s process group outlived it", sourceLocation: sourceLocation)
        }
        return status!
    }
}

enum ProcessTable {
    /// Whether a process with this pid exists and is not a zombie.
    static func isAlive(_ pid: Int32) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return false }
        let state = stat[stat.index(close, offsetBy: 2)]
        return state != "Z" && state != "X"
    }

    /// The real user id of a process, from `/proc/PID/status`.
    static func user(of pid: Int32) -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix("Uid:") })
        else { return nil }
        return line.split(whereSeparator: { $0 == "\t" || $0 == " " }).dropFirst().first.flatMap { Int($0) }
    }

    /// The pids whose parent is `parent`, with their state letter.
    static func children(of parent: Int32) -> [(pid: Int32, state: Character)] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap { name -> (Int32, Character)? in
            guard let pid = Int32(name),
                let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
                let close = stat.lastIndex(of: ")")
            else { return nil }
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            guard fields.count > 1, Int32(fields[1]) == parent else { return nil }
            return (pid, fields[0].first!)
        }
    }

    /// Whether `pid` is drover's guardian (`drover __guardian`), which every `start` has beside its instances.
    static func isGuardian(_ pid: Int32) -> Bool {
        guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { return false }
        return data.split(separator: 0).dropFirst().first.map { String(decoding: $0, as: UTF8.self) } == "__guardian"
    }

    /// Kills `pids` that are still alive (cleanup after a failed test) and says whether any were.
    static func killSurvivors(_ pids: [Int32]) -> [Int32] {
        let alive = pids.filter(isAlive)
        for pid in alive { kill(pid, SIGKILL) }
        return alive
    }
}
