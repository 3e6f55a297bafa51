import DroverCore
import DroverSystem
import Foundation

/// One process type of the soak formation.
struct SoakType {
    var name: String
    var initial: Int
    /// Scaled at random within 1...maximumCount; the one-shot is not.
    var scalable: Bool
    /// Restarted by drover whatever happens (`always`/`on-failure` with no limit).
    var restarts: Bool
}

/// One reading of drover's memory and descriptors.
struct Sample {
    var time: Double
    var droverKB: Double
    var guardianKB: Double?
    var descriptors: Int
    var instances: Int
    /// For checkpoints: "start", "10%"... "end".
    var label = ""
}

/// The driver: starts drover on a formation with restart policies, abuses it for
/// `seconds`, checks it against /proc as it goes, stops it and looks for leftovers.
final class Soak {
    static let maximumCount = 8
    /// drover's `-t`: short, so stubborn children are SIGKILLed soon after a stop.
    static let stopTimeout = 1.0
    /// How long a process may sit outside every listed group before it is a mismatch:
    /// drover's teardown of a killed instance's remnants takes up to `-t`.
    static let unlistedGrace = stopTimeout + 3

    let droverPath: String
    /// Names from `actionWeights`; all of them unless `--actions` narrows the mix.
    let enabledActions: Set<String>
    let seconds: Double
    let seed: UInt64
    var random: SplitMix
    let workspace: String
    let socketPath: String
    let types: [SoakType] = [
        SoakType(name: "alpha", initial: 2, scalable: true, restarts: true),
        SoakType(name: "beta", initial: 2, scalable: true, restarts: true),
        SoakType(name: "gamma", initial: 1, scalable: true, restarts: true),
        SoakType(name: "once", initial: 1, scalable: false, restarts: false),
    ]
    var counts: [String: Int] = [:]

    var drover: Int32 = 0
    var droverStart = 0.0
    var droverExit: Termination?
    var droverExitTicks: UInt64 = .max
    var reader: OutputReader?
    var output: OutputSummary?
    let abuse: ControlAbuse

    var actions: [String: Int] = [:]
    var commandFailures: [String] = []
    var commandCount = 0
    var logsLinesChecked = 0
    var logsLinesBad = 0
    var pendingStarts: [String: Double] = [:]

    // What the checks found and remember.
    var checks = 0
    var mismatches: [String] = []
    var anomalies: [String] = []
    var orphans: [String] = []
    var seenProcesses: Set<ProcessIdentity> = []
    var seenGroups: Set<Int32> = []
    var guardians: [ProcessIdentity] = []
    var unlistedSince: [ProcessIdentity: Double] = [:]
    var reportedUnlisted: Set<ProcessIdentity> = []
    var stoppingSince: [String: Double] = [:]
    var reportedStuck: Set<String> = []
    var samples: [Sample] = []
    /// Readings at the starting formation, settled: the like-with-like series behind the
    /// descriptor judgment (see `checkpoint`).
    var checkpoints: [Sample] = []
    /// The same checkpoints' readings at the full formation (every scalable type at 8).
    var fullCheckpoints: [Sample] = []
    var interrupted = false
    var fatal: String?
    let session = getsid(0)

    init(droverPath: String, seconds: Double, seed: UInt64, actions: Set<String>) throws {
        enabledActions = actions
        self.droverPath = droverPath
        self.seconds = seconds
        self.seed = seed
        random = SplitMix(seed: seed)
        workspace = FileManager.default.temporaryDirectory.appendingPathComponent("drover-soak-\(getpid())").path
        socketPath = workspace + "/.drover.sock"
        abuse = ControlAbuse(socketPath: socketPath)
        for type in types { counts[type.name] = type.initial }
        try FileManager.default.createDirectory(atPath: workspace, withIntermediateDirectories: true)
    }

    /// The whole soak; returns the process exit code (0 only on PASS).
    func run() -> Int32 {
        do {
            try launch()
            try checkpoint("start")
            try abuseLoop()
            try finish()
        } catch let error as SoakStop {
            fatal = fatal ?? error.reason
        } catch {
            fatal = fatal ?? "\(error)"
        }
        cleanUp()
        let passed = report()
        if passed {
            try? FileManager.default.removeItem(atPath: workspace)
        } else {
            Console.say("workspace kept for inspection: \(workspace) (drover's stderr in drover.err)")
        }
        return passed ? 0 : 1
    }

    // MARK: Start

    private func launch() throws {
        let soak = URL(fileURLWithPath: FileSystem.ownExecutable() ?? CommandLine.arguments[0]).standardizedFileURL.path
        let quoted = "'" + soak + "'"
        // alpha: the leader is the writer. beta: dash forks, so the leader is sh and the
        // writer and its two children are below it. gamma: a silent sleep in the group and
        // a child that ignores SIGTERM. once: a one-shot that can die.
        let procfile = """
            alpha: exec \(quoted) writer --rate 1000
            beta: \(quoted) writer --rate 800 --children 2
            gamma: sleep 1000 & exec \(quoted) writer --rate 600 --children 1 --stubborn-children
            once: \(quoted) writer --rate 1000 --lines 300

            """
        try procfile.write(toFile: workspace + "/Procfile", atomically: true, encoding: .utf8)
        var request = Spawn.Request(
            path: droverPath,
            arguments: [
                droverPath, "start", "--color", "never", "-t", String(Int(Self.stopTimeout)),
                "-m", types.map { "\($0.name)=\($0.initial)" }.joined(separator: ","),
                "-r", "alpha=always,beta=always,gamma=on-failure", "--can-die", "once",
                "--restart-delay", "0.05", "--restart-max-delay", "0.8", "--restart-limit", "0",
            ],
            environment: ["PATH=\(ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")", "HOME=/tmp"],
            workingDirectory: workspace)
        request.standardError = .file(workspace + "/drover.err")
        request.grouping = .newProcessGroup
        let output: FileDescriptor
        do {
            (drover, output) = try Spawn.runReading(request, .standardOutput)
        } catch {
            throw SoakStop("cannot start drover: \(error)")
        }
        droverStart = Monotonic.now()
        let reader = OutputReader(descriptor: output.rawValue)
        reader.start()
        self.reader = reader
        let deadline = droverStart + 20
        while !FileManager.default.fileExists(atPath: socketPath) {
            try ensureDroverAlive()
            if Monotonic.now() > deadline { throw SoakStop("drover's control socket did not appear in 20 s") }
            try pause(0.05)
        }
    }

    /// Waits until the formation is exactly `counts`, every restarting type running, the
    /// one-shot done and no process outside a listed group: the same state at the start
    /// and the end, so descriptor counts compare like with like.
    func settle(label: String, timeout: Double = 40) throws {
        let deadline = Monotonic.now() + timeout
        var last = ""
        while true {
            try ensureDroverAlive()
            abuse.poll(now: Monotonic.now())
            if let rows = ps() {
                let table = ProcTable.snapshot()
                remember(table)
                last = unsettled(rows, table)
                if last.isEmpty && abuse.openCount == 0 { return }
            }
            if Monotonic.now() > deadline {
                throw SoakStop("the formation did not settle at the \(label) within \(Int(timeout)) s: \(last)")
            }
            try pause(0.3)
        }
    }

    private func unsettled(_ rows: [PsRow], _ table: [Int32: ProcessEntry]) -> String {
        for type in types {
            let listed = rows.filter { $0.type == type.name }
            if listed.count != counts[type.name] { return "\(listed.count) \(type.name) listed, \(counts[type.name] ?? 0) wanted" }
            for row in listed {
                if type.restarts && row.state != "running" { return "\(row.name) is \(row.state)" }
                if !type.restarts && row.state != "exited" && row.state != "failed" { return "\(row.name) is \(row.state)" }
            }
        }
        let groups = Set(rows.compactMap { $0.state == "running" ? $0.pid : nil })
        let guardianPids = Set(guardians.map(\.pid))
        for entry in ProcTable.descendants(of: drover, in: table)
        where !guardianPids.contains(entry.pid) && !groups.contains(entry.group) {
            return "process \(entry.pid) (group \(entry.group)) is in no running instance's group"
        }
        return ""
    }

    /// Two like-with-like readings. First every scalable type at its maximum, settled,
    /// after 3 s for the new instances' log rings to fill: drover's memory there is its
    /// high-water mark whatever came before, so growth across these readings is a leak
    /// (at a smaller formation it depends on what the allocator kept from larger ones).
    /// Then the formation where it started, settled with no connection open: drover's
    /// descriptors there must match the start.
    func checkpoint(_ label: String) throws {
        // Connections drover must close at its 10 s limit are waited for, not pre-empted.
        abuse.closeUnowed()
        let patience = Monotonic.now() + 15
        while abuse.openCount > 0 && Monotonic.now() < patience {
            try pause(0.1)
            abuse.poll(now: Monotonic.now())
        }
        abuse.closeAll()
        for name in pendingStarts.keys.sorted() { _ = try client(["start", name]) }
        pendingStarts.removeAll()
        // Stopped by a restart racing a stop, say: start whatever is still stopped.
        if let rows = ps() {
            for row in rows where row.state == "stopped" && types.contains(where: { $0.name == row.type && $0.restarts }) {
                _ = try client(["start", row.name])
            }
        }
        let scalable = types.filter(\.scalable)
        try scale(scalable.map { "\($0.name)=\(Self.maximumCount)" })
        try settle(label: "\(label) checkpoint, full formation")
        try pause(3)
        fullCheckpoints.append(try reading(label))
        try scale(scalable.map { "\($0.name)=\($0.initial)" })
        try settle(label: "\(label) checkpoint, starting formation")
        // drover closes a client's connection right after its reply: give it the time.
        try pause(0.5)
        checkpoints.append(try reading(label))
        count("checkpoint")
        sample()
    }

    /// drover's memory and descriptors (medians of three readings) and the guardian's memory.
    private func reading(_ label: String) throws -> Sample {
        var descriptors: [Double] = []
        var memory: [Double] = []
        for _ in 0..<3 {
            if let count = ProcTable.descriptorCount(drover) { descriptors.append(Double(count)) }
            if let rss = ProcTable.residentKB(drover) { memory.append(rss) }
            try pause(0.2)
        }
        let guardian = guardians.last.flatMap { identity in
            ProcTable.entry(identity.pid)?.startTicks == identity.startTicks ? ProcTable.residentKB(identity.pid) : nil
        }
        guard !descriptors.isEmpty, !memory.isEmpty else { throw SoakStop("drover's /proc entry vanished at the \(label) checkpoint") }
        return Sample(
            time: Monotonic.now() - droverStart, droverKB: Stats.median(memory), guardianKB: guardian,
            descriptors: Int(Stats.median(descriptors)), instances: types.map { counts[$0.name] ?? 0 }.reduce(0, +), label: label)
    }

    // MARK: The abuse loop

    /// When checkpoints come, as fractions of the run (besides the start and the end): two
    /// to end the warm-up, and two in the last third, which the end's joins.
    static let checkpointFractions = [0.1, 0.2, 0.5, 0.7, 0.85]
    static let warmUpLabels: Set<String> = ["10%", "20%"]
    static let lastThirdLabels: Set<String> = ["70%", "85%", "end"]

    private func abuseLoop() throws {
        let end = droverStart + seconds
        var nextCheck = Monotonic.now() + 3
        var nextSample = Monotonic.now() + 2
        var nextProgress = Monotonic.now() + 30
        var fractions = Self.checkpointFractions[...]
        while Monotonic.now() < end {
            let wait =
                Bool.random(using: &random)
                ? Double.random(in: 0.02...0.2, using: &random) : Double.random(in: 0.2...1.0, using: &random)
            try pause(wait)
            try ensureDroverAlive()
            try act()
            let now = Monotonic.now()
            abuse.poll(now: now)
            try startDue(now: now)
            checkOwnChildren()
            if now >= nextSample {
                sample()
                nextSample = now + 2
            }
            if let fraction = fractions.first, now - droverStart >= fraction * seconds {
                try checkpoint("\(Int(fraction * 100))%")
                fractions = fractions.dropFirst()
            }
            if now >= nextCheck {
                try checkConsistency()
                nextCheck = Monotonic.now() + 3
            }
            if now >= nextProgress {
                let live = reader?.snapshot ?? LiveOutput()
                Console.say(
                    "  \(Int(now - droverStart)) s: \(actions.values.reduce(0, +)) actions, \(live.lines) lines, "
                        + "\(live.restartsLogged) restarts, \(checks) checks, \(mismatches.count) mismatches, \(live.problems) output problems"
                )
                nextProgress = now + 30
            }
        }
    }

    /// The random actions, by the name `--actions` selects them with, and their weights.
    static let actionWeights: [(name: String, weight: Int)] = [
        ("kill-leader", 18), ("kill-grandchild", 14), ("scale", 14), ("restart", 12), ("stop", 7),
        ("garbage", 14), ("logs", 5), ("ps", 16),
    ]

    private func act() throws {
        let weights = Self.actionWeights.filter { enabledActions.contains($0.name) }
        var roll = Int.random(in: 0..<max(1, weights.map(\.weight).reduce(0, +)), using: &random)
        guard
            let chosen = weights.first(where: {
                roll -= $0.weight
                return roll < 0
            })
        else { return }
        switch chosen.name {
        case "kill-leader": try killLeader()
        case "kill-grandchild": try killGrandchild()
        case "scale": try scaleRandomly()
        case "restart":
            switch Int.random(in: 0..<12, using: &random) {
            case 0..<7: try restart(instance: true)
            case 7..<10: try restart(instance: false)
            default:
                _ = try client(["restart", "once"])
                count("restart the one-shot")
            }
        case "stop": try stopInstance()
        case "garbage":
            let kind = ControlAbuse.Kind.allCases.randomElement(using: &random)!
            abuse.launch(kind, random: &random)
            count("garbage: \(kind.rawValue)")
        case "logs": try logs()
        default:
            if Int.random(in: 0..<4, using: &random) == 0 {
                _ = try client(["ps"])
                count("ps (table)")
            } else {
                _ = ps()
                count("ps --json")
            }
        }
    }

    private func killLeader() throws {
        guard let rows = ps() else { return }
        let running = rows.filter { $0.state == "running" && $0.pid != nil }
        guard let row = running.randomElement(using: &random), let pid = row.pid else { return }
        // Only a child of drover leading its own group: never a pid reused by someone else.
        guard let entry = ProcTable.entry(pid), entry.parent == drover, entry.group == pid, !entry.isZombie else { return }
        remember(entry)
        if Children.signal(pid, SIGKILL) { count("SIGKILL a leader") }
    }

    private func killGrandchild() throws {
        guard let rows = ps() else { return }
        let groups = Set(rows.compactMap { $0.state == "running" ? $0.pid : nil })
        let table = ProcTable.snapshot()
        remember(table)
        let candidates = ProcTable.descendants(of: drover, in: table).filter {
            groups.contains($0.group) && $0.pid != $0.group && !$0.isZombie
        }
        guard let victim = candidates.randomElement(using: &random) else { return }
        // The same process still (same start time), not a reused pid.
        guard ProcTable.entry(victim.pid)?.startTicks == victim.startTicks else { return }
        if Children.signal(victim.pid, SIGKILL) { count("SIGKILL a grandchild") }
    }

    private func scaleRandomly() throws {
        let scalable = types.filter(\.scalable)
        let type = scalable.randomElement(using: &random)!
        // Anywhere in the range (checkpoints keep bringing it back to the start).
        let target = Int.random(in: 1...Self.maximumCount, using: &random)
        try scale(["\(type.name)=\(target)"])
    }

    func scale(_ assignments: [String]) throws {
        if try client(["scale"] + assignments) {
            for assignment in assignments {
                let parts = assignment.split(separator: "=")
                guard parts.count == 2, let value = Int(parts[1]) else { continue }
                let name = String(parts[0])
                counts[name] = value
                // An instance scaled away is gone: there is nothing to start later.
                pendingStarts = pendingStarts.filter { key, _ in
                    !key.hasPrefix(name + ".") || (Int(key.dropFirst(name.count + 1)) ?? 0) <= value
                }
            }
        }
        count("scale")
    }

    private func restart(instance: Bool) throws {
        let type = types.filter(\.restarts).randomElement(using: &random)!
        let number = Int.random(in: 1...max(1, counts[type.name] ?? 1), using: &random)
        let target = instance ? "\(type.name).\(number)" : type.name
        _ = try client(["restart", target])
        pendingStarts = pendingStarts.filter { key, _ in !(key == target || key.hasPrefix(target + ".")) }
        count(instance ? "restart an instance" : "restart a type")
    }

    private func stopInstance() throws {
        guard let rows = ps() else { return }
        let candidates = rows.filter { row in
            row.state == "running" && pendingStarts[row.name] == nil && types.contains { $0.name == row.type && $0.restarts }
        }
        guard let row = candidates.randomElement(using: &random) else { return }
        // `drover stop` without a name stops drover itself: always name the instance.
        precondition(!row.name.isEmpty)
        if try client(["stop", row.name]) {
            pendingStarts[row.name] = Monotonic.now() + Double.random(in: 0.3...4, using: &random)
        }
        count("stop an instance")
    }

    private func startDue(now: Double) throws {
        for (name, due) in pendingStarts where due <= now {
            pendingStarts[name] = nil
            _ = try client(["start", name])
            count("start a stopped instance")
        }
    }

    /// `drover logs -n 100 TYPE`: the replay must hold whole, intact lines too.
    private func logs() throws {
        let type = types.randomElement(using: &random)!
        try ensureDroverAlive()
        let result = Command.run(
            [droverPath, "logs", "-n", "100", "-s", socketPath, type.name], in: workspace, timeout: 15)
        commandCount += 1
        guard result.succeeded else {
            noteFailure(["logs", type.name], result)
            return
        }
        for line in result.output.split(separator: 0x0A) {
            guard let (name, text) = OutputVerifier.split(line) else {
                logsLinesBad += 1
                continue
            }
            if case let .success(parsed) = SoakLine.parse(text), parsed.name.elementsEqual(name) {
                logsLinesChecked += 1
            } else {
                logsLinesBad += 1
                if logsLinesBad <= 5 {
                    anomalies.append("logs replay line not intact: \(String(decoding: line.prefix(160), as: UTF8.self))")
                }
            }
        }
        count("logs -n 100")
    }

    // MARK: Talking to drover

    /// `drover ps --json`, or nil (noted) when it fails.
    func ps() -> [PsRow]? {
        guard (try? ensureDroverAlive()) != nil else { return nil }
        let result = Command.run([droverPath, "ps", "--json", "-s", socketPath], in: workspace, timeout: 15)
        commandCount += 1
        guard result.succeeded else {
            noteFailure(["ps", "--json"], result)
            return nil
        }
        guard let rows = PsRow.parse(result.output) else {
            anomalies.append(
                "ps --json printed something that is not its documented array: \(String(decoding: result.output.prefix(200), as: UTF8.self))"
            )
            return nil
        }
        for row in rows { if let pid = row.pid { seenGroups.insert(pid) } }
        return rows
    }

    /// Runs a drover client command; false (and noted) when it fails.
    @discardableResult
    func client(_ arguments: [String]) throws -> Bool {
        try ensureDroverAlive()
        let result = Command.run([droverPath] + arguments + ["-s", socketPath], in: workspace, timeout: 15)
        commandCount += 1
        if !result.succeeded { noteFailure(arguments, result) }
        return result.succeeded
    }

    func noteFailure(_ arguments: [String], _ result: CommandResult) {
        let what = result.timedOut ? "timed out after \(Stats.format(result.seconds)) s" : "\(result.termination.map { "\($0)" } ?? "?")"
        commandFailures.append("drover \(arguments.joined(separator: " ")): \(what): \(result.errorText.prefix(200))")
    }

    func count(_ action: String) {
        actions[action, default: 0] += 1
    }

    /// Throws when drover is gone: nothing in this soak may stop the formation.
    func ensureDroverAlive() throws {
        guard droverExit == nil else { throw SoakStop("drover exited during the run (\(droverExit!))") }
        if let ended = try? Children.reapIfExited(drover) {
            droverExit = ended
            droverExitTicks = ProcTable.nowTicks()
            fatal = fatal ?? "drover exited during the run (\(ended)); its last system lines are listed below"
            throw SoakStop(fatal!)
        }
    }

    /// Sleeps, unless Ctrl-C (or SIGTERM, SIGHUP) came: then the soak stops and cleans up.
    func pause(_ seconds: Double) throws {
        if Interruption.sleep(seconds) {
            interrupted = true
            throw SoakStop("interrupted")
        }
    }
}

/// Ends the soak early, with the reason for the report.
struct SoakStop: Error {
    var reason: String
    init(_ reason: String) { self.reason = reason }
}
