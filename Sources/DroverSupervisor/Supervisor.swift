import DroverCore
import DroverSystem

#if canImport(Glibc)
import Glibc
#endif

/// Runs a formation: one epoll loop over every output pipe, the signal descriptor,
/// drover's stdout and the control socket; no thread per process, no polling interval.
public final class Supervisor {
    static let signalToken: UInt64 = 0
    static let outputToken: UInt64 = 1
    static let listenerToken: UInt64 = 2
    static let slotTokenBase: UInt64 = 1 << 32
    static let clientTokenBase: UInt64 = 2 << 32
    private static let readChunk = 65_536
    /// Pipe buffers are allocated as they fill, so an idle instance costs nothing extra.
    private static let pipeCapacity = 1 << 18

    let configuration: SupervisorConfiguration
    /// The formation as `ps` shows it, in Procfile order then by number.
    var slots: [InstanceSlot] = []
    /// Scaled-down instances still stopping; not shown, still signalled and reaped.
    var retired: [InstanceSlot] = []
    var slotByToken: [UInt64: InstanceSlot] = [:]
    var slotByPid: [Int32: InstanceSlot] = [:]
    /// Slots with a single-instance stop under way (and so a SIGKILL deadline); usually empty,
    /// so the loop never walks the whole formation for deadlines.
    var stopping: [InstanceSlot] = []
    /// Groups whose leader exited during a single stop while members remain: SIGKILL at the deadline.
    var lingeringGroups: [(group: Int32, deadline: Int64)] = []
    var plan: ShutdownPlan
    let poller: EventPoller
    private let signals: SignalReceiver
    private let output: OutputBuffer?
    let readBuffer: UnsafeMutableRawBufferPointer
    private var events: [EventPoller.Event] = []
    var clients: [UInt64: ControlClient] = [:]
    var nextSlotToken = slotTokenBase
    var nextClientToken = clientTokenBase
    var systemLog = LogRing()
    /// Position of each line in the whole stream, to merge rings in order.
    var sequence: UInt64 = 0

    private var outputWasNonblocking: Bool?
    private var watchingOutput = false
    private var readingPaused = false
    var openPipes = 0
    var hasChildren = true
    private var terminatedStrays: Set<Int32> = []
    var currentSecond = -1
    var currentTime = ""
    var systemPrefixes: (foreground: [UInt8], plain: [UInt8], colored: [UInt8]) = ([], [], [])
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
        plan = ShutdownPlan(timeoutMilliseconds: configuration.application.timeoutMilliseconds)
        poller = try EventPoller()
        output = configuration.output.map(OutputBuffer.init)
        readBuffer = .allocate(byteCount: Self.readChunk, alignment: 16)
        try poller.add(signals.descriptor, token: Self.signalToken, interest: .readable)
        if let control = configuration.control {
            try poller.add(control.listener, token: Self.listenerToken, interest: .readable)
        }
        if let descriptor = configuration.output, descriptor.kind == .pipeOrSocket {
            outputWasNonblocking = try? descriptor.setNonblocking(true)
        }
        for planned in configuration.application.instances {
            slots.append(makeSlot(planned))
        }
    }

    deinit {
        readBuffer.deallocate()
    }

    /// Starts every instance, runs until the formation has stopped and every
    /// descendant is reaped, and returns drover's exit code.
    public func run() -> Int32 {
        defer { cleanUp() }
        do {
            try Subreaper.become()
        } catch {
            log("cannot become a child subreaper (\(error.reason)); orphaned grandchildren may escape")
        }
        refreshClock()
        if let notice = configuration.startupNotice { log(notice) }
        for slot in slots where !plan.isStopping {
            start(slot)
        }
        configuration.onStarted?()
        do {
            try loop()
        } catch {
            log("event loop failed: \(error); stopping everything")
            killEverything()
        }
        finishOutput()
        return plan.exitCode
    }

    /// Everything still buffered is written before drover exits, however slow the
    /// reader: with the formation gone, blocking here holds nothing else up.
    private func finishOutput() {
        guard let output else { return }
        if outputWasNonblocking != nil { _ = try? output.descriptor.setNonblocking(false) }
        while case .wouldBlock = output.flush() {}
    }

    private func cleanUp() {
        for client in clients.values { client.descriptor.close() }
        clients.removeAll()
        if let control = configuration.control {
            control.listener.close()
            UnixSocket.remove(control.path)
        }
        if let wasNonblocking = outputWasNonblocking, let descriptor = configuration.output {
            _ = try? descriptor.setNonblocking(wasNonblocking)
        }
    }

    // MARK: Instances

    func makeSlot(_ planned: PlannedInstance) -> InstanceSlot {
        let environment = configuration.application.environment(for: planned).environStrings
        let slot = InstanceSlot(plan: planned, environment: environment, token: nextSlotToken)
        nextSlotToken += 1
        renderPrefixes(of: slot)
        return slot
    }

    func start(_ slot: InstanceSlot) {
        let instance = slot.plan
        slot.termination = nil
        slot.intent = nil
        slot.stopDeadline = nil
        slot.isStopped = false
        slot.groupGone = false
        do throws(SystemError) {
            let pipe = try Pipe.make(nonblockingReadEnd: true)
            pipe.requestCapacity(Self.pipeCapacity)
            var request = Spawn.Request(
                path: configuration.shell, arguments: [configuration.shell, "-c", instance.command],
                environment: slot.environment, workingDirectory: configuration.application.root)
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
            closeOutput(of: slot)
            slot.pid = pid
            slot.startedAt = Clocks.monotonicMilliseconds()
            slot.output = pipe.readEnd
            slotByToken[slot.token] = slot
            slotByPid[pid] = slot
            hasChildren = true
            try poller.add(pipe.readEnd, token: slot.token, interest: readingPaused ? .none : .readable)
            openPipes += 1
            log("\(instance.name) started with pid \(pid) (port \(instance.port))")
        } catch {
            log("\(instance.name) could not start: \(error.reason) (\(configuration.shell) in \(configuration.application.root))")
            let code: Int32 = error.isNoSuchFile ? 127 : 126
            slot.termination = .exited(code: code)
            perform(plan.stop(.spawnFailed(name: instance.name, exitCode: code), now: Clocks.monotonicMilliseconds()))
        }
    }

    /// SIGTERM to one instance's group, SIGKILL after the timeout unless it is gone by then.
    func stopInstance(_ slot: InstanceSlot, intent: InstanceSlot.StopIntent) {
        slot.intent = intent
        guard let pid = slot.pid, slot.isRunning else { return }
        Children.signalGroup(pid, SIGTERM)
        slot.stopDeadline = Clocks.monotonicMilliseconds() + Int64(configuration.application.timeoutMilliseconds)
        stopping.append(slot)
    }

    // MARK: The loop

    private func loop() throws(SystemError) {
        if slots.allSatisfy({ $0.pid == nil }) { hasChildren = false }
        while true {
            flushOutput()
            if plan.isStopping && !hasChildren && (openPipes == 0 || pipeGraceExpired()) { return }
            try poller.wait(timeoutMilliseconds: nextTimeout(), into: &events)
            refreshClock()
            for event in events {
                switch event.token {
                case Self.signalToken: try handleSignals()
                case Self.outputToken: flushOutput()
                case Self.listenerToken: acceptClients()
                case Self.clientTokenBase...: handleClient(event)
                default:
                    if let slot = slotByToken[event.token] { readOutput(of: slot, untilDrained: false) }
                }
            }
            handleDeadlines(now: Clocks.monotonicMilliseconds())
        }
    }

    private func handleDeadlines(now: Int64) {
        if let deadline = plan.deadline, now >= deadline {
            perform(plan.deadlinePassed(now: now, stillRunning: countRunning()))
        }
        stopping.removeAll { slot in
            guard let deadline = slot.stopDeadline, slot.isRunning, let pid = slot.pid else { return true }
            guard now >= deadline else { return false }
            log("sending SIGKILL to \(slot.plan.name), still running after \(Seconds.text(milliseconds: configuration.application.timeoutMilliseconds))")
            Children.signalGroup(pid, SIGKILL)
            slot.stopDeadline = nil
            return true
        }
        lingeringGroups.removeAll { entry in
            guard now >= entry.deadline else { return false }
            Children.signalGroup(entry.group, SIGKILL)
            return true
        }
        expireClients(now: now)
    }

    private func nextTimeout() -> Int? {
        let now = Clocks.monotonicMilliseconds()
        if !hasChildren, openPipes > 0, plan.isStopping {
            let deadline = pipeGraceDeadline ?? now + 1000
            pipeGraceDeadline = deadline
            return Int(max(0, deadline - now))
        }
        // The earliest of every deadline, without building a list on each turn.
        var earliest = plan.deadline
        func consider(_ deadline: Int64?) {
            if let deadline, deadline < earliest ?? .max { earliest = deadline }
        }
        for slot in stopping where slot.isRunning { consider(slot.stopDeadline) }
        for entry in lingeringGroups { consider(entry.deadline) }
        for client in clients.values { consider(client.requestDeadline) }
        return earliest.map { Int(max(0, $0 - now)) }
    }

    private func pipeGraceExpired() -> Bool {
        guard let deadline = pipeGraceDeadline, Clocks.monotonicMilliseconds() >= deadline else { return false }
        for slot in slots + retired { closeOutput(of: slot) }
        return true
    }

    // MARK: Output

    /// Reads one chunk (or, before an exit message, everything there is) from an instance.
    func readOutput(of slot: InstanceSlot, untilDrained: Bool) {
        guard let descriptor = slot.output else { return }
        let followers = followers(of: slot)
        repeat {
            let result: FileDescriptor.ReadResult
            do {
                result = try descriptor.read(into: readBuffer)
            } catch {
                result = .endOfFile
            }
            switch result {
            case let .bytes(count):
                emitLines(of: slot, UnsafeRawBufferPointer(rebasing: readBuffer[0..<count]), followers: followers)
                if let output, output.pendingCount >= OutputBuffer.flushThreshold { flushOutput() }
                if readingPaused && !untilDrained { return }
            case .wouldBlock:
                return
            case .endOfFile:
                closeOutput(of: slot)
                return
            }
        } while untilDrained
    }

    private func emitLines(of slot: InstanceSlot, _ bytes: UnsafeRawBufferPointer, followers: [ControlClient]) {
        slot.prefix.withUnsafeBytes { prefix in
            slot.framer.feed(bytes) { deliver($0, of: slot, prefix: prefix, followers: followers) }
        }
        if !followers.isEmpty { flushFollowers(followers) }
    }

    /// One line of an instance: to the stream, to its history, to its followers.
    @inline(__always)
    private func deliver(
        _ line: UnsafeRawBufferPointer, of slot: InstanceSlot, prefix: UnsafeRawBufferPointer, followers: [ControlClient]
    ) {
        output?.appendLine(prefix: prefix, line: line)
        slot.log.append(line, time: currentSecond, sequence: sequence)
        sequence += 1
        for follower in followers { sendLine(line, of: slot, to: follower) }
    }

    func closeOutput(of slot: InstanceSlot) {
        guard let descriptor = slot.output else { return }
        let followers = followers(of: slot)
        slot.prefix.withUnsafeBytes { prefix in
            slot.framer.finish { deliver($0, of: slot, prefix: prefix, followers: followers) }
        }
        poller.remove(descriptor)
        descriptor.close()
        slot.output = nil
        slotByToken[slot.token] = nil
        openPipes -= 1
    }

    /// Writes what it can; pauses or resumes reading the children around the water marks.
    private func flushOutput() {
        guard let output else { return }
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
        guard on != watchingOutput, let output else { return }
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
        for slot in slots + retired {
            guard let descriptor = slot.output else { continue }
            try? poller.modify(descriptor, token: slot.token, interest: paused ? .none : .readable)
        }
    }

    // MARK: drover's own lines

    func refreshClock() {
        let second = Clocks.wallSeconds()
        guard second != currentSecond else { return }
        currentSecond = second
        currentTime = Self.timeOfDay(second)
        // Retired slots too: a scaled-down instance may still print while it stops.
        for slot in slots + retired { renderPrefixes(of: slot) }
        let style = configuration.style
        systemPrefixes = (
            style.prefix(name: "system", colorIndex: nil, time: currentTime),
            followerStyle(colored: false).prefix(name: "system", colorIndex: nil, time: currentTime),
            followerStyle(colored: true).prefix(name: "system", colorIndex: nil, time: currentTime)
        )
    }

    static func timeOfDay(_ second: Int) -> String {
        let local = Clocks.localTime(second)
        return ClockTime.format(hour: local.hour, minute: local.minute, second: local.second)
    }

    private func renderPrefixes(of slot: InstanceSlot) {
        let plan = slot.plan
        slot.prefix = configuration.style.prefix(name: plan.name, colorIndex: plan.entryIndex, time: currentTime)
        slot.followerPrefixes = (
            followerStyle(colored: false).prefix(name: plan.name, colorIndex: plan.entryIndex, time: currentTime),
            followerStyle(colored: true).prefix(name: plan.name, colorIndex: plan.entryIndex, time: currentTime)
        )
    }

    /// `logs` clients get the foreground format; color is their choice.
    func followerStyle(colored: Bool) -> LogStyle {
        LogStyle(colors: colored, timestamps: true, prefixes: true, nameWidth: configuration.style.nameWidth)
    }

    func log(_ message: String) {
        var message = message
        let time = currentSecond
        message.withUTF8 { text in
            let line = UnsafeRawBufferPointer(text)
            systemPrefixes.foreground.withUnsafeBytes { output?.appendLine(prefix: $0, line: line) }
            systemLog.append(line, time: time, sequence: sequence)
            sequence += 1
            for client in clients.values {
                guard case let .following(targets, colored) = client.phase, targets.isEmpty else { continue }
                (colored ? systemPrefixes.colored : systemPrefixes.plain).withUnsafeBytes {
                    client.queue(prefix: $0, line: line)
                }
            }
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
                guard let slot = slotByPid.removeValue(forKey: pid) else { continue }  // an orphan reparented to drover
                instanceExited(slot, termination)
            }
        }
    }

    private func instanceExited(_ slot: InstanceSlot, _ termination: Termination) {
        // Its last words come before the news of its exit.
        readOutput(of: slot, untilDrained: true)
        slot.termination = termination
        slot.stopDeadline = nil
        log("\(slot.plan.name) \(termination)")
        let now = Clocks.monotonicMilliseconds()
        guard let intent = slot.intent, !plan.isStopping else {
            perform(plan.stop(.instanceExited(name: slot.plan.name, termination), now: now))
            return
        }
        // A stop drover asked for: members left in the group get the rest of the timeout.
        if let pid = slot.pid, Children.groupHasMembers(pid) {
            Children.signalGroup(pid, SIGTERM)
            lingeringGroups.append((pid, now + Int64(configuration.application.timeoutMilliseconds)))
        }
        switch intent {
        case .stop:
            slot.isStopped = true
            slot.intent = nil
        case .restart:
            slot.restarts += 1
            start(slot)
        case .remove:
            closeOutput(of: slot)
            retired.removeAll { $0 === slot }
        }
    }

    func perform(_ actions: [ShutdownPlan.Action]) {
        for action in actions {
            switch action {
            case let .log(message): log(message)
            case .terminateAll: signalAll(SIGTERM)
            case .killAll: signalAll(SIGKILL)
            case let .forward(signal):
                let number = SignalNumbers.number(of: signal)
                for slot in slots where slot.isRunning {
                    if let pid = slot.pid { Children.signalGroup(pid, number) }
                }
            }
        }
    }

    /// Every instance's group, lingering groups, then every other child of drover.
    private func signalAll(_ signal: Int32) {
        for slot in slots + retired where !slot.groupGone {
            guard let pid = slot.pid else { continue }
            if !Children.signalGroup(pid, signal) { slot.groupGone = true }
        }
        for entry in lingeringGroups { Children.signalGroup(entry.group, signal) }
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

    /// drover's children that are not a running instance's group leader.
    private func strays() -> [Int32] {
        Subreaper.children().filter { slotByPid[$0] == nil }
    }

    /// Instances whose group still has a member, plus strays: what SIGKILL would hit.
    private func countRunning() -> Int {
        var count = 0
        var groups: Set<Int32> = []
        for slot in slots + retired where !slot.groupGone {
            guard let pid = slot.pid else { continue }
            if Children.groupHasMembers(pid) {
                count += 1
                groups.insert(pid)
            } else {
                slot.groupGone = true
            }
        }
        return count + strays().filter { !groups.contains(Children.processGroup(of: $0)) }.count
    }

    private func killEverything() {
        signalAll(SIGKILL)
        while case .exited = Children.waitAny() {}
    }
}
