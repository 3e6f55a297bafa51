import Foundation

/// Reading a running process from /proc, and timing.
enum Measurement {
    /// Seconds on CLOCK_MONOTONIC, to the nanosecond: `ps` calls take milliseconds, so
    /// drover's millisecond clock would be too coarse here.
    static func now() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
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

    /// The manager's resident memory in kB: `pid`'s RSS plus what every child of it
    /// running the same executable file (drover's guardian) adds: its private pages.
    /// Its other resident pages are drover's own executable, already in drover's RSS;
    /// adding the helper's whole RSS would count them twice. Also returns how many
    /// helpers were found and their whole RSS, for the record.
    static func managerRSS(of pid: Int32) -> (kB: Double, helpers: Int, helperRSSkB: Double) {
        var total = status("VmRSS", of: pid)
        guard let own = executable(of: pid) else { return (total, 0, 0) }
        var helpers = 0
        var helperRSS = 0.0
        for child in children(of: pid) where executable(of: child) == own {
            total += rollup("Private_Clean", of: child) + rollup("Private_Dirty", of: child)
            helperRSS += status("VmRSS", of: child)
            helpers += 1
        }
        return (total, helpers, helperRSS)
    }

    /// A kB field of `/proc/PID/smaps_rollup` (the sum over every mapping).
    static func rollup(_ field: String, of pid: Int32) -> Double {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/smaps_rollup", encoding: .utf8) else { return .nan }
        for line in text.split(separator: "\n") where line.hasPrefix(field + ":") {
            let number = line.dropFirst(field.count + 1).split(whereSeparator: { $0 == " " || $0 == "\t" }).first
            return number.flatMap { Double($0) } ?? .nan
        }
        return .nan
    }

    /// Which file a process runs: device and inode, equal for the same file whatever path
    /// it was started by (or if deleted since), unlike the link text.
    private struct FileIdentity: Equatable {
        var device: UInt64
        var inode: UInt64
    }

    private static func executable(of pid: Int32) -> FileIdentity? {
        var info = stat()
        guard stat("/proc/\(pid)/exe", &info) == 0 else { return nil }
        return FileIdentity(device: UInt64(info.st_dev), inode: UInt64(info.st_ino))
    }

    /// The children of `pid`, from every thread's list (a child belongs to the thread that made it).
    static func children(of pid: Int32) -> [Int32] {
        let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task")) ?? []
        var found: [Int32] = []
        for task in tasks {
            guard let text = try? String(contentsOfFile: "/proc/\(pid)/task/\(task)/children", encoding: .utf8) else { continue }
            found += text.split(separator: " ").compactMap { Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        }
        return found
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
