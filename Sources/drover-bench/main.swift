import DroverSystem
import Foundation

// drover's benchmark: each scenario several times, medians printed as a table.
// Usage: drover-bench [--drover PATH] [--runs N] [--quick] [--peers]
// --peers adds foreman and honcho when they are installed (one run each, and a
// tenth of the throughput workload: they are 100 to 500 times slower there).

let arguments = Array(CommandLine.arguments.dropFirst())
@MainActor func option(_ name: String) -> String? {
    guard let index = arguments.firstIndex(of: name), index + 1 < arguments.count else { return nil }
    return arguments[index + 1]
}
// Absolute: the subject is spawned with a chdir, which applies before the path is resolved.
let droverPath = URL(fileURLWithPath: option("--drover") ?? ".build/release/drover").standardizedFileURL.path
let runs = option("--runs").flatMap(Int.init) ?? 5
let quick = arguments.contains("--quick")
let idleSeconds: Double = quick ? 2 : 10
/// `--only throughput|tty|startup|stop|kill9|idle|scale|restart|json`: one scenario group, for quick comparisons.
let only = option("--only")
@MainActor func wanted(_ group: String) -> Bool { only == nil || only == group }

// Orphans of a subject that misbehaves come back to the harness, which kills them.
try? Subreaper.become()

// The direct-spawn baseline holds a pipe per child (5,000 in the scale group): soft
// descriptor limit up to the hard one. Children inherit it; where soft and hard differ
// (often 1024 on a desktop) drover then starts with more than a shell would give it.
var descriptorLimit = rlimit()
if getrlimit(Int32(RLIMIT_NOFILE.rawValue), &descriptorLimit) == 0, descriptorLimit.rlim_cur < descriptorLimit.rlim_max {
    descriptorLimit.rlim_cur = descriptorLimit.rlim_max
    _ = setrlimit(Int32(RLIMIT_NOFILE.rawValue), &descriptorLimit)
}

let workspace = FileManager.default.temporaryDirectory.appendingPathComponent("drover-bench-\(getpid())").path
try FileManager.default.createDirectory(atPath: workspace, withIntermediateDirectories: true)
defer { try? FileManager.default.removeItem(atPath: workspace) }

/// One column of the table.
struct Column {
    var name: String
    var values: [String]
}

@MainActor func median(_ label: String, runs: Int, _ body: () throws -> Double) -> Double {
    var results: [Double] = []
    for run in 1...runs {
        do {
            results.append(try body())
        } catch {
            print("  \(label) run \(run) failed: \(error)")
        }
    }
    return Measurement.median(results)
}

func format(_ value: Double, _ unit: String, digits: Int = 2) -> String {
    value.isNaN ? "-" : String(format: "%.\(digits)f", value) + " " + unit
}

@MainActor func measure(_ peer: Peer, runs: Int, lines: Int) -> Column {
    let scenarios = Scenarios(peer: peer, workspace: workspace)
    print("measuring \(peer.name) (\(runs) run\(runs == 1 ? "" : "s"))...")
    var throughput: [(Double, Double)] = []
    for run in 1...runs where wanted("throughput") {
        do { throughput.append(try scenarios.throughput(writers: 16, lines: lines)) } catch {
            print("  throughput run \(run) failed: \(error)")
        }
    }
    // drover only: the peers have no pseudo-terminal mode.
    var ttyThroughput: [(Double, Double)] = []
    for run in 1...runs where wanted("tty") && peer.name == "drover" {
        do { ttyThroughput.append(try scenarios.throughput(writers: 16, lines: lines, tty: true)) } catch {
            print("  --tty throughput run \(run) failed: \(error)")
        }
    }
    var ttyIdle = Double.nan
    if wanted("tty") && peer.name == "drover" {
        do { ttyIdle = try scenarios.idle(count: 100, seconds: idleSeconds, tty: true).wakeupsPerSecond } catch {
            print("  --tty idle failed: \(error)")
        }
    }
    let startup = !wanted("startup") ? .nan : median("startup", runs: runs) { try scenarios.startup(count: 500) }
    let graceful =
        !wanted("stop")
        ? .nan
        : median("stop 100", runs: runs) {
            try scenarios.shutdown(
                procfile: "p: trap 'sleep 0.1; exit 0' TERM; echo ready; sleep 1000 & wait\n", count: 100, timeout: 5)
        }
    let stubborn =
        !wanted("stop")
        ? .nan
        : median("stop TERM-ignorer", runs: runs) {
            try scenarios.shutdown(procfile: "p: trap '' TERM; echo ready; while :; do sleep 1; done\n", count: 1, timeout: 2)
        }
    // drover only: the peers leave these orphans behind for good.
    let killNine =
        !wanted("kill9") || peer.name != "drover"
        ? .nan
        : median("kill -9", runs: runs) {
            try scenarios.killNine(count: 10, timeout: 1)
        }
    var idle = (rssKB: Double.nan, cpuSeconds: Double.nan, wakeupsPerSecond: Double.nan, helpers: 0, helperRSSkB: 0.0)
    if wanted("idle") {
        do { idle = try scenarios.idle(count: 100, seconds: idleSeconds) } catch { print("  idle failed: \(error)") }
    }
    // drover only: thousands of instances under a peer take minutes, or hang.
    var scale: [Scenarios.ScaleRun] = []
    for run in 1...runs where wanted("scale") && peer.name == "drover" {
        do {
            scale.append(
                try scenarios.scale(
                    counts: scaleCounts, baseline: scaleBaseline, psCalls: 10, directFirst: run % 2 == 0))
        } catch {
            print("  scale run \(run) failed: \(error)")
        }
    }
    if !scale.isEmpty {
        let cpu = scaleCounts.indices.map { index in
            let runs = scale.map { $0.spawnerCPU[index] }
            return "\(scaleCounts[index]): " + format(Measurement.median(runs.map(\.drover)), "s", digits: 3)
                + " / " + format(Measurement.median(runs.map(\.direct)), "s", digits: 3)
        }
        print("  CPU until all ready, drover / the harness spawning directly: " + cpu.joined(separator: ", "))
    }
    if let helpers = (scale.map(\.helpers) + [idle.helpers]).max(), helpers > 0 {
        print(
            "  RSS rows: drover's RSS plus the private memory of \(helpers) child process(es) running drover's own "
                + "executable (the guardian; its whole RSS with 100 procs: " + format(idle.helperRSSkB / 1024, "MB")
                + ", mostly drover's executable pages, shared)")
    }
    // Ratios are taken within a run (drover and direct back to back, under the same
    // load from the rest of the machine), then their median.
    let scaleCells = scaleCounts.indices.flatMap { index in
        let ready = scale.map { $0.ready[index] }
        return [
            format(Measurement.median(ready.map(\.drover)), "s", digits: 3),
            format(Measurement.median(ready.map(\.direct)), "s", digits: 3),
            format(Measurement.median(ready.map(\.ratio)), "×"),
        ]
    }
    return Column(
        name: peer.name,
        values: [
            format(Measurement.median(throughput.map(\.0)) / 1e6, "M"),
            format(Measurement.median(throughput.map(\.1)) * 1e6, "µs", digits: 3),
            format(Measurement.median(ttyThroughput.map(\.0)) / 1e6, "M"),
            format(Measurement.median(ttyThroughput.map(\.1)) * 1e6, "µs", digits: 3),
            format(ttyIdle, "/s"),
            format(startup, "s", digits: 3),
            format(graceful, "s", digits: 3),
            format(stubborn, "s", digits: 3),
            format(killNine, "s", digits: 3),
            format(idle.rssKB / 1024, "MB"),
            format(idle.cpuSeconds * 1000, "ms", digits: 1),
            format(idle.wakeupsPerSecond, "/s"),
        ] + scaleCells + [
            format(Measurement.median(scale.map(\.rssPerInstanceKB)), "KiB"),
            format(Measurement.median(scale.map(\.psSeconds)) * 1000, "ms", digits: 1),
        ])
}

let droverLines = quick ? 20_000 : 200_000
/// The scale group: start-up at each count; memory per instance between the baseline
/// and the largest count, and `ps` at the largest.
let scaleCounts = [1000, 5000]
let scaleBaseline = 100
print("drover benchmark: \(droverPath); medians of \(runs) runs\n")
// `--only json`: CPU per line of `--log-format json` against text, the same 16 writers.
if only == "json" {
    let scenarios = Scenarios(peer: .drover(droverPath), workspace: workspace)
    var perLine: [String: Double] = [:]
    for format in ["text", "json"] {
        perLine[format] = median("\(format) CPU per line", runs: runs) {
            try scenarios.throughput(writers: 16, lines: droverLines, format: format).cpuPerLine
        }
    }
    let text = perLine["text"]!
    let json = perLine["json"]!
    print("CPU per line, text: \(format(text * 1e6, "µs", digits: 3))")
    print("CPU per line, json: \(format(json * 1e6, "µs", digits: 3))")
    print("json / text: \(format(json / text, "×", digits: 2)) (goal ≤ 2×)")
    exit(0)
}
var columns = [measure(.drover(droverPath), runs: runs, lines: droverLines)]
let pipeLimit =
    !wanted("throughput")
    ? .nan
    : median("pipe limit", runs: runs) {
        try Scenarios(peer: .drover(droverPath), workspace: workspace).pipeLimit(writers: 16, lines: droverLines)
    }
let terminalLimit =
    !wanted("tty")
    ? .nan
    : median("pty limit", runs: runs) {
        try TerminalLimit.linesPerSecond(
            file: try Scenarios(peer: .drover(droverPath), workspace: workspace).dataFile(lines: droverLines), writers: 16,
            lines: droverLines)
    }
if arguments.contains("--peers") {
    for peer in [Peer.foreman(), Peer.honcho()].compactMap({ $0 }) {
        columns.append(measure(peer, runs: 1, lines: droverLines / 10))
    }
}

let metrics =
    [
        "lines/s, 16 procs (`cat`, 100-byte lines)", "CPU per line (manager only)",
        "lines/s, 16 --tty procs", "CPU per line, --tty", "idle wake-ups/s, 100 --tty procs", "500 ready",
        "stop 100 (they exit 0.1 s after TERM)", "stop with a TERM-ignorer, -t 2",
        "all gone after kill -9 of drover, -t 1", "RSS, 100 procs",
        "CPU over \(Int(idleSeconds)) s idle", "idle wake-ups/s",
    ] + scaleCounts.flatMap { ["\($0) ready", "\($0) ready, spawned directly", "\($0) ready, drover / direct"] } + [
        "RSS per instance (\(scaleCounts.last!) vs \(scaleBaseline) procs)",
        "ps --json at \(scaleCounts.last!) (client, start to exit)",
    ]
let goals =
    [
        "≥ half the pipe limit", "≤ 0.25 µs", "≥ 5 × hivemind (0.336 M here)", "", "0", "≤ 0.5 s", "≤ 0.15 s", "≤ 2.05 s", "≤ 2 s",
        "≤ 8 MB", "", "0",
    ]
    + scaleCounts.flatMap { _ in ["≤ 1.2 × direct", "(baseline)", "≤ 1.2"] } + ["≤ 4 KiB", "≤ 50 ms"]
func cell(_ text: String, _ width: Int) -> String { text.padding(toLength: width, withPad: " ", startingAt: 0) }
print("\n" + cell("metric", 44) + columns.map { cell($0.name, 13) }.joined() + "goal")
for (index, metric) in metrics.enumerated() {
    print(cell(metric, 44) + columns.map { cell($0.values[index], 13) }.joined() + goals[index])
}
if wanted("restart") {
    print("\nrestarts under a steady client (20 × drover restart web, one python server):")
    for listen in [true, false] {
        do {
            let result = try HandOver.measure(drover: droverPath, workspace: workspace, listen: listen, restarts: quick ? 5 : 20)
            print(
                "  \(listen ? "--listen (hand-off)" : "without --listen   "): refused \(result.refused) of "
                    + "\(result.refused + result.answered) connections (goal with --listen: 0); restart to the new run "
                    + "serving: median \(format(result.secondsToNewRun * 1000, "ms", digits: 0))")
        } catch {
            print("  restart scenario failed: \(error)")
        }
    }
}
print("\npipe limit (16 cats into one drained pipe): " + format(pipeLimit / 1e6, "M lines/s"))
print("pty limit (16 cats, each on a pseudo-terminal, read by the harness): " + format(terminalLimit / 1e6, "M lines/s"))
print("drover: 16 × \(droverLines) lines; peers: 16 × \(droverLines / 10) lines, 1 run")
