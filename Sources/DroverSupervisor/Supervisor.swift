import DroverCore
import DroverSystem

#if canImport(Glibc)
    import Glibc
#endif

/// Runs a formation: one epoll loop over every output pipe, the signal descriptor,
/// drover's stdout, the control socket and the guardian's pipe; no thread per
/// process, no polling interval. The loop only routes: each event and each deadline
/// goes to the component that owns it.
public final class Supervisor {
    /// Descriptors drover needs besides one per instance: its own, and every client's.
    static let reservedDescriptors = 64 + ControlServer.maximumClients
    /// After every process is gone, pipes still held open (by escaped daemons) get this long.
    static let pipeGraceMilliseconds: Int64 = 1000

    private let poller: EventPoller
    private let signals: SignalReceiver
    private let deadlines = Deadlines()
    private let router: LogRouter
    private let instances: Instances
    private let probes: Probes
    private let watcher: Watcher?
    private let control: ControlServer?
    private let guardian: Guardian?
    private let notices: [String]
    private let onStarted: (() -> Void)?
    private var events: [EventPoller.Event] = []
    private var pipeGraceDeadline: Int64?

    /// Sets up everything `launch` needs and runs the formation to its end; returns
    /// drover's exit code. Throws only before anything has started.
    public static func run(_ launch: FormationLaunch) throws(LaunchError) -> Int32 {
        try Supervisor(launch).run()
    }

    private init(_ launch: FormationLaunch) throws(LaunchError) {
        let application = launch.application
        var notices: [String] = []
        func failure(_ what: String, _ error: SystemError) -> LaunchError { LaunchError("cannot start: \(what): \(error.reason)") }

        do {
            signals = try SignalReceiver.open([
                SIGCHLD, SIGINT, SIGTERM, SIGHUP, SIGUSR1, SIGUSR2, PseudoTerminal.windowChangeSignal,
            ])
        } catch {
            throw failure("signalfd", error)
        }
        SignalReceiver.ignoreBrokenPipe()

        // One pipe per instance: raise the soft descriptor limit to the hard one first,
        // and refuse a formation that cannot fit before anything starts.
        var childLimit: ResourceLimits.FileLimit?
        var capacity = Int.max
        do {
            let original = try ResourceLimits.raiseFileLimit()
            childLimit = original
            capacity = Int(clamping: original.hard) - Self.reservedDescriptors
        } catch {
            notices.append("cannot raise the descriptor limit (\(error.reason))")
        }
        if application.instances.count > capacity {
            throw LaunchError(
                "the formation has \(application.instances.count) instances, but drover's hard descriptor limit "
                    + "(ulimit -Hn: \(childLimit?.hard ?? 0)) leaves room for \(max(0, capacity)); raise it or start fewer")
        }

        do { poller = try EventPoller() } catch { throw failure("epoll", error) }
        do { try poller.add(signals.descriptor, token: EventSource.signals.token, interest: .readable) } catch {
            throw failure("epoll", error)
        }

        // Where the stream goes, and whether a control socket is required.
        var output: LogRouter.OutputTarget? = .standardOutput
        var colors = application.logging.color.enabled(
            outputIsTerminal: FileDescriptor.standardOutput.isTerminal, term: launch.inherited["TERM"]?.description,
            noColor: launch.inherited["NO_COLOR"]?.description)
        var listener: FileDescriptor?
        let socketPath = application.socketPath
        var ownFiles: Set<String> = [socketPath, SocketLock.path(forSocket: socketPath)]
        switch launch.mode {
        case .foreground:
            // The formation runs even where no socket can be made (a bad root, say).
            if let problem = launch.socketProblem {
                notices.append("no control socket at \(socketPath) (\(problem)); ps, scale and logs cannot reach this drover")
            } else {
                do { listener = try UnixSocket.listen(at: socketPath) } catch {
                    notices.append("no control socket at \(socketPath) (\(error.reason)); ps, scale and logs cannot reach this drover")
                }
            }
        case let .daemon(logFile):
            do { listener = try UnixSocket.listen(at: socketPath) } catch { throw failure("listen on \(socketPath)", error) }
            colors = application.logging.color == .always
            output = nil
            if let logFile {
                ownFiles.insert(logFile)
                switch FileSystem.openForAppending(logFile) {
                case let .success(descriptor): output = .logFile(path: logFile, descriptor: descriptor)
                case let .failure(error):
                    UnixSocket.remove(socketPath)
                    throw failure("open \(logFile)", error)
                }
            }
        }
        let style = LogStyle(
            colors: colors, timestamps: application.logging.timestamps, prefixes: application.logging.prefixes,
            nameWidth: LogStyle.nameWidth(for: application.instances.map(\.name)), format: application.logging.format)
        router = LogRouter(output: output, style: style, poller: poller, ownWindowSize: PseudoTerminal.ownWindowSize())

        // One value per run of drover: pid and start time.
        let run = "\(CurrentProcess.id)-\(Clocks.monotonicMilliseconds())"
        // As PID 1 of a container drover's death takes every process with it: no guardian needed.
        var guardian: Guardian?
        if CurrentProcess.id != 1 {
            do {
                guardian = try Guardian.launch(
                    graceMilliseconds: application.timeoutMilliseconds, run: run, fileLimit: childLimit, poller: poller)
            } catch {
                notices.append("no guardian process (\(error.reason)); processes will outlive drover if it is killed")
            }
        }
        self.guardian = guardian
        func abandon() {
            guardian?.dismiss()
            if let listener {
                listener.close()
                UnixSocket.remove(socketPath)
            }
        }
        let listeners: ListenSockets
        do { listeners = try ListenSockets(for: application) } catch {
            abandon()
            throw error
        }
        let launcher = InstanceLauncher(application: application, shell: launch.shell, run: run, fileLimit: childLimit)
        probes = Probes(poller: poller, deadlines: deadlines, router: router) { command, variables throws(SystemError) in
            try launcher.spawnCheck(command, ownVariables: variables)
        }
        instances = Instances(
            application: application, procfile: launch.procfile, launcher: launcher, router: router, deadlines: deadlines,
            guardian: guardian, capacity: capacity, probes: probes, listeners: listeners)
        if let plan = application.watchPlan {
            do {
                watcher = try Watcher(
                    application, plan: plan, ownFiles: ownFiles, poller: poller, deadlines: deadlines, router: router
                ) { [unowned instances] due in
                    try? instances.restart([InstanceSelector(type: due.type)], for: .filesChanged(due))
                }
            } catch {
                abandon()
                throw error
            }
        } else {
            watcher = nil
        }
        if let listener {
            do {
                control = try ControlServer(
                    listener: listener, path: socketPath, poller: poller, deadlines: deadlines, instances: instances,
                    router: router)
            } catch {
                listener.close()
                UnixSocket.remove(socketPath)
                throw failure("epoll", error)
            }
        } else {
            control = nil
        }
        router.onOutputLost = { [unowned instances] why in instances.stop(.outputLost(why: why)) }
        self.notices = notices
        onStarted = launch.onStarted.map { report in { report(output?.descriptor) } }
        instances.onStoppedBeforeReady = launch.onStartFailed
    }

    /// Starts every instance, runs until the formation has stopped and every
    /// descendant is reaped, and returns drover's exit code.
    private func run() -> Int32 {
        defer {
            control?.shutDown()
            guardian?.dismiss()
        }
        do {
            try Subreaper.become()
        } catch {
            router.log(.notice("cannot become a child subreaper (\(error.reason)); orphaned grandchildren may escape"))
        }
        for notice in notices { router.log(.notice(notice)) }
        instances.onReady = onStarted
        instances.startAll()
        do {
            try loop()
        } catch {
            router.log(.notice("event loop failed: \(error); stopping everything"))
            instances.killEverything()
        }
        router.finish()
        return instances.exitCode
    }

    private func loop() throws(SystemError) {
        while true {
            router.flush()
            guardian?.flush()
            if instances.isStopping && instances.allReaped && pipesDone() { return }
            try poller.wait(timeoutMilliseconds: deadlines.timeout(now: Clocks.monotonicMilliseconds()), into: &events)
            router.refreshClock()
            for event in events {
                switch EventSource(token: event.token) {
                case .signals?: try handleSignals()
                case .output?: router.outputEvent(event)
                case .listener?: control?.acceptClients()
                case .guardian?: guardian?.flush()
                case .stream?: router.streamEvent(event)
                case .client?: control?.handle(event)
                case .probe?: probes.handle(event)
                case .watch?: watcher?.handle(now: Clocks.monotonicMilliseconds())
                case nil: break
                }
            }
            let now = Clocks.monotonicMilliseconds()
            while let owner = deadlines.popDue(now: now) {
                switch owner {
                case .instance, .lingering, .shutdown, .probe: instances.deadlinePassed(owner, now: now)
                case let .client(token): control?.deadlinePassed(token, now: now)
                case .acceptPause: control?.resumeAccepting()
                case .watch: watcher?.deadlinePassed(now: now)
                case .pipeGrace: break
                }
            }
        }
    }

    /// Whether every output pipe is closed, or the grace for those still open is over.
    private func pipesDone() -> Bool {
        guard router.openStreams > 0 else { return true }
        let now = Clocks.monotonicMilliseconds()
        guard let deadline = pipeGraceDeadline else {
            pipeGraceDeadline = now + Self.pipeGraceMilliseconds
            deadlines.schedule(.pipeGrace, at: now + Self.pipeGraceMilliseconds)
            return false
        }
        guard now >= deadline else { return false }
        router.closeAllStreams()
        return true
    }

    private func handleSignals() throws(SystemError) {
        while let signal = try signals.next() {
            if signal == SIGCHLD {
                instances.reapChildren()
            } else if signal == PseudoTerminal.windowChangeSignal {
                router.ownWindowChanged(PseudoTerminal.ownWindowSize())
            } else if let stopSignal = SignalNumbers.stopSignal(signal) {
                instances.received(stopSignal)
            }
        }
    }
}
