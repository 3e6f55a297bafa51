import DroverSystem
import Foundation

/// 5. Scale: drover with thousands of instances, against spawning them directly.
extension Scenarios {
    /// One run of the scale group.
    struct ScaleRun {
        /// Per count: drover's seconds to all `ready`, the direct spawn's, and their ratio.
        var ready: [(drover: Double, direct: Double, ratio: Double)] = []
        /// Manager memory per instance beyond the first `baseline` (kB).
        var rssPerInstanceKB = Double.nan
        /// Median wall time of one `drover ps --json` against the largest formation.
        var psSeconds = Double.nan
        /// Per count: CPU seconds of the spawning process until all were ready (drover's,
        /// the harness's own for the direct spawn): steadier than wall time on a busy machine.
        var spawnerCPU: [(drover: Double, direct: Double)] = []
        /// Helper processes counted with drover in the memory figures.
        var helpers = 0
    }

    /// `counts` instances each through drover and directly (in alternating order from run to
    /// run, so neither side always follows the other's teardown); memory per instance
    /// between `baseline` and the largest count, and `ps --json` at the largest count.
    func scale(counts: [Int], baseline: Int, psCalls: Int, directFirst: Bool) throws -> ScaleRun {
        var result = ScaleRun()
        let largest = counts.max() ?? baseline
        var largestRSS = Double.nan
        for count in counts {
            var direct = (seconds: Double.nan, cpu: Double.nan)
            let scratch = try directory("direct", procfile: "")
            if directFirst { direct = try DirectSpawn.ready(count: count, in: scratch) }
            let started = try launchReady("scale-\(count)", type: "p", count: count)
            let droverCPU = Measurement.cpuSeconds(of: started.subject.pid)
            do {
                if count == largest {
                    // Start-up settles (as in the idle scenario) before memory is read, and
                    // memory before `ps`, whose reply may leave the heap larger.
                    usleep(500_000)
                    let memory = Measurement.managerRSS(of: started.subject.pid)
                    largestRSS = memory.kB
                    result.helpers = memory.helpers
                    result.psSeconds = try psJSON(in: started.directory, expecting: count, calls: psCalls)
                }
            } catch {
                stop(started.subject)
                throw error
            }
            stop(started.subject)
            if !directFirst { direct = try DirectSpawn.ready(count: count, in: scratch) }
            result.ready.append((started.seconds, direct.seconds, started.seconds / direct.seconds))
            result.spawnerCPU.append((droverCPU, direct.cpu))
        }
        let small = try launchReady("scale-\(baseline)", type: "p", count: baseline)
        usleep(500_000)
        let baselineRSS = Measurement.managerRSS(of: small.subject.pid).kB
        stop(small.subject)
        result.rssPerInstanceKB = (largestRSS - baselineRSS) / Double(largest - baseline)
        return result
    }

    private func stop(_ subject: Subject) {
        subject.signal(SIGTERM)
        _ = subject.waitForExit(timeout: 60)
    }

    /// Median seconds of `calls` runs of `drover ps --json` in `directory` (after one
    /// warm-up that is not counted), each from spawn to exit with all its output read:
    /// the whole cost a script sees, drover's reply and the client's work together.
    func psJSON(in directory: String, expecting count: Int, calls: Int) throws -> Double {
        var times: [Double] = []
        for call in 0...calls {
            let start = Measurement.now()
            let objects = try runToEnd([peer.executable, "ps", "--json"], in: directory)
            let elapsed = Measurement.now() - start
            // One object per instance, nothing nested: a short or failed reply is no result.
            guard objects == count else { throw BenchError("ps --json: \(objects) instances listed, \(count) expected") }
            if call > 0 { times.append(elapsed) }
        }
        return Measurement.median(times)
    }

    /// Runs a short-lived command, reads its stdout to the end and reaps it; returns the
    /// number of `{` in its output. Not through `Subject`: its clean-up would kill the
    /// drover this command talks to.
    private func runToEnd(_ arguments: [String], in directory: String) throws -> Int {
        var request = Spawn.Request(
            path: arguments[0], arguments: arguments,
            environment: ["PATH=\(ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")", "HOME=/tmp"],
            workingDirectory: directory)
        request.standardError = .nullDevice
        request.grouping = .newProcessGroup
        let (pid, output) = try Spawn.runReading(request, .standardOutput)
        defer { output.close() }
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 16, alignment: 16)
        defer { buffer.deallocate() }
        var objects = 0
        while case let .bytes(length) = try output.read(into: buffer) {
            for position in 0..<length where buffer[position] == UInt8(ascii: "{") { objects += 1 }
        }
        guard case .exited(_, .exited(code: 0)) = Children.wait(for: pid) else {
            throw BenchError("\(arguments.joined(separator: " ")) failed")
        }
        return objects
    }
}
