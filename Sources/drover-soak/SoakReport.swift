import Foundation

/// The report, and the verdict: PASS only when every check held.
extension Soak {
    /// Descriptors may differ this much between the start and the end at the same
    /// formation (a lazily opened file of the runtime, say), no more.
    static let descriptorSlack = 3

    /// Prints everything; true on PASS.
    func report() -> Bool {
        var failures: [String] = []
        if let fatal { failures.append(fatal) }
        let ran = samples.last.map(\.time) ?? 0
        Console.say("")
        Console.say("drover soak report")
        Console.say("  drover \(droverPath), seed \(seed), \(Int(seconds)) s asked, \(Stats.format(ran)) s run until the final stop")
        Console.say(
            "  formation \(types.map { "\($0.name)=\($0.initial)" }.joined(separator: " ")) "
                + "(alpha, beta always; gamma on-failure; once can die), scaled within 1...\(Self.maximumCount)")

        Console.say("actions (\(actions.values.reduce(0, +)), \(commandCount) client commands):")
        for (name, number) in actions.sorted(by: { $0.key < $1.key }) { Console.say("  \(name): \(number)") }

        if let output {
            Console.say("output: \(output.instanceLines + output.systemLines) lines (\(output.bytes / 1_048_576) MiB) checked")
            Console.say(
                "  instance lines \(output.instanceLines), intact soak lines \(output.soakLines), writer runs \(output.runs), "
                    + "shell notices (dash's \"Killed\") \(output.shellNotices)")
            Console.say(
                "  system lines \(output.systemLines): \(output.startsLogged) starts, \(output.exitsLogged) exits, "
                    + "\(output.restartsLogged) restarts, \(output.killsAfterTimeout) SIGKILLs after -t, \(output.guardianRestarts) guardian restarts, "
                    + "\(output.unknownSystemLines) other")
            for line in output.unknownExamples { Console.say("    other: \(line)") }
            Console.say(
                "  torn \(output.torn), misattributed \(output.misattributed), gaps \(output.gaps), reorders \(output.reorders), "
                    + "missing heads \(output.missingHeads), bad prefixes \(output.badPrefixes), unterminated \(output.unterminatedTail), "
                    + "alarming system lines \(output.alarmingSystemLines)")
            for example in output.examples { Console.say("    \(example)") }
            if output.problems > 0 { failures.append("\(output.problems) problems in drover's output") }
            if output.soakLines == 0 { failures.append("no writer line was seen") }
        } else {
            failures.append("drover's output was not read to its end")
        }
        Console.say("  logs replays: \(logsLinesChecked) lines intact, \(logsLinesBad) not")

        let sizes = samples.map(\.instances)
        Console.say(
            "memory (VmRSS, MiB) and descriptors, \(samples.count) samples every ~2 s, with \(sizes.min() ?? 0)...\(sizes.max() ?? 0) processes directly under drover:"
        )
        Console.say("  drover   start/median/max/end: \(mebibytes(samples.map(\.droverKB)))")
        Console.say(
            "  guardian start/median/max/end: \(mebibytes(samples.compactMap(\.guardianKB))) (\(guardians.count) guardian process(es) seen)"
        )
        _ = flat("drover (all samples; informational, the formation's size differs)", samples, \.droverKBOptional, labelled: false)
        func series(_ points: [Sample]) -> String {
            points.map { point in
                "\(point.label) \(Int(point.time)) s: \(Stats.format(point.droverKB / 1024, digits: 2)), "
                    + "\(point.guardianKB.map { Stats.format($0 / 1024, digits: 2) } ?? "-"), \(point.descriptors)"
            }.joined(separator: " | ")
        }
        let full = types.filter(\.scalable).map { "\($0.name)=\(Self.maximumCount)" }.joined(separator: " ")
        Console.say("  checkpoints at the full formation, \(full) (drover MiB, guardian MiB, drover fds):")
        Console.say("    " + series(fullCheckpoints))
        if let verdict = flat("drover", fullCheckpoints, \.droverKBOptional) { failures.append(verdict) }
        if let verdict = flat("guardian", fullCheckpoints, \.guardianKB) { failures.append(verdict) }
        Console.say("  checkpoints at the starting formation (drover MiB, guardian MiB, drover fds):")
        Console.say("    " + series(checkpoints))
        if let start = checkpoints.first?.descriptors {
            let over = checkpoints.filter { $0.descriptors > start + Self.descriptorSlack }
            Console.say(
                "  drover descriptors: \(start) at the start; every later checkpoint within \(Self.descriptorSlack): \(over.isEmpty ? "yes" : "NO")"
            )
            for point in over {
                failures.append("drover held \(point.descriptors) descriptors at \(Int(point.time)) s, \(start) at the start")
            }
            if checkpoints.count < 2 && fatal == nil { failures.append("no end checkpoint") }
        } else if fatal == nil {
            failures.append("descriptors were not compared")
        }

        Console.say("ps against /proc: \(checks) checks, \(mismatches.count) mismatches")
        for mismatch in mismatches.prefix(20) { Console.say("    \(mismatch)") }
        if !mismatches.isEmpty { failures.append("\(mismatches.count) ps//proc mismatches") }
        if fatal == nil && checks == 0 { failures.append("no consistency check ran") }

        let garbage = abuse.launched.values.reduce(0, +)
        Console.say(
            "control socket garbage: \(garbage) connections, \(abuse.closedByDrover) closed by drover "
                + "(\(abuse.closedAtLimit) at its 10 s idle limit), "
                + "\(abuse.refusalsSeen) bad requests refused, \(abuse.connectFailures) connects failed")
        for violation in abuse.violations.prefix(10) { Console.say("    \(violation)") }
        if !abuse.violations.isEmpty { failures.append("\(abuse.violations.count) control protocol breaches") }
        if abuse.connectFailures > 0 { failures.append("\(abuse.connectFailures) control connections refused") }

        Console.say("client commands that failed: \(commandFailures.count)")
        for failure in commandFailures.prefix(10) { Console.say("    \(failure)") }
        if !commandFailures.isEmpty { failures.append("\(commandFailures.count) drover commands failed") }

        // 1 is expected: gamma's children ignore SIGTERM, so the stop ends with SIGKILL.
        Console.say("drover's exit after 'drover stop': \(droverExit.map { "\($0)" } ?? "none seen") (0 or 1 expected)")
        switch droverExit {
        case .exited(code: 0)?, .exited(code: 1)?: break
        default: if fatal == nil { failures.append("drover ended with \(droverExit.map { "\($0)" } ?? "nothing")") }
        }
        Console.say(
            "orphans after drover's exit: \(orphans.count) (\(seenProcesses.count) processes and \(seenGroups.count) groups seen in the formation)"
        )
        for orphan in orphans.prefix(20) { Console.say("    \(orphan)") }
        if !orphans.isEmpty { failures.append("\(orphans.count) processes outlived drover") }

        // drover has nothing to say on stderr in this soak: whatever it said is shown.
        let errors = (try? String(contentsOfFile: workspace + "/drover.err", encoding: .utf8)) ?? ""
        Console.say("drover's stderr: \(errors.utf8.count) bytes")
        for line in errors.split(separator: "\n").prefix(10) { Console.say("    \(line.prefix(200))") }
        for anomaly in anomalies.prefix(20) { Console.say("  anomaly: \(anomaly)") }
        if !anomalies.isEmpty { failures.append("\(anomalies.count) anomalies") }
        if fatal != nil, let output {
            Console.say("drover's last system lines:")
            for line in output.recentSystemLines.suffix(15) { Console.say("    \(line)") }
        }

        if failures.isEmpty {
            Console.say("PASS")
        } else {
            Console.say("FAIL: " + failures.joined(separator: "; "))
        }
        return failures.isEmpty
    }

    /// nil when memory stayed flat: the median of the readings in the last third may
    /// exceed the median of those that end the warm-up (the first fifth) by at most 15% or
    /// 1 MiB. With `labelled`, checkpoints are picked by label: the start's is left out,
    /// as the first visit to a formation finds a heap that has never recycled anything.
    private func flat(_ name: String, _ series: [Sample], _ field: KeyPath<Sample, Double?>, labelled: Bool = true) -> String? {
        let warm = series.filter { labelled ? Self.warmUpLabels.contains($0.label) : $0.time < seconds * 0.2 }
            .compactMap { $0[keyPath: field] }
        let late = series.filter { labelled ? Self.lastThirdLabels.contains($0.label) : $0.time >= seconds * 2 / 3 }
            .compactMap { $0[keyPath: field] }
        guard !warm.isEmpty, !late.isEmpty else {
            Console.say("  \(name): not enough readings to judge")
            return fatal == nil ? "\(name) memory not judged" : nil
        }
        let base = Stats.median(warm)
        let limit = base + max(base * 0.15, 1024)
        let median = Stats.median(late)
        Console.say(
            "  \(name): warm-up median \(Stats.format(base / 1024, digits: 2)) MiB (\(warm.count)), "
                + "last third \(Stats.format(median / 1024, digits: 2)) MiB (\(late.count)), "
                + "limit \(Stats.format(limit / 1024, digits: 2)) MiB: \(median <= limit ? "flat" : "GROWING")")
        return median <= limit
            ? nil : "\(name) memory grew (\(Stats.format(base / 1024, digits: 2)) -> \(Stats.format(median / 1024, digits: 2)) MiB)"
    }

    private func mebibytes(_ values: [Double]) -> String {
        guard let first = values.first, let last = values.last else { return "-" }
        return [first, Stats.median(values), values.max() ?? .nan, last]
            .map { Stats.format($0 / 1024, digits: 2) }.joined(separator: " / ")
    }
}

extension Sample {
    /// drover's own memory as an optional, so one judgment serves drover and the guardian.
    var droverKBOptional: Double? { droverKB }
}
