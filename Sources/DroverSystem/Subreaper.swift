import CDroverShims

#if canImport(Glibc)
    import Glibc
#endif

/// Making drover the parent of last resort for everything it starts (Linux).
public enum Subreaper {
    /// `prctl(PR_SET_CHILD_SUBREAPER)`: orphaned descendants are reparented to drover
    /// instead of init, so a double-forked daemon can still be found and stopped.
    public static func become() throws(SystemError) {
        guard cdrover_become_subreaper() == 0 else { throw .last("prctl(PR_SET_CHILD_SUBREAPER)") }
    }

    /// The pids of drover's living children, orphans reparented to it included.
    ///
    /// Reads `/proc/PID/task/*/children` (children belong to the thread that made them,
    /// and orphans to any thread of the subreaper, so every thread's list counts); where
    /// the kernel lacks those files, scans `/proc/*/stat` for processes whose parent is drover.
    public static func children() -> [Int32] {
        let pid = getpid()
        var found: [Int32] = []
        var readAny = false
        for task in FileSystem.directoryEntries("/proc/\(pid)/task") {
            guard case let .success(bytes) = FileSystem.readFile("/proc/\(pid)/task/\(task)/children") else { continue }
            readAny = true
            found += String(decoding: bytes, as: UTF8.self).split(separator: " ").compactMap { Int32($0) }
        }
        return readAny ? found : scanForChildren(of: pid)
    }

    private static func scanForChildren(of parent: Int32) -> [Int32] {
        ProcessTable.snapshot().filter { $0.parent == parent }.map(\.pid)
    }
}
