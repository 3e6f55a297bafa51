import DroverSystem
import Foundation

/// Reading a running process from /proc, and timing.
enum Measurement {
    static func now() -> Double {
        Double(Clocks.monotonicMilliseconds()) / 1000
    }

    /// CPU time of `pid` itself in seconds, all its threads (schedstat's nanoseconds), not its children.
    static func cpuSeconds(of pid: Int32) -> Double {
        let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task")) ?? []
        guard !tasks.isEmpty else { return .nan }
        var total = 0.0
        for task in tasks {
            guard let text = try? String(contentsOfFile: "/proc/\(pid)/task/\(task)/schedstat", encoding: .utf8),
                  let first = text.split(separator: " ").first, let nanoseconds = Double(first)
            else { continue }
            total += nanoseconds
        }
        return total / 1e9
    }

    /// A field of /proc/PID/status, as a number (kB for memory fields).
    static func status(_ field: String, of pid: Int32) -> Double {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return .nan }
        for line in text.split(separator: "\n") where line.hasPrefix(field + ":") {
            let number = line.dropFirst(field.count + 1).split(whereSeparator: { $0 == " " || $0 == "\t" }).first
            return number.flatMap { Double($0) } ?? .nan
        }
        return .nan
    }

    /// Voluntary plus involuntary context switches: each is a wake-up or a preemption.
    static func contextSwitches(of pid: Int32) -> Double {
        status("voluntary_ctxt_switches", of: pid) + status("nonvoluntary_ctxt_switches", of: pid)
    }

    static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        guard !sorted.isEmpty else { return .nan }
        return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
    }
}
