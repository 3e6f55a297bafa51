import DroverCore
import DroverSystem

#if canImport(Glibc)
    import Glibc
#endif

/// The formation's instances: their slots and pid table, the shutdown, and what is
/// left of groups whose leader exited. It carries out what each `InstanceLifecycle`
/// and the `ShutdownPlan` decide; it decides nothing itself.
final class Instances {
    /// What `ps` shows, in Procfile order then by number.
    private var slots: [InstanceSlot] = []
    /// Scaled down and still stopping: not shown, still signalled and reaped.
    private var retired: [InstanceSlot] = []
    private var slotByID: [Int: InstanceSlot] = [:]
    private var slotByPid: [Int32: InstanceSlot] = [:]
    private var nextID = 0
    private let remnants: Remnants
    private var plan: ShutdownPlan
    private var ending = FormationEnding()
    /// Set when waitpid reports that drover has no children left; a spawn clears it.
    private(set) var allReaped = false
    /// Spawn failures while a control request is carried out, for its reply (nil
    /// outside one); at most `reportedFailures` are kept, the rest only counted.
    private var requestFailures: (messages: [String], count: Int)?
    static let reportedFailures = 10

    private let application: Application
    private let procfile: Procfile
    private let launcher: InstanceLauncher
    private let router: LogRouter
    private let deadlines: Deadlines
    private let guardian: Guardian?
    /// How many instances the descriptor limit leaves room for.
    private let capacity: Int
    /// `--after`: which types may start yet.
    private var order: StartOrder
    /// Each type's shutdown stage (`StartOrder.stopStages`).
    private let stages: ShutdownStages
    private let probes: Probes
    private let listeners: ListenSockets
    /// Restarts on a listening socket: the successor's id, and the run it replaces.
    private var handovers: [Int: InstanceSlot] = [:]
    /// Called once, when every instance is first ready (the daemon then says so).
    var onReady: (() -> Void)?
    /// Called if the formation stops before that, with why.
    var onStoppedBeforeReady: ((String) -> Void)?
    /// The last readiness failure or ending, for `onStoppedBeforeReady`.
    private var lastFailure: String?

    init(
        application: Application, procfile: Procfile, launcher: InstanceLauncher, router: LogRouter,
        deadlines: Deadlines, guardian: Guardian?, capacity: Int, probes: Probes, listeners: ListenSockets
    ) {
        self.application = application
        self.procfile = procfile
        self.launcher = launcher
        self.router = router
        self.deadlines = deadlines
        self.guardian = guardian
        remnants = Remnants(guardian: guardian, deadlines: deadlines)
        self.capacity = capacity
        self.probes = probes
        self.listeners = listeners
        order = StartOrder(dependencies: application.dependencies)
        stages = ShutdownStages(types: procfile.names, dependencies: application.dependencies)
        plan = ShutdownPlan(timeoutMilliseconds: application.timeoutMilliseconds, stages: stages.count)
        slots = application.instances.map(makeSlot)
        probes.onReady = { [unowned self] id, elapsed in
            guard let slot = slotByID[id], let probe = settings(of: slot).ready else { return }
            router.log(probe.readyLine(slot.plan, after: elapsed))
            becameReady(slot)
        }
        probes.onTimeout = { [unowned self] id, why in
            guard let slot = slotByID[id], let probe = settings(of: slot).ready else { return }
            let event = probe.notReadyLine(slot.plan, timeoutMilliseconds: application.readyTimeoutMilliseconds, why: why)
            lastFailure = event.text
            router.log(event)
            handle(.stop(.notReady), for: slot)
        }
    }

    private func settings(of slot: InstanceSlot) -> ProcessTypeSettings {
        application.settings(for: slot.plan.type)
    }

    var isStopping: Bool { plan.isStopping }
    var exitCode: Int32 { plan.exitCode }

    private func makeSlot(_ planned: PlannedInstance) -> InstanceSlot {
        let lifecycle = InstanceLifecycle(
            name: planned.name, settings: application.settings(for: planned.type),
            graceMilliseconds: application.timeoutMilliseconds)
        let slot = InstanceSlot(id: nextID, plan: planned, lifecycle: lifecycle)
        nextID += 1
        slotByID[slot.id] = slot
        return slot
    }

    func startAll() {
        for slot in slots where !plan.isStopping { handle(order.isReleased(slot.plan.type) ? .start : .wait, for: slot) }
        releaseWaiting()
        checkAllReady()
        guardian?.flush()
    }

    // MARK: Readiness and start order

    private func becameReady(_ slot: InstanceSlot) {
        handle(.becameReady, for: slot)
        if let old = handovers.removeValue(forKey: slot.id) {
            if let pid = old.lifecycle.pid { router.log(.handedOver(slot.plan.name, pid: pid)) }
            handle(.stop(.remove), for: old)
        }
        releaseWaiting()
        checkAllReady()
    }

    /// Starts the waiting types whose dependencies are now satisfied; a failed one-shot
    /// they wait on stops the formation with its code.
    private func releaseWaiting() {
        guard !order.dependencies.isEmpty, !plan.isStopping else { return }
        let result = order.release(procfile.names) { type in
            StartOrder.state(canDie: application.settings(for: type).canDie, slots.lazy.filter { $0.plan.type == type }.map(\.lifecycle))
        }
        switch result {
        case let .success(types):
            for slot in slots where types.contains(slot.plan.type) && slot.lifecycle.state == .waiting {
                handle(.start, for: slot)
            }
        case let .failure(blocked):
            let event = SystemEvent.blocked(type: blocked.dependent, by: blocked.name, blocked.termination)
            lastFailure = event.text
            router.log(event)
            stop(.instanceExited(name: blocked.name, blocked.termination))
        }
    }

    /// Every instance ready (or a one-shot done with 0) for the first time: `onReady`.
    private func checkAllReady() {
        guard let onReady, !plan.isStopping else { return }
        guard slots.allSatisfy(\.lifecycle.isUp) else { return }
        self.onReady = nil
        onStoppedBeforeReady = nil
        onReady()
    }

    // MARK: Carrying out decisions

    private func handle(_ event: InstanceLifecycle.Event, for slot: InstanceSlot) {
        let now = Clocks.monotonicMilliseconds()
        apply(slot.lifecycle.handle(event, now: now), to: slot)
    }

    private func apply(_ actions: [InstanceLifecycle.Action], to slot: InstanceSlot) {
        for action in actions {
            switch action {
            case .spawn: spawn(slot)
            case let .signal(step, group): Children.signalGroup(group, step.number)
            case let .wake(time): deadlines.schedule(.instance(slot.id), at: time)
            case let .log(message): router.log(message)
            case let .tearDownRemnants(group, teardown, step): remnants.tearDown(group, teardown, signalNow: step)
            case .remove:
                // A scale-down never ends drover: the user is steering; `drover stop` ends it.
                retired.removeAll { $0 === slot }
                slotByID[slot.id] = nil
                if !slots.contains(where: { $0.plan.port == slot.plan.port }) {
                    listeners.release(slot.plan.port)
                }
            case let .stopFormation(termination):
                stop(.instanceExited(name: slot.plan.name, termination))
            case .ended:
                ending.record(slot.lifecycle.lastExit)
                releaseWaiting()
                checkAllReady()
                checkEnding()
            }
        }
    }

    /// Only can-die types were left, and all of them have ended: the formation is over.
    private func checkEnding() {
        if let code = ending.exitCode(slots.lazy.map(\.lifecycle)) { stop(.formationEnded(exitCode: code)) }
    }

    private func spawn(_ slot: InstanceSlot) {
        // Once the formation stops nothing more is spawned, even in the middle of
        // starting thousands: the owed run is dropped.
        guard !plan.isStopping else {
            handle(.stop(.shutdown), for: slot)
            return
        }
        var stream: UInt64?
        do throws(SystemError) {
            let (token, output) = try launcher.openOutput(tty: settings(of: slot).tty, for: slot.source, router: router)
            stream = token
            defer { if case let .pipe(writeEnd) = output { writeEnd.close() } }
            var listener: FileDescriptor?
            if settings(of: slot).listen { listener = try listeners.socket(for: slot.plan.port) }
            let pid = try launcher.spawn(slot.plan, output: output, listener: listener)
            slot.stream = stream
            slotByPid[pid] = slot
            allReaped = false
            // Sent at the end of the loop's turn: writing (and waking the guardian) per
            // spawn made starting 1000 instances 20% slower. One killed in between is
            // still found by the DROVER_RUN in its environment.
            guardian?.watch(pid)
            // Running before anything else happens: a flush that finds the output closed
            // stops the formation, and the stop must find this run.
            let probe = settings(of: slot).ready
            handle(.spawned(pid: pid, ready: probe == nil), for: slot)
            router.started(token, pid: pid)
            router.log(.started(slot.plan.name, pid: pid, port: slot.plan.port))
            if let probe {
                probes.begin(
                    slot.id, probe: probe, port: slot.plan.port, stream: stream,
                    environment: slot.plan.ownVariables.map(\.entry),
                    timeoutMilliseconds: application.readyTimeoutMilliseconds)
            } else {
                becameReady(slot)
            }
            // Starting thousands takes seconds: show them as they come, a few times a second.
            router.flush(ifOlderThan: 100)
        } catch {
            if let stream { router.discard(stream) }
            let event = SystemEvent.spawnFailed(slot.plan.name, reason: error.reason, shell: launcher.shell, root: launcher.root)
            router.log(event)
            if var failures = requestFailures {
                if failures.messages.count < Self.reportedFailures { failures.messages.append(event.text) }
                failures.count += 1
                requestFailures = failures
            }
            handle(.spawnFailed(exitCode: error.isNoSuchFile ? 127 : 126), for: slot)
        }
    }

    // MARK: Events

    /// SIGCHLD: reap everything that exited; an instance's exit goes to its lifecycle.
    func reapChildren() {
        while true {
            switch Children.reapAny() {
            case .noChildren:
                allReaped = true
                return
            case .noneExited:
                if plan.isStopping, plan.isFinalStage {
                    remnants.signalStrays(killing: plan.phase == .killing, leaders: leaders)
                }
                settleRemnants()
                return
            case let .exited(pid, termination):
                if let guardian, pid == guardian.pid {
                    guardianExited(termination)
                    continue
                }
                if probes.reaped(pid, termination) { continue }
                // Anything else is an orphan reparented to drover: reaping it is all it needs.
                guard let slot = slotByPid.removeValue(forKey: pid) else { continue }
                router.drain(slot.stream, atMost: InstanceLauncher.pipeCapacity)
                router.endTerminal(slot.stream, code: termination.shellCode)
                probes.cancel(slot.id)
                if !slot.lifecycle.isReady, case .running = slot.lifecycle.state {
                    lastFailure = "\(slot.plan.name) \(termination) before it was ready"
                }
                handle(.exited(termination), for: slot)
                if plan.isStopping { checkStage() }
            }
        }
    }

    private var leaders: Set<Int32> { Set(slotByPid.keys) }

    private func settleRemnants() {
        remnants.settle(stopping: plan.isStopping, leadersLeft: !slotByPid.isEmpty)
    }

    private func countRunning() -> Int {
        remnants.countRunning(leaders: leaders)
    }

    private func guardianExited(_ termination: Termination) {
        guard let guardian, !guardian.isDismissed else { return }
        let groups = Array(slotByPid.keys) + remnants.groups
        do {
            try guardian.replace(watching: groups)
            router.log(.guardianReplaced(termination, pid: guardian.pid))
        } catch {
            router.log(.guardianLost(termination, reason: error.reason))
        }
    }

    func received(_ signal: StopSignal) {
        let now = Clocks.monotonicMilliseconds()
        perform(plan.received(signal, now: now, stillRunning: signal.stopsFormation ? countRunning() : 0))
    }

    /// Stops the whole formation (output closed, `drover quit`, an instance's exit).
    func stop(_ reason: ShutdownPlan.Reason) {
        if !plan.isStopping, let onStoppedBeforeReady {
            self.onStoppedBeforeReady = nil
            onReady = nil
            onStoppedBeforeReady(lastFailure ?? reason.description)
        }
        perform(plan.stop(reason, now: Clocks.monotonicMilliseconds()))
    }

    /// The current shutdown stage has no live run left: the next one gets its SIGTERM.
    private func checkStage() {
        guard plan.isStopping, !plan.isFinalStage else { return }
        let stage = plan.stage
        guard !(slots + retired).contains(where: { stages.stage(of: $0.plan.type) == stage && $0.lifecycle.pid != nil }) else { return }
        perform(plan.stageEnded(now: Clocks.monotonicMilliseconds()))
    }

    /// The live groups of a shutdown stage's instances.
    private func groups(ofStage stage: Int) -> [Int32] {
        (slots + retired).compactMap { stages.stage(of: $0.plan.type) == stage ? $0.lifecycle.pid : nil }
    }

    func deadlinePassed(_ owner: DeadlineOwner, now: Int64) {
        switch owner {
        case let .instance(id):
            guard let slot = slotByID[id] else { return }
            handle(.tick, for: slot)
        case let .lingering(group):
            remnants.deadlinePassed(group, now: now)
        case .shutdown:
            let running = plan.isFinalStage ? countRunning() : groups(ofStage: plan.stage).filter(Children.groupHasMembers).count
            perform(plan.deadlinePassed(now: now, stillRunning: running))
        case let .probe(id):
            probes.deadlinePassed(id, now: now)
        case .client, .pipeGrace, .acceptPause, .watch:
            break
        }
    }

    private func perform(_ actions: [ShutdownPlan.Action]) {
        for action in actions {
            switch action {
            case let .log(message): router.log(message)
            case .terminateAll:
                if plan.stages > 1 { router.log(stages.announcement(plan.stage)) }
                for slot in slots + retired {
                    probes.cancel(slot.id)
                    handle(.stop(.shutdown), for: slot)
                }
                remnants.signalAll(SIGTERM, leaders: leaders)
                if let deadline = plan.deadline { deadlines.schedule(.shutdown, at: deadline) }
                // With nothing running no SIGCHLD may come: look now.
                reapChildren()
                settleRemnants()
            case .killAll: remnants.signalAll(SIGKILL, leaders: leaders)
            case let .terminateStage(stage):
                let now = Clocks.monotonicMilliseconds()
                router.log(stages.announcement(stage))
                for slot in (slots + retired) where stages.stage(of: slot.plan.type) == stage {
                    probes.cancel(slot.id)
                    apply(slot.lifecycle.handle(.stop(.shutdown), now: now), to: slot)
                }
                for group in groups(ofStage: stage) { Children.signalGroup(group, SIGTERM) }
                if let deadline = plan.deadline { deadlines.schedule(.shutdown, at: deadline) }
                reapChildren()
                checkStage()
            case let .killStage(stage):
                for group in groups(ofStage: stage) { Children.signalGroup(group, SIGKILL) }
            case let .forward(signal):
                let number = SignalNumbers.number(of: signal)
                for slot in slots + retired {
                    if let pid = slot.lifecycle.pid { Children.signalGroup(pid, number) }
                }
            }
        }
    }

    /// The event loop failed: kill everything and wait for it.
    func killEverything() {
        remnants.signalAll(SIGKILL, leaders: leaders)
        guardian?.dismiss()
        while case .exited = Children.waitAny() {}
        allReaped = true
    }

    // MARK: Control requests

    func status(now: Int64) -> FormationStatus {
        FormationStatus(
            pid: Int(CurrentProcess.id), stopping: plan.isStopping,
            instances: slots.map {
                InstanceStatus($0.plan, $0.lifecycle, tty: application.settings(for: $0.plan.type).tty, now: now)
            })
    }

    /// The log sources of the instances the selectors name (none: all).
    func sources(_ selectors: [InstanceSelector]) throws(InvalidValue) -> [LogSource] {
        try select(selectors).map(\.source)
    }

    /// The instance `attach` names (a type alone: its lowest-numbered instance) and the
    /// stream of its current run, which must have a terminal.
    func terminalStream(_ selector: InstanceSelector) throws(InvalidValue) -> (name: String, stream: UInt64) {
        try refuseWhileStopping()
        guard let slot = try select([selector]).first else { throw InvalidValue("no instance matches \"\(selector)\"") }
        let name = slot.plan.name
        guard application.settings(for: slot.plan.type).tty else {
            throw InvalidValue("\(name) has no terminal (start it with --tty \(slot.plan.type))")
        }
        guard let stream = slot.stream, slot.lifecycle.pid != nil, router.hasTerminal(stream) else {
            throw InvalidValue("\(name) is not running (\(InstanceStatus(slot.plan, slot.lifecycle, tty: true, now: 0).state))")
        }
        return (name, stream)
    }

    /// A running instance on a listening socket is replaced without a gap: its successor
    /// starts beside it, and it stops once the successor is ready.
    /// `change`: a watched file changed, which leaves what `drover stop` stopped alone.
    func restart(_ selectors: [InstanceSelector], for change: SystemEvent? = nil) throws(InvalidValue) {
        try refuseWhileStopping()
        let chosen = try select(selectors).filter { change == nil || $0.lifecycle.state != .stopped }
        if let change, !chosen.isEmpty { router.log(change) }
        for slot in chosen {
            if settings(of: slot).listen, case .running = slot.lifecycle.state, handovers[slot.id] == nil {
                handOver(slot)
            } else {
                handle(.stop(.restart), for: slot)
            }
        }
    }

    private func handOver(_ slot: InstanceSlot) {
        guard let index = slots.firstIndex(where: { $0 === slot }), let pid = slot.lifecycle.pid else { return }
        let successor = InstanceSlot(id: nextID, plan: slot.plan, lifecycle: slot.lifecycle.successor())
        nextID += 1
        slotByID[successor.id] = successor
        slots[index] = successor
        retired.append(slot)
        handovers[successor.id] = slot
        // The old run's own probe, if it was still starting, has nothing left to decide.
        probes.cancel(slot.id)
        handle(.stop(.handOver), for: slot)
        router.log(.handingOver(slot.plan.name, pid: pid))
        handle(.startRequested, for: successor)
    }

    /// A place whose successor goes (stopped, scaled down) takes the run it replaced along.
    private func dropHandover(of slot: InstanceSlot) {
        if let old = handovers.removeValue(forKey: slot.id) { handle(.stop(.remove), for: old) }
    }

    func stop(_ selectors: [InstanceSelector]) throws(InvalidValue) {
        try refuseWhileStopping()
        for slot in try select(selectors) {
            dropHandover(of: slot)
            probes.cancel(slot.id)
            handle(.stop(.stop), for: slot)
        }
    }

    func start(_ selectors: [InstanceSelector]) throws(InvalidValue) {
        try refuseWhileStopping()
        for slot in try select(selectors) { requestStart(slot) }
    }

    /// A user's start: held back while the type's dependencies are not ready.
    private func requestStart(_ slot: InstanceSlot) {
        handle(order.isReleased(slot.plan.type) ? .startRequested : .wait, for: slot)
    }

    /// Carries out a control request; returns what it changed and the spawns that failed
    /// during it (the first few, then how many more), for the reply.
    func request<T>(_ body: () throws(InvalidValue) -> T) throws(InvalidValue) -> (T, startErrors: [String]) {
        requestFailures = ([], 0)
        defer { requestFailures = nil }
        let result = try body()
        guard let failures = requestFailures else { return (result, []) }
        var errors = failures.messages
        if failures.count > errors.count { errors.append("\(failures.count - errors.count) more could not start") }
        return (result, errors)
    }

    func scale(_ counts: [FormationCount]) throws(InvalidValue) -> [FormationCount] {
        try refuseWhileStopping()
        let change = try ScalePlan.make(
            procfile: procfile, current: slots.map(\.selector), counts: counts, basePort: application.basePort)
        // Every pipe still open counts, old runs' included: their descriptors are still in use.
        let needed = router.openStreams + change.additions.count
        guard needed <= capacity else {
            throw InvalidValue(
                "\(change.additions.count) more instances would not fit in drover's descriptor limit "
                    + "(\(router.openStreams) pipes open, room for \(capacity)); raise it with ulimit -Hn")
        }
        for removal in change.removals {
            guard let index = slots.firstIndex(where: { $0.selector == removal }) else { continue }
            let slot = slots.remove(at: index)
            retired.append(slot)
            dropHandover(of: slot)
            probes.cancel(slot.id)
            handle(.stop(.remove), for: slot)
        }
        for instance in change.additions {
            // A place still stopping after a scale-down is taken back, not doubled.
            let slot: InstanceSlot
            if let index = retired.firstIndex(where: { $0.plan == instance }) {
                slot = retired.remove(at: index)
            } else {
                slot = makeSlot(instance)
            }
            let position =
                slots.firstIndex {
                    ($0.plan.entryIndex, $0.plan.number) > (instance.entryIndex, instance.number)
                } ?? slots.endIndex
            slots.insert(slot, at: position)
            requestStart(slot)
        }
        return change.formation
    }

    /// `drover stop` with no names, `drover quit`.
    func quit() throws(InvalidValue) {
        try refuseWhileStopping()
        stop(.requested)
    }

    private func refuseWhileStopping() throws(InvalidValue) {
        if plan.isStopping { throw InvalidValue("drover is stopping") }
    }

    /// Every instance the selectors name (none: all); a selector that names nothing is an error.
    private func select(_ selectors: [InstanceSelector]) throws(InvalidValue) -> [InstanceSlot] {
        guard !selectors.isEmpty else { return slots }
        for selector in selectors where !slots.contains(where: { selector.matches(type: $0.plan.type, number: $0.plan.number) }) {
            throw InvalidValue("no instance matches \"\(selector)\"")
        }
        return slots.filter { selectors.selects(type: $0.plan.type, number: $0.plan.number) }
    }
}

extension StopSignal {
    /// SIGUSR1 and SIGUSR2 are passed on; the others stop the formation.
    var stopsFormation: Bool { self != .userDefined1 && self != .userDefined2 }
}
