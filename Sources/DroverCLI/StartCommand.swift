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

        switch channel.probe() {
        case let .alive(pid):
            guard !names.isEmpty else {
                throw Diagnostics([Diagnostic("drover is already running here (pid \(pid)); use 'drover stop' or -s PATH")])
            }
            let selectors = try ClientContext.selectors(names)
            try ClientContext.act(.start(selectors), through: channel, verb: "started", selectors: selectors)
            return ExitCode.success.rawValue
        case .stale:
            UnixSocket.remove(socketPath)
        case .notASocket:
            throw Diagnostics([Diagnostic("\(socketPath) exists and is not a socket; remove it or choose another with -s")])
        case .absent:
            break
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
            return try Daemon.launch(socketPath: socketPath)
        }
        var launch = FormationLaunch(
            application: application, procfile: procfile,
            mode: detached ? .daemon(logFile: local["log"]) : .foreground, inherited: context.inherited)
        if detached { launch.onStarted = { output in Daemon.reportReady(logTo: output) } }
        do {
            return try Supervisor.run(launch)
        } catch {
            throw Diagnostics([Diagnostic(error.description)])
        }
    }
}
