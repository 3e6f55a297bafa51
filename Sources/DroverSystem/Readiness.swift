#if canImport(Glibc)
    import Glibc
#endif

/// Waiting on one descriptor, for short-lived clients (the supervisor uses `EventPoller`).
public enum Readiness {
    /// `poll(2)` for input (or hang-up); false on timeout.
    public static func waitReadable(_ descriptor: FileDescriptor, timeoutMilliseconds: Int?) -> Bool {
        var entry = pollfd(fd: descriptor.rawValue, events: Int16(POLLIN), revents: 0)
        while true {
            let result = poll(&entry, 1, Int32(clamping: timeoutMilliseconds ?? -1))
            if result < 0 && errno == EINTR { continue }
            return result > 0
        }
    }

    /// `poll(2)` for input (or hang-up) on several descriptors at once; returns which
    /// are ready, in order (all false on timeout). Interrupted waits are retried.
    public static func waitReadable(_ descriptors: [FileDescriptor], timeoutMilliseconds: Int?) -> [Bool] {
        var entries = descriptors.map { pollfd(fd: $0.rawValue, events: Int16(POLLIN), revents: 0) }
        while true {
            let result = poll(&entries, nfds_t(entries.count), Int32(clamping: timeoutMilliseconds ?? -1))
            if result < 0 && errno == EINTR { continue }
            return entries.map { result > 0 && $0.revents != 0 }
        }
    }
}
