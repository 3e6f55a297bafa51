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
/// `--only throughput|startup|stop|idle`: one scenario group, for quick comparisons.
let only = option("--only")
@MainActor func wanted(_ group: String) -> Bool { only == nil || only == group }

// Orphans of a subject that misbehaves come back to the harness, which kills them.
try? Subreaper.become()

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
    let startup = !wanted("startup") ? .nan : median("startup", runs: runs) { try scenarios.startup(count: 500) }
    let graceful = !wanted("stop") ? .nan : median("stop 100", runs: runs) {
        try scenarios.shutdown(
            procfile: "p: trap 'sleep 0.1; exit 0' TERM; echo ready; sleep 1000 & wait\n", count: 100, timeout: 5)
    }
    let stubborn = !wanted("stop") ? .nan : median("stop TERM-ignorer", runs: runs) {
        try scenarios.shutdown(procfile: "p: trap '' TERM; echo ready; while :; do sleep 1; done\n", count: 1, timeout: 2)
    }
    var idle = (rssKB: Double.nan, cpuSeconds: Double.nan, wakeupsPerSecond: Double.nan)
    if wanted("idle") {
        do { idle = try scenarios.idle(count: 100, seconds: idleSeconds) } catch { print("  idle failed: \(error)") }
    }
    return Column(name: peer.name, values: [
        format(Measurement.median(throughput.map(\.0)) / 1e6, "M"),
        format(Measurement.median(throughput.map(\.1)) * 1e6, "µs", digits: 3),
        format(startup, "s", digits: 3),
        format(graceful, "s", digits: 3),
        format(stubborn, "s", digits: 3),
        format(idle.rssKB / 1024, "MB"),
        format(idle.cpuSeconds * 1000, "ms", digits: 1),
        format(idle.wakeupsPerSecond, "/s"),
    ])
}

let droverLines = quick ? 20_000 : 200_000
print("drover benchmark: \(droverPath); medians of \(runs) runs\n")
var columns = [measure(.drover(droverPath), runs: runs, lines: droverLines)]
let pipeLimit = !wanted("throughput") ? .nan : median("pipe limit", runs: runs) {
    try Scenarios(peer: .drover(droverPath), workspace: workspace).pipeLimit(writers: 16, lines: droverLines)
}
if arguments.contains("--peers") {
    for peer in [Peer.foreman(), Peer.honcho()].compactMap({ $0 }) {
        columns.append(measure(peer, runs: 1, lines: droverLines / 10))
    }
}

let metrics = [
    "lines/s, 16 procs (`cat`, 100-byte lines)", "CPU per line (manager only)", "500 ready",
    "stop 100 (they exit 0.1 s after TERM)", "stop with a TERM-ignorer, -t 2", "RSS, 100 procs",
    "CPU over \(Int(idleSeconds)) s idle", "idle wake-ups/s",
]
let goals = ["≥ half the pipe limit", "≤ 0.25 µs", "≤ 0.5 s", "≤ 0.15 s", "≤ 2.05 s", "≤ 8 MB", "", "0"]
func cell(_ text: String, _ width: Int) -> String { text.padding(toLength: width, withPad: " ", startingAt: 0) }
print("\n" + cell("metric", 44) + columns.map { cell($0.name, 13) }.joined() + "goal")
for (index, metric) in metrics.enumerated() {
    print(cell(metric, 44) + columns.map { cell($0.values[index], 13) }.joined() + goals[index])
}
print("\npipe limit (16 cats into one drained pipe): " + format(pipeLimit / 1e6, "M lines/s"))
print("drover: 16 × \(droverLines) lines; peers: 16 × \(droverLines / 10) lines, 1 run")
