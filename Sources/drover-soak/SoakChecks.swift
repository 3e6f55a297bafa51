import DroverCore
import DroverSystem
import Foundation

/// The soak's checks against /proc, its samples, the final stop and the clean-up.
extension Soak {
    static let knownStates: Set<String> = ["running", "backoff", "exited", "failed", "stopped", "stopping", "starting"]

    // MARK: ps against /proc

    /// ps and /proc must agree. A row's problem counts only when three readings 0.3 s
    /// apart all show it (drover reaps and restarts within milliseconds, so a real
    /// disagreement lasts); a process outside every listed group counts once it has been
    /// seen there for longer than drover's teardown may take.
    func checkConsistency() throws {
        checks += 1
        var persistent: [String: String]?
        var rows: [PsRow] = []
        var table: [Int32: ProcessEntry] = [:]
        for attempt in 0..<3 {
            guard let listed = ps() else { return }
            rows = listed
            table = ProcTable.snapshot()
            remember(table)
            let found = rowProblems(rows, table)
            persistent = persistent.map { previous in previous.filter { found[$0.key] != nil } } ?? found
            if persistent?.isEmpty ?? true { break }
            if attempt < 2 { try pause(0.3) }
        }
        for (_, problem) in (persistent ?? [:]).sorted(by: { $0.key < $1.key }) { mismatches.append(problem) }
        unlistedProcesses(rows, table)
        stuckStopping(rows)
    }

    private func rowProblems(_ rows: [PsRow], _ table: [Int32: ProcessEntry]) -> [String: String] {
        var problems: [String: String] = [:]
        var names: Set<String> = []
        for row in rows {
            if !names.insert(row.name).inserted { problems["dup \(row.name)"] = "ps lists \(row.name) twice" }
            if !Self.knownStates.contains(row.state) { problems["state \(row.name)"] = "\(row.name): unknown state \(row.state)" }
            let restarts = types.first { $0.name == row.type }?.restarts ?? false
            switch row.state {
            case "running":
                guard let pid = row.pid else {
                    problems["nopid \(row.name)"] = "\(row.name) is running without a pid"
                    continue
                }
                let key = "\(row.name) \(pid)"
                guard let entry = table[pid] else {
                    problems[key] = "\(row.name) is running with pid \(pid), which does not exist"
                    continue
                }
                if entry.isZombie { problems[key] = "\(row.name) is running with pid \(pid), a zombie" }
                if entry.group != pid { problems[key] = "\(row.name): pid \(pid) is in group \(entry.group), not its own" }
                if entry.parent != drover { problems[key] = "\(row.name): pid \(pid)'s parent is \(entry.parent), not drover" }
            case "exited", "failed", "stopped", "backoff":
                if let pid = row.pid { problems["pid \(row.name) \(pid)"] = "\(row.name) is \(row.state) but lists pid \(pid)" }
                if row.state == "failed" && restarts {
                    problems["failed \(row.name)"] = "\(row.name) failed (gave up) although --restart-limit is 0"
                }
            default:
                break
            }
        }
        return problems
    }

    /// Every process under drover but the guardian must be in the group of an instance
    /// ps lists as running or stopping.
    private func unlistedProcesses(_ rows: [PsRow], _ table: [Int32: ProcessEntry]) {
        let groups = Set(rows.compactMap { ($0.state == "running" || $0.state == "stopping") ? $0.pid : nil })
        let guardianPids = Set(guardians.map(\.pid))
        let now = Monotonic.now()
        var current: Set<ProcessIdentity> = []
        for entry in ProcTable.descendants(of: drover, in: table)
        where !guardianPids.contains(entry.pid) && !groups.contains(entry.group) {
            let identity = entry.identity
            current.insert(identity)
            let since = unlistedSince[identity] ?? now
            unlistedSince[identity] = since
            if now - since > Self.unlistedGrace, reportedUnlisted.insert(identity).inserted {
                mismatches.append(
                    "process \(entry.pid) (\(ProcTable.commandLine(entry.pid).joined(separator: " ").prefix(80)), group \(entry.group), "
                        + "state \(entry.state)) under drover in no listed running/stopping group for \(Stats.format(now - since)) s")
            }
        }
        unlistedSince = unlistedSince.filter { current.contains($0.key) }
    }

    /// An instance stays `stopping` at most `-t` plus reaping: longer is a stuck teardown.
    private func stuckStopping(_ rows: [PsRow]) {
        let now = Monotonic.now()
        var current: Set<String> = []
        for row in rows where row.state == "stopping" {
            let key = "\(row.name) \(row.pid.map(String.init) ?? "-")"
            current.insert(key)
            let since = stoppingSince[key] ?? now
            stoppingSince[key] = since
            if now - since > Self.stopTimeout + 4, reportedStuck.insert(key).inserted {
                mismatches.append(
                    "\(row.name) (pid \(row.pid.map(String.init) ?? "-")) has been stopping for \(Stats.format(now - since)) s")
            }
        }
        stoppingSince = stoppingSince.filter { current.contains($0.key) }
    }

    /// Notes every process under drover (for the orphan check) and the guardian.
    func remember(_ table: [Int32: ProcessEntry]) {
        for entry in ProcTable.descendants(of: drover, in: table) {
            if entry.parent == drover, ProcTable.commandLine(entry.pid).dropFirst().first == "__guardian" {
                if !guardians.contains(entry.identity) { guardians.append(entry.identity) }
                continue
            }
            remember(entry)
        }
        seenGroups.formUnion((reader?.snapshot.announcedGroups) ?? [])
    }

    func remember(_ entry: ProcessEntry) {
        seenProcesses.insert(entry.identity)
        seenGroups.insert(entry.group)
    }

    /// The driver is a subreaper: while drover lives nothing of its formation can end up
    /// here, so any child but drover (client commands are reaped before they return) is an
    /// escapee. It is noted, killed and reaped.
    func checkOwnChildren() {
        for child in Subreaper.children() where child != drover {
            anomalies.append(
                "process \(child) (\(ProcTable.commandLine(child).joined(separator: " ").prefix(80))) escaped to the driver while drover ran"
            )
            Children.signal(child, SIGKILL)
            _ = Children.wait(for: child)
        }
    }

    // MARK: Samples

    func sample() {
        guard let rss = ProcTable.residentKB(drover), let descriptors = ProcTable.descriptorCount(drover) else { return }
        let table = ProcTable.snapshot()
        remember(table)
        let guardian = guardians.last.flatMap { identity in
            table[identity.pid]?.startTicks == identity.startTicks ? ProcTable.residentKB(identity.pid) : nil
        }
        let instances = ProcTable.descendants(of: drover, in: table).filter { $0.parent == drover }.count - (guardian == nil ? 0 : 1)
        let reading = Sample(
            time: Monotonic.now() - droverStart, droverKB: rss, guardianKB: guardian, descriptors: descriptors, instances: instances)
        samples.append(reading)
        // Every reading, for a look at the curve when memory is judged to grow.
        let row = "\(Stats.format(reading.time))\t\(Int(rss))\t\(guardian.map { String(Int($0)) } ?? "-")\t\(descriptors)\t\(instances)\n"
        let path = workspace + "/samples.tsv"
        if !FileManager.default.fileExists(atPath: path) {
            _ = FileManager.default.createFile(atPath: path, contents: Data("seconds\tdrover_kB\tguardian_kB\tfds\tinstances\n".utf8))
        }
        if let file = FileHandle(forWritingAtPath: path) {
            file.seekToEndOfFile()
            file.write(Data(row.utf8))
            file.closeFile()
        }
    }

    // MARK: The end

    /// The latest start time (in ticks) a process of the formation can have.
    var exitLimit: UInt64 { droverExitTicks == .max ? .max : droverExitTicks + 1 }

    /// Back to the starting formation, descriptors compared, then `drover stop`.
    func finish() throws {
        try checkpoint("end")
        try checkConsistency()
        let table = ProcTable.snapshot()
        remember(table)

        let stopped = Command.run([droverPath, "stop", "-s", socketPath], in: workspace, timeout: 15)
        commandCount += 1
        if !stopped.succeeded { noteFailure(["stop"], stopped) }
        count("stop drover")
        let deadline = Monotonic.now() + Self.stopTimeout + 15
        while droverExit == nil {
            if let ended = try? Children.reapIfExited(drover) {
                droverExit = ended
                droverExitTicks = ProcTable.nowTicks()
                break
            }
            if Monotonic.now() > deadline {
                fatal = "drover did not exit within \(Int(Self.stopTimeout + 15)) s of 'drover stop'"
                return
            }
            // Keep noting what runs under it while it drains.
            remember(ProcTable.snapshot())
            try pause(0.05)
        }
        output = reader?.finish(timeout: 5)
        if output == nil { anomalies.append("drover's stdout stayed open 5 s after drover exited") }
        try pause(0.5)
        findOrphans()
    }

    /// After drover's exit: anything still alive that was part of the formation. The
    /// driver is a subreaper, so every survivor of drover's tree is now below the driver;
    /// the groups and processes seen during the run are checked too (within this session
    /// and started before drover's exit, so a reused pid is not blamed).
    private func findOrphans() {
        let table = ProcTable.snapshot()
        let own = getpid()
        let below = Set(ProcTable.descendants(of: own, in: table).map(\.pid))
        for entry in table.values.sorted(by: { $0.pid < $1.pid }) where entry.pid != own {
            let started = entry.startTicks <= exitLimit
            let reasons = [
                below.contains(entry.pid) ? "below the driver" : nil,
                started && seenProcesses.contains(entry.identity) ? "seen under drover" : nil,
                started && guardians.contains(entry.identity) ? "drover's guardian" : nil,
                started && seenGroups.contains(entry.group) && getsid(entry.pid) == session ? "in formation group \(entry.group)" : nil,
            ].compactMap { $0 }
            guard !reasons.isEmpty else { continue }
            orphans.append(
                "pid \(entry.pid) (\(ProcTable.commandLine(entry.pid).joined(separator: " ").prefix(80)), parent \(entry.parent), "
                    + "group \(entry.group), state \(entry.state)): \(reasons.joined(separator: ", "))")
        }
    }

    /// Whatever happened, nothing the soak started outlives it: drover is stopped (and
    /// killed if it overstays), then every process seen in the formation, every member of
    /// its groups and everything below the driver is killed by pid or group and reaped.
    func cleanUp() {
        abuse.closeAll()
        if droverExit == nil, drover > 0 {
            Children.signal(drover, SIGTERM)
            let deadline = Monotonic.now() + Self.stopTimeout + 10
            while droverExit == nil && Monotonic.now() < deadline {
                if let ended = try? Children.reapIfExited(drover) {
                    droverExit = ended
                    droverExitTicks = ProcTable.nowTicks()
                } else {
                    remember(ProcTable.snapshot())
                    usleep(50_000)
                }
            }
            if droverExit == nil {
                anomalies.append("drover was still running at clean-up and was killed with SIGKILL")
                Children.signalGroup(drover, SIGKILL)
                if case let .exited(_, ended) = Children.wait(for: drover) { droverExit = ended }
                droverExitTicks = ProcTable.nowTicks()
            }
        }
        if output == nil, let reader { output = reader.finish(timeout: 3) }
        let own = getpid()
        for _ in 0..<50 {
            let table = ProcTable.snapshot()
            var victims: [ProcessEntry] = ProcTable.descendants(of: own, in: table)
            for entry in table.values where entry.pid != own && entry.startTicks <= exitLimit {
                if seenProcesses.contains(entry.identity) || guardians.contains(entry.identity)
                    || (seenGroups.contains(entry.group) && getsid(entry.pid) == session)
                {
                    victims.append(entry)
                }
            }
            if victims.isEmpty { break }
            for victim in victims where ProcTable.entry(victim.pid)?.startTicks == victim.startTicks {
                Children.signal(victim.pid, SIGKILL)
            }
            while case .exited = Children.reapAny() {}
            usleep(100_000)
        }
        while case .exited = Children.reapAny() {}
    }
}
