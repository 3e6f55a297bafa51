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
}
