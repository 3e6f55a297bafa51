import DroverSystem
import Foundation

/// One process as /proc/PID/stat shows it.
struct ProcessEntry: Hashable, Sendable {
    var pid: Int32
    var parent: Int32
    var group: Int32
    /// R, S, D, Z (zombie), T, X...
    var state: Character
    /// Clock ticks after boot: with the pid, names one process even after its pid is reused.
    var startTicks: UInt64

    var identity: ProcessIdentity { ProcessIdentity(pid: pid, startTicks: startTicks) }
    var isZombie: Bool { state == "Z" || state == "X" }
}

/// A pid together with its start time: pid_max is 32768 here, so a bare pid seen a
/// minute ago may name somebody else's process now.
struct ProcessIdentity: Hashable, Sendable, CustomStringConvertible {
    var pid: Int32
    var startTicks: UInt64
    var description: String { "\(pid)" }
}

/// Reading the process table.
enum ProcTable {
    /// Every process on the machine, by pid.
    static func snapshot() -> [Int32: ProcessEntry] {
        var table: [Int32: ProcessEntry] = [:]
        for name in FileSystem.directoryEntries("/proc") {
            guard let pid = Int32(name), let entry = entry(pid) else { continue }
            table[pid] = entry
        }
        return table
    }

    static func entry(_ pid: Int32) -> ProcessEntry? {
        guard case let .success(bytes) = FileSystem.readFile("/proc/\(pid)/stat") else { return nil }
        // The name sits in parentheses and may hold anything: fields start after the last ')'.
        guard let close = bytes.lastIndex(of: UInt8(ascii: ")")) else { return nil }
        let fields = bytes[(close + 1)...].split(separator: 0x20)
        guard fields.count > 19, let stateByte = fields[0].first,
            let parent = Int32(String(decoding: fields[1], as: UTF8.self)),
            let group = Int32(String(decoding: fields[2], as: UTF8.self)),
            let start = UInt64(String(decoding: fields[19], as: UTF8.self))
        else { return nil }
        return ProcessEntry(pid: pid, parent: parent, group: group, state: Character(UnicodeScalar(stateByte)), startTicks: start)
    }

    /// Every descendant of `root` in `table` (not `root` itself).
    static func descendants(of root: Int32, in table: [Int32: ProcessEntry]) -> [ProcessEntry] {
        var children: [Int32: [Int32]] = [:]
        for entry in table.values { children[entry.parent, default: []].append(entry.pid) }
        var found: [ProcessEntry] = []
        var queue = children[root] ?? []
        while let pid = queue.popLast() {
            guard let entry = table[pid] else { continue }
            found.append(entry)
            queue += children[pid] ?? []
        }
        return found
    }

    /// argv of a process, or [] when it is gone.
    static func commandLine(_ pid: Int32) -> [String] {
        guard case let .success(bytes) = FileSystem.readFile("/proc/\(pid)/cmdline") else { return [] }
        return bytes.split(separator: 0, omittingEmptySubsequences: false).dropLast().map { String(decoding: $0, as: UTF8.self) }
    }

    /// VmRSS in kB, or nil when the process is gone.
    static func residentKB(_ pid: Int32) -> Double? {
        guard case let .success(bytes) = FileSystem.readFile("/proc/\(pid)/status") else { return nil }
        for line in bytes.split(separator: 0x0A) where line.starts(with: Array("VmRSS:".utf8)) {
            let number = line.dropFirst(6).split(whereSeparator: { $0 == 0x20 || $0 == 0x09 }).first
            return number.flatMap { Double(String(decoding: $0, as: UTF8.self)) }
        }
        return nil
    }

    /// How many descriptors the process holds open, or nil when it is gone.
    static func descriptorCount(_ pid: Int32) -> Int? {
        guard let directory = opendir("/proc/\(pid)/fd") else { return nil }
        closedir(directory)
        return FileSystem.directoryEntries("/proc/\(pid)/fd").count
    }

    /// Clock ticks since boot now: a process started after this moment cannot be one the
    /// soak saw before it.
    static func nowTicks() -> UInt64 {
        guard case let .success(bytes) = FileSystem.readFile("/proc/uptime"),
            let first = bytes.split(separator: 0x20).first,
            let seconds = Double(String(decoding: first, as: UTF8.self))
        else { return .max }
        return UInt64(seconds * Double(sysconf(Int32(_SC_CLK_TCK))))
    }

}
