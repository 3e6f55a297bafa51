import DroverCore
import DroverSupervisor
import DroverSystem

/// `drover start`: runs the formation in the foreground, or in the background with
/// `--daemon`; against a running drover, `start NAME` starts stopped instances again.
enum StartCommand {
    static func run(options: LaunchOptions, local: [String: String], names: [String]) throws(Diagnostics) -> Int32 {
        let context = try ApplicationContext.current()
        let merged = try context.defaults().overridden(by: options)
        let socketPath = ControlSocketPath.resolve(merged, inherited: context.inherited)
        let channel = ControlChannel(path: socketPath)

        switch channel.probe() {
        case let .alive(pid):
            guard !names.isEmpty else {
                throw Diagnostics([Diagnostic("drover is already running here (pid \(pid)); use 'drover stop' or -s PATH")])
            }
            return try startStopped(names, through: channel)
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
        if local["log"] != nil && local["daemon"] == nil && local["detached-supervisor"] == nil {
            throw Diagnostics([Diagnostic("--log goes with --daemon", kind: .usage)])
        }
        if local["daemon"] != nil {
            return try Daemon.launch(socketPath: socketPath)
        }
        return try supervise(application, procfile: procfile, socketPath: socketPath, context: context,
                             detached: local["detached-supervisor"] != nil, logFile: local["log"])
    }

    private static func startStopped(_ names: [String], through channel: ControlChannel) throws(Diagnostics) -> Int32 {
        let selectors = try ClientContext.selectors(names)
        try ClientContext.report("started", try channel.send(.start(selectors)), selectors: selectors)
        return ExitCode.success.rawValue
    }

    private static func supervise(
        _ application: Application, procfile: Procfile, socketPath: String, context: ApplicationContext,
        detached: Bool, logFile: String?
    ) throws(Diagnostics) -> Int32 {
        let supervisor: Supervisor
        do throws(SystemError) {
            let signals = try Supervisor.prepareProcess()
            // In the foreground the formation runs even where no socket can be made (a bad
            // root, say): the failure shows as a system line. A daemon without one is unreachable.
            var listener: FileDescriptor?
            var controlProblem: String?
            do throws(SystemError) {
                listener = try UnixSocket.listen(at: socketPath)
            } catch {
                if detached { throw error }
                controlProblem = "no control socket at \(socketPath) (\(error.reason)); ps, scale and logs cannot reach this drover"
            }
            var output: FileDescriptor? = .standardOutput
            var colors = application.logging.color.enabled(
                outputIsTerminal: FileDescriptor.standardOutput.isTerminal,
                term: context.inherited["TERM"], noColor: context.inherited["NO_COLOR"])
            if detached {
                output = nil
                colors = application.logging.color == .always
                if let logFile {
                    switch FileSystem.openForAppending(logFile) {
                    case let .success(descriptor): output = descriptor
                    case let .failure(error):
                        UnixSocket.remove(socketPath)
                        throw SystemError("open \(logFile)", code: error.code)
                    }
                }
            }
            let style = LogStyle(
                colors: colors, timestamps: application.logging.timestamps, prefixes: application.logging.prefixes,
                nameWidth: LogStyle.nameWidth(for: application.instances.map(\.name)))
            var configuration = SupervisorConfiguration(application: application, procfile: procfile, style: style)
            configuration.control = listener.map { ($0, socketPath) }
            configuration.startupNotice = controlProblem
            configuration.output = output
            if detached {
                let logOutput = output
                configuration.onStarted = { Daemon.reportReady(logTo: logOutput) }
            }
            do throws(SystemError) {
                supervisor = try Supervisor(configuration, signals: signals)
            } catch {
                // From here on the supervisor removes the socket; before, it is ours to remove.
                if listener != nil { UnixSocket.remove(socketPath) }
                throw error
            }
        } catch {
            throw Diagnostics([Diagnostic("cannot start: \(error)")])
        }
        return supervisor.run()
    }
}
