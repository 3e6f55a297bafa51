import DroverSystem
import Foundation

// `make soak`: drover under random kills, scaling, restarts, stops and control-socket
// garbage for a while, with its output, its ps, its memory, its descriptors and what
// it leaves behind checked. Usage:
//   drover-soak [--drover PATH] [--seconds N] [--seed N] [--actions NAME,...]
// --actions narrows the random mix (kill-leader, kill-grandchild, scale, restart, stop,
// garbage, logs, ps), to find which action a finding comes from.
//   drover-soak writer ...   (what the soak formation's instances run; see Writer)
//   drover-soak selftest     (the output checks against a stream with known defects)

let arguments = Array(CommandLine.arguments.dropFirst())
if arguments.first == "writer" {
    Writer(arguments: Array(arguments.dropFirst())).run()
}
if arguments.first == "selftest" {
    exit(SelfTest.run() ? 0 : 1)
}

@MainActor func option(_ name: String) -> String? {
    guard let index = arguments.firstIndex(of: name), index + 1 < arguments.count else { return nil }
    return arguments[index + 1]
}

// Absolute: drover is spawned with a chdir, which applies before the path is resolved.
let droverPath = URL(fileURLWithPath: option("--drover") ?? ".build/release/drover").standardizedFileURL.path
guard let seconds = Double(option("--seconds") ?? "120"), seconds >= 10 else {
    Console.say("drover-soak: --seconds must be a number, at least 10")
    exit(64)
}
let allActions = Set(Soak.actionWeights.map(\.name))
let chosenActions = option("--actions").map { Set($0.split(separator: ",").map(String.init)) } ?? allActions
guard !chosenActions.isEmpty, chosenActions.isSubset(of: allActions) else {
    Console.say("drover-soak: --actions takes names from: \(allActions.sorted().joined(separator: ","))")
    exit(64)
}
let seed = option("--seed").flatMap(UInt64.init) ?? UInt64(UInt32(truncatingIfNeeded: time(nil) ^ time_t(getpid())))

// Before any thread exists, so every thread inherits the mask; children get theirs reset.
Interruption.blockTerminationSignals()
// Whatever escapes drover after it exits comes back here, to be found and killed.
do { try Subreaper.become() } catch {
    Console.say("drover-soak: \(error)")
    exit(1)
}

Console.say("drover soak: \(Int(seconds)) s against \(droverPath) (seed \(seed))")
let soak: Soak
do {
    soak = try Soak(droverPath: droverPath, seconds: seconds, seed: seed, actions: chosenActions)
} catch {
    Console.say("drover-soak: \(error)")
    exit(1)
}
exit(soak.run())
