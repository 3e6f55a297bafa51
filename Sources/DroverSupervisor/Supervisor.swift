import DroverCore
import DroverSystem

#if canImport(Glibc)
import Glibc
#endif

/// Runs a formation in the foreground: one epoll loop over every output pipe, the
/// signal descriptor and drover's stdout; no thread per process, no polling interval.
public final class Supervisor {
    private static let signalToken: UInt64 = 0
    private static let outputToken: UInt64 = 1
    private static let firstInstanceToken: UInt64 = 16
    private static let readChunk = 65_536
    /// Pipe buffers are allocated as they fill, so an idle instance costs nothing extra.
    private static let pipeCapacity = 1 << 18

    private let configuration: SupervisorConfiguration
    private var instances: [SupervisedInstance]
    private var plan: ShutdownPlan
    private let poller: EventPoller
    private let signals: SignalReceiver
    private let output: OutputBuffer
    private let readBuffer: UnsafeMutableRawBufferPointer
    private var events: [EventPoller.Event] = []

    /// Whether drover's stdout was non-blocking before; restored on the way out.
    private var outputWasNonblocking: Bool?
    private var watchingOutput = false
    private var readingPaused = false
    private var openPipes = 0
    private var hasChildren = true
    /// Processes outside every instance's group (double-forked daemons) already sent SIGTERM.
    private var terminatedStrays: Set<Int32> = []
    private var currentSecond = -1
    private var systemPrefix: [UInt8] = []
    /// Once no child is left, pipes still held open elsewhere get this long to close.
    private var pipeGraceDeadline: Int64?

    /// Blocks the signals drover handles: call before anything else in the process.
    public static func prepareProcess() throws(SystemError) -> SignalReceiver {
        let receiver = try SignalReceiver.open([SIGCHLD, SIGINT, SIGTERM, SIGHUP, SIGUSR1, SIGUSR2])
        SignalReceiver.ignoreBrokenPipe()
        return receiver
    }

    public init(_ configuration: SupervisorConfiguration, signals: SignalReceiver) throws(SystemError) {
        self.configuration = configuration
        self.signals = signals
        instances = configuration.instances.map(SupervisedInstance.init)
        plan = ShutdownPlan(timeoutMilliseconds: configuration.timeoutMilliseconds)
        poller = try EventPoller()
        output = OutputBuffer(descriptor: .standardOutput)
        readBuffer = .allocate(byteCount: Self.readChunk, alignment: 16)
        try poller.add(signals.descriptor, token: Self.signalToken, interest: .readable)
        if FileDescriptor.standardOutput.kind == .pipeOrSocket {
            outputWasNonblocking = try? FileDescriptor.standardOutput.setNonblocking(true)
        }
    }

    deinit {
        readBuffer.deallocate()
    }

    /// Starts every instance, runs until the formation has stopped and every
    /// descendant is reaped, and returns drover's exit code.
    public func run() -> Int32 {
        defer { restoreOutput() }
        do {
            try Subreaper.become()
        } catch {
            log("cannot become a child subreaper (\(error.reason)); orphaned grandchildren may escape")
        }
        refreshClock()
        for index in instances.indices where !plan.isStopping {
            start(index)
        }
        do {
            try loop()
        } catch {
            log("event loop failed: \(error); stopping everything")
            killEverything()
        }
        _ = output.flush()
        return plan.exitCode
    }

    // MARK: Starting

    private func start(_ index: Int) {
        let instance = instances[index].plan
        do throws(SystemError) {
            let pipe = try Pipe.make(nonblockingReadEnd: true)
            pipe.requestCapacity(Self.pipeCapacity)
            var request = Spawn.Request(
                path: configuration.shell, arguments: [configuration.shell, "-c", instance.command],
                environment: configuration.environments[index], workingDirectory: configuration.root)
            request.standardOutput = .descriptor(pipe.writeEnd)
            request.standardError = .descriptor(pipe.writeEnd)
            request.grouping = .newProcessGroup
            let pid: Int32
            do throws(SystemError) {
                pid = try Spawn.run(request)
            } catch {
                pipe.readEnd.close()
                pipe.writeEnd.close()
                throw error
            }
            pipe.writeEnd.close()
            instances[index].pid = pid
            instances[index].output = pipe.readEnd
            try poller.add(pipe.readEnd, token: Self.firstInstanceToken + UInt64(index), interest: .readable)
            openPipes += 1
            log("\(instance.name) started with pid \(pid) (port \(instance.port))")
        } catch {
            log("\(instance.name) could not start: \(error.reason) (\(configuration.shell) in \(configuration.root))")
            let code: Int32 = error.isNoSuchFile ? 127 : 126
            perform(plan.stop(.spawnFailed(name: instance.name, exitCode: code), now: Clocks.monotonicMilliseconds()))
        }
    }

    // MARK: The loop

    private func loop() throws(SystemError) {
        if instances.allSatisfy({ $0.pid == nil }) { hasChildren = false }
        while true {
            flushOutput()
            if plan.isStopping && !hasChildren && (openPipes == 0 || pipeGraceExpired()) { return }
            try poller.wait(timeoutMilliseconds: nextTimeout(), into: &events)
            refreshClock()
            for event in events {
                switch event.token {
                case Self.signalToken: try handleSignals()
                case Self.outputToken: flushOutput()
                default: readOutput(of: Int(event.token - Self.firstInstanceToken), untilDrained: false)
                }
            }
            let now = Clocks.monotonicMilliseconds()
            if let deadline = plan.deadline, now >= deadline {
                perform(plan.deadlinePassed(now: now, stillRunning: countRunning()))
            }
        }
    }

    private func nextTimeout() -> Int? {
        let now = Clocks.monotonicMilliseconds()
        if !hasChildren, openPipes > 0 {
            let deadline = pipeGraceDeadline ?? now + 1000
            pipeGraceDeadline = deadline
            return Int(max(0, deadline - now))
        }
        return plan.deadline.map { Int(max(0, $0 - now)) }
    }

    private func pipeGraceExpired() -> Bool {
        guard let deadline = pipeGraceDeadline, Clocks.monotonicMilliseconds() >= deadline else { return false }
        for index in instances.indices where instances[index].output != nil { closeOutput(of: index) }
        return true
    }

    // MARK: Output

    /// Reads one chunk (or, before an exit message, everything there is) from an instance.
    private func readOutput(of index: Int, untilDrained: Bool) {
        guard let descriptor = instances[index].output else { return }
        repeat {
            let result: FileDescriptor.ReadResult
            do {
                result = try descriptor.read(into: readBuffer)
            } catch {
                result = .endOfFile
            }
            switch result {
            case let .bytes(count):
                let prefix = instances[index].prefix
                prefix.withUnsafeBytes { prefixBytes in
                    instances[index].framer.feed(UnsafeRawBufferPointer(rebasing: readBuffer[0..<count])) { line in
                        output.appendLine(prefix: prefixBytes, line: line)
                    }
                }
                if output.pendingCount >= OutputBuffer.flushThreshold { flushOutput() }
                if readingPaused && !untilDrained { return }
            case .wouldBlock:
                return
            case .endOfFile:
                closeOutput(of: index)
                return
            }
        } while untilDrained
    }

    private func closeOutput(of index: Int) {
        guard let descriptor = instances[index].output else { return }
        let prefix = instances[index].prefix
        prefix.withUnsafeBytes { prefixBytes in
            instances[index].framer.finish { output.appendLine(prefix: prefixBytes, line: $0) }
        }
        poller.remove(descriptor)
        descriptor.close()
        instances[index].output = nil
        openPipes -= 1
    }

    /// Writes what it can; pauses or resumes reading the children around the water marks.
    private func flushOutput() {
        switch output.flush() {
        case .done:
            setWatchingOutput(false)
            setReadingPaused(false)
        case .wouldBlock:
            setWatchingOutput(true)
            if output.pendingCount >= OutputBuffer.highWater { setReadingPaused(true) }
            if output.pendingCount <= OutputBuffer.lowWater { setReadingPaused(false) }
        case .closed:
            setWatchingOutput(false)
            setReadingPaused(false)
            perform(plan.stop(.outputClosed, now: Clocks.monotonicMilliseconds()))
        }
    }

    private func setWatchingOutput(_ on: Bool) {
        guard on != watchingOutput else { return }
        watchingOutput = on
        if on {
            try? poller.add(output.descriptor, token: Self.outputToken, interest: .writable)
        } else {
            poller.remove(output.descriptor)
        }
    }

    private func setReadingPaused(_ paused: Bool) {
        guard paused != readingPaused else { return }
        readingPaused = paused
        for index in instances.indices {
            guard let descriptor = instances[index].output else { continue }
            try? poller.modify(
                descriptor, token: Self.firstInstanceToken + UInt64(index), interest: paused ? .none : .readable)
        }
    }

    private func restoreOutput() {
        if let wasNonblocking = outputWasNonblocking {
            _ = try? FileDescriptor.standardOutput.setNonblocking(wasNonblocking)
        }
    }

    // MARK: Drover's own lines

    private func refreshClock() {
        let second = Clocks.wallSeconds()
        guard second != currentSecond else { return }
        currentSecond = second
        let local = Clocks.localTime(second)
        let time = ClockTime.format(hour: local.hour, minute: local.minute, second: local.second)
        let style = configuration.style
        for index in instances.indices {
            let plan = instances[index].plan
            instances[index].prefix = style.prefix(name: plan.name, colorIndex: plan.entryIndex, time: time)
        }
        systemPrefix = style.prefix(name: "system", colorIndex: nil, time: time)
    }

    private func log(_ message: String) {
        var message = message
        message.withUTF8 { text in
            systemPrefix.withUnsafeBytes { output.appendLine(prefix: $0, line: UnsafeRawBufferPointer(text)) }
        }
    }

    // MARK: Signals and children

    private func handleSignals() throws(SystemError) {
        while let signal = try signals.next() {
            if signal == SIGCHLD {
                reapChildren()
            } else if let stopSignal = SignalNumbers.stopSignal(signal) {
                perform(plan.received(stopSignal, now: Clocks.monotonicMilliseconds(), stillRunning: countRunning()))
            }
        }
    }

    private func reapChildren() {
        while true {
            switch Children.reapAny() {
            case .noChildren:
                hasChildren = false
                return
            case .noneExited:
                if plan.isStopping { signalStrays() }
                return
            case let .exited(pid, termination):
                guard let index = instances.firstIndex(where: { $0.pid == pid && $0.termination == nil }) else {
                    continue  // an orphan reparented to drover
                }
                // Its last words come before the news of its exit.
                readOutput(of: index, untilDrained: true)
                instances[index].termination = termination
                log("\(instances[index].plan.name) \(termination)")
                perform(plan.stop(
                    .instanceExited(name: instances[index].plan.name, termination), now: Clocks.monotonicMilliseconds()))
            }
        }
    }

    private func perform(_ actions: [ShutdownPlan.Action]) {
        for action in actions {
            switch action {
            case let .log(message): log(message)
            case .terminateAll: signalAll(SIGTERM)
            case .killAll: signalAll(SIGKILL)
            case let .forward(signal):
                let number = SignalNumbers.number(of: signal)
                for index in instances.indices where !instances[index].groupGone {
                    if let pid = instances[index].pid { Children.signalGroup(pid, number) }
                }
            }
        }
    }

    /// Every instance's group, then every other child of drover (reparented orphans).
    private func signalAll(_ signal: Int32) {
        for index in instances.indices where !instances[index].groupGone {
            guard let pid = instances[index].pid else { continue }
            if !Children.signalGroup(pid, signal) { instances[index].groupGone = true }
        }
        for pid in strays() {
            Children.signal(pid, signal)
            terminatedStrays.insert(pid)
        }
    }

    /// While draining, orphans that arrived since the last sweep get their SIGTERM (or
    /// SIGKILL once the plan is killing).
    private func signalStrays() {
        let killing = plan.phase == .killing
        for pid in strays() where killing || !terminatedStrays.contains(pid) {
            Children.signal(pid, killing ? SIGKILL : SIGTERM)
            terminatedStrays.insert(pid)
        }
    }

    /// drover's children that are not an instance's group leader.
    private func strays() -> [Int32] {
        let leaders = Set(instances.compactMap { $0.termination == nil ? $0.pid : nil })
        return Subreaper.children().filter { !leaders.contains($0) }
    }

    /// Instances whose group still has a member, plus strays: what SIGKILL would hit.
    private func countRunning() -> Int {
        var count = 0
        for index in instances.indices where !instances[index].groupGone {
            guard let pid = instances[index].pid else { continue }
            if Children.groupHasMembers(pid) { count += 1 } else { instances[index].groupGone = true }
        }
        let groups = Set(instances.compactMap(\.pid))
        return count + strays().filter { !groups.contains(Children.processGroup(of: $0)) }.count
    }

    private func killEverything() {
        signalAll(SIGKILL)
        while case .exited = Children.waitAny() {}
    }
}
