#if canImport(Glibc)
    import Glibc
#endif

/// Every process on the system, from `/proc` (Linux).
public enum ProcessTable {
    public struct Entry: Equatable, Sendable {
        public var pid: Int32
        public var parent: Int32
        public var group: Int32
        /// Clock ticks after boot: a process started before another cannot descend from it.
        public var startTime: UInt64
    }

    /// One pass over `/proc/*/stat`; processes that vanish meanwhile are skipped.
    /// Whether a process with this pid exists (`kill(pid, 0)`; another user's counts).
    public static func exists(_ pid: Int32) -> Bool {
        kill(pid, 0) == 0 || errno == EPERM
    }

    public static func snapshot() -> [Entry] {
        var entries: [Entry] = []
        for name in FileSystem.directoryEntries("/proc") {
            guard let pid = Int32(name), case let .success(bytes) = FileSystem.readFile("/proc/\(pid)/stat") else {
                continue
            }
            // The fields after the last ')' (the name may hold spaces and parentheses):
            // state, ppid, pgrp, ... starttime (the 22nd field of the line, 20th here).
            guard let close = bytes.lastIndex(of: UInt8(ascii: ")")) else { continue }
            let fields = bytes[(close + 1)...].split(separator: UInt8(ascii: " "))
            guard fields.count > 19, let parent = Int32(String(decoding: fields[1], as: UTF8.self)),
                let group = Int32(String(decoding: fields[2], as: UTF8.self)),
                let started = UInt64(String(decoding: fields[19], as: UTF8.self))
            else { continue }
            entries.append(Entry(pid: pid, parent: parent, group: group, startTime: started))
        }
        return entries
    }

    /// Which of `candidates` have `entry` (`NAME=value`) in their environment, as far
    /// as it can be read (another user's cannot).
    public static func carrying(_ entry: String, among candidates: some Sequence<Int32>) -> [Int32] {
        let wanted = Array(entry.utf8) + [0]
        var found: [Int32] = []
        for pid in candidates {
            guard case let .success(bytes) = FileSystem.readFile("/proc/\(pid)/environ") else { continue }
            // Entries are NUL-terminated; match one whole entry.
            var start = 0
            while start < bytes.count {
                let end = bytes[start...].firstIndex(of: 0) ?? bytes.count
                if end - start == wanted.count - 1, bytes[start..<end].elementsEqual(wanted.dropLast()) {
                    found.append(pid)
                    break
                }
                start = end + 1
            }
        }
        return found
    }

    /// `seeds` and every descendant of theirs, wherever it moved.
    public static func family(of seeds: Set<Int32>, in entries: [Entry]) -> Set<Int32> {
        var found = seeds
        var grew = true
        while grew {
            grew = false
            for entry in entries where !found.contains(entry.pid) && found.contains(entry.parent) {
                found.insert(entry.pid)
                grew = true
            }
        }
        return found
    }
}
