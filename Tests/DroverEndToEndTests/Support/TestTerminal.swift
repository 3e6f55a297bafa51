import DroverCore
import DroverSystem
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// A pseudo-terminal of the test's own, standing in for a user's terminal: a program
/// runs on it (its session leader, the terminal its controlling one), the test types
/// on the master, resizes it, and reads back what the program wrote.
///
/// Bounded like `RunningDrover`: `finish` waits at most its timeout, then kills the
/// program's group; a group that outlives the program fails the test.
final class TestTerminal {
    let master: FileDescriptor
    let slavePath: String
    private(set) var pid: Int32 = 0
    private var output: [UInt8] = []
    private var status: Termination?
    private let sourceLocation: SourceLocation
    private var command = ""

    /// A new terminal of `size`, with nothing running on it yet.
    init(size: WindowSize = WindowSize(rows: 24, columns: 80), sourceLocation: SourceLocation = #_sourceLocation) throws {
        (master, slavePath) = try PseudoTerminal.open()
        self.sourceLocation = sourceLocation
        do { try PseudoTerminal.setWindowSize(size, on: master) } catch {
            master.close()
            throw error
        }
    }

    /// A new terminal with drover's `arguments` running on it.
    convenience init(
        _ arguments: [String], in directory: String, size: WindowSize = WindowSize(rows: 24, columns: 80),
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        try self.init(size: size, sourceLocation: sourceLocation)
        try start(arguments, in: directory)
    }

    /// Starts `arguments` (drover's, by default the built binary) on the terminal.
    func start(
        _ arguments: [String], in directory: String, program: String = DroverProcess.binary,
        environment: [String: String] = DroverProcess.environment()
    ) throws {
        command = arguments.joined(separator: " ")
        var request = Spawn.Request(
            path: program, arguments: [program == DroverProcess.binary ? "drover" : program] + arguments,
            environment: environment.map { "\($0.key)=\($0.value)" }, workingDirectory: directory)
        request.terminal = slavePath
        pid = try Spawn.run(request)
    }

    deinit {
        if status == nil && pid != 0 {
            Children.signalGroup(pid, SIGKILL)
            while (try? Children.reapIfExited(pid)) == .some(nil) { usleep(1000) }
        }
        master.close()
    }

    /// Everything the program wrote so far, decoded leniently.
    var text: String {
        readAvailable()
        return String(decoding: output, as: UTF8.self)
    }

    /// Keys, as a user would type them.
    func type(_ keys: String) throws {
        try master.writeAll(keys)
    }

    func type(bytes: [UInt8]) throws {
        try master.writeAll(bytes)
    }

    /// Resizes the terminal; the kernel sends SIGWINCH to its foreground group.
    func resize(_ size: WindowSize) throws {
        try PseudoTerminal.setWindowSize(size, on: master)
    }

    /// `stty -g` of the terminal: its modes, to compare before and after.
    func modes() throws -> String {
        let outcome = try DroverProcess.runProgram(
            "/bin/sh", ["sh", "-c", "exec stty -g <\"$0\"", slavePath], in: "/", timeout: 10)
        return outcome.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Waits until the output holds `needle` at least `times` times; false (and a
    /// recorded issue) after `timeout`.
    @discardableResult
    func waitFor(_ needle: String, times: Int = 1, timeout: Double = 20, sourceLocation: SourceLocation = #_sourceLocation)
        -> Bool
    {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if text.components(separatedBy: needle).count > times { return true }
            _ = Readiness.waitReadable(master, timeoutMilliseconds: 20)
        }
        Issue.record(
            "\(times) × \"\(needle)\" not on the terminal of \(command) within \(timeout) s:\n\(text)",
            sourceLocation: sourceLocation)
        return false
    }

    private func readAvailable() {
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while true {
            let result = chunk.withUnsafeMutableBytes { raw in try? master.read(into: raw) }
            guard case let .bytes(count)? = result else { return }
            output += chunk[0..<count]
        }
    }

    /// Waits for the program to exit (SIGKILL to its group after `timeout`) and checks
    /// that nothing of its group is left; returns its status and everything it wrote.
    func finish(timeout: Double = 30) throws -> (status: Termination, text: String) {
        if status == nil {
            status = try RunningDrover.awaitGroup(
                of: pid, timeout: timeout, command: command, sourceLocation: sourceLocation, whileWaiting: readAvailable)
        }
        return (status!, text)
    }
}
