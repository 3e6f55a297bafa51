import DroverCore
import DroverSupervisor
import DroverSystem

/// `drover start`: runs the formation in the foreground, or in the background with
/// `--daemon`; against a running drover, `start NAME` starts stopped instances again.
enum StartCommand {
    static func run(options: LaunchOptions, local: [String: String], names: [String]) throws(Diagnostics) -> Int32 {
        let context = try ApplicationContext.current()
        let socketPath = ControlSocketPath.resolve(try context.options(options), inherited: context.inherited)
        let channel = ControlChannel(path: socketPath)

        // Only the lock says whether a drover owns the socket: one that is busy or
        // stopped fails a probe but must never be replaced.
        var lock: SocketLock?
        var socketProblem: String?
        do {
            lock = try SocketLock.acquire(forSocket: socketPath)
        } catch {
            switch error {
            case let .held(pid):
                guard !names.isEmpty else {
                    let who = pid.map { "pid \($0)" } ?? "its lock \(SocketLock.path(forSocket: socketPath)) is held"
                    throw Diagnostics([Diagnostic("drover is already running here (\(who)); use 'drover stop' or -s PATH")])
                }
                let selectors = try ClientContext.selectors(names)
                try ClientContext.act(.start(selectors), through: channel, verb: "started", selectors: selectors)
                return ExitCode.success.rawValue
            case let .foreign(owner):
                throw Diagnostics([
                    Diagnostic(
                        "\(SocketLock.path(forSocket: socketPath)) belongs to another user (uid \(owner)); "
                            + "not using their socket: choose another with -s")
                ])
            case .notAPlainFile:
                throw Diagnostics([
                    Diagnostic(
                        "\(SocketLock.path(forSocket: socketPath)) is not a plain file (a symbolic link?); "
                            + "remove it or choose another socket with -s")
                ])
            case let .system(systemError):
                // Where no lock can be made no socket can be either (a bad root, a read-only
                // directory): the foreground formation runs without one, as before.
                socketProblem = "cannot lock \(SocketLock.path(forSocket: socketPath)): \(systemError.reason)"
            }
        }
        // The lock stays held until drover ends (`withExtendedLifetime` below); released
        // on every early exit here.
        defer { lock?.release() }
        if lock != nil {
            switch UnixSocket.isSocketFile(socketPath) {
            case true?:
                // Its owner is gone (the lock was free): a killed drover left it.
                UnixSocket.remove(socketPath)
            case false?:
                throw Diagnostics([Diagnostic("\(socketPath) exists and is not a socket; remove it or choose another with -s")])
            case nil:
                break
            }
        }

        let application = try context.load(options, selected: names)
        guard let procfile = application.procfile, !application.instances.isEmpty else {
            throw Diagnostics([Diagnostic("nothing to start: the formation has no instances")])
        }
        let detached = local[LocalOption.detached.long] != nil
        if local["log"] != nil && local["daemon"] == nil && !detached {
            throw Diagnostics([Diagnostic("--log goes with --daemon", kind: .usage)])
        }
        if local["daemon"] != nil {
            // The background drover takes the lock itself, and holds it for its life.
            lock?.release()
            // It reports once every instance is ready: give it the readiness timeout, and a
            // minute more for starting itself.
            let readiness = application.readyTimeoutMilliseconds == 0 ? 3_600_000 : application.readyTimeoutMilliseconds
            return try Daemon.launch(socketPath: socketPath, waitMilliseconds: readiness + 60_000)
        }
        if detached, let socketProblem { throw Diagnostics([Diagnostic("cannot start: \(socketProblem)")]) }
        var launch = FormationLaunch(
            application: application, procfile: procfile,
            mode: detached ? .daemon(logFile: local["log"]) : .foreground, inherited: context.inherited)
        launch.socketProblem = socketProblem
        if detached {
            launch.onStarted = { output in Daemon.reportReady(logTo: output) }
            launch.onStartFailed = { why in Daemon.reportFailure(why) }
        }
        do {
            return try withExtendedLifetime(lock) { () throws(LaunchError) in try Supervisor.run(launch) }
        } catch {
            throw Diagnostics([Diagnostic(error.description)])
        }
    }
}
