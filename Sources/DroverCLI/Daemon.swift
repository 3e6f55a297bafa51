import DroverCore
import DroverSystem

/// `drover start --daemon`: a fresh drover, spawned in its own session, runs the formation.
///
/// The background copy gets `--detached-supervisor`, its stdin from /dev/null and its
/// stdout and stderr on a pipe back to this process. Once every instance is spawned it
/// writes one `ready` line and points its stdout and stderr away (to /dev/null, or the
/// `--log` file); errors before that reach the pipe and are shown here.
enum Daemon {
    static let readyWord = "drover-ready"

    static func launch(socketPath: String, waitMilliseconds: Int) throws(Diagnostics) -> Int32 {
        guard let executable = FileSystem.ownExecutable() else {
            throw Diagnostics([Diagnostic("cannot find drover's own executable to start it in the background")])
        }
        let arguments = Array(CommandLine.arguments.dropFirst()).filter { $0 != "-D" && $0 != "--daemon" }
        let pid: Int32
        let reader: LineReader
        do throws(SystemError) {
            var request = Spawn.Request(
                path: executable, arguments: CStringArray(["drover"] + arguments + ["--detached-supervisor"]),
                environment: CStringArray(ProcessEnvironment.current()))
            request.grouping = .newSession
            let output: FileDescriptor
            (pid, output) = try Spawn.runReading(request, .standardOutputAndError)
            reader = LineReader(output)
        } catch {
            throw Diagnostics([Diagnostic("cannot start drover in the background: \(error)")])
        }
        while let line = reader.nextLine(timeoutMilliseconds: waitMilliseconds) {
            if line.hasPrefix(readyWord) {
                Console.out("drover is running in the background (pid \(pid)); control socket: \(socketPath)\n")
                return ExitCode.success.rawValue
            }
            try? FileDescriptor.standardError.writeAll(line + "\n")
        }
        // It closed the pipe without saying ready: its own messages were passed on above.
        if reader.atEnd, case let .exited(_, status) = Children.wait(for: pid) {
            return status.shellCode == 0 ? ExitCode.failure.rawValue : status.shellCode
        }
        Children.signalGroup(pid, SignalNumbers.number(of: .terminate))
        Console.error("drover did not report ready within \(Seconds.text(milliseconds: waitMilliseconds)); stopped it")
        return ExitCode.failure.rawValue
    }

    /// In the background copy: the formation stopped before it was ready; the line
    /// reaches the starting drover, which shows it and exits with drover's code.
    static func reportFailure(_ why: String) {
        try? FileDescriptor.standardError.writeAll("drover: the formation did not become ready: \(why)\n")
    }

    /// In the background copy: says ready, then detaches stdout and stderr from the pipe.
    static func reportReady(logTo output: FileDescriptor?) {
        try? FileDescriptor.standardOutput.writeAll("\(readyWord) \(CurrentProcess.id)\n")
        let target = output ?? FileDescriptor.openNullDevice()
        if let target {
            try? target.duplicate(onto: .standardOutput)
            try? target.duplicate(onto: .standardError)
        }
    }
}
