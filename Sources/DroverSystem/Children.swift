import CDroverShims
import DroverCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Waiting for and signalling children.
public enum Children {
    /// `waitpid(pid, WNOHANG)`: nil while the child runs.
    public static func reapIfExited(_ pid: Int32) throws(SystemError) -> Termination? {
        var status: Int32 = 0
        while true {
            let result = waitpid(pid, &status, WNOHANG)
            if result == 0 { return nil }
            if result < 0 {
                if errno == EINTR { continue }
                throw SystemError.last("waitpid")
            }
            return decode(status)
        }
    }

    /// What `waitpid(-1, WNOHANG)` found.
    public enum Reaped: Equatable, Sendable {
        case exited(pid: Int32, Termination)
        /// Children exist, none has exited.
        case noneExited
        /// drover has no children left at all (ECHILD).
        case noChildren
    }

    /// Reaps one exited child, if any, without blocking.
    public static func reapAny() -> Reaped {
        wait(options: WNOHANG)
    }

    /// Waits for this child to exit (blocking).
    public static func wait(for pid: Int32) -> Reaped {
        var status: Int32 = 0
        while true {
            let result = waitpid(pid, &status, 0)
            if result > 0 { return .exited(pid: result, decode(status)) }
            if errno == EINTR { continue }
            return .noChildren
        }
    }

    /// Waits for any child to exit (blocking).
    public static func waitAny() -> Reaped {
        wait(options: 0)
    }

    private static func wait(options: Int32) -> Reaped {
        var status: Int32 = 0
        while true {
            let pid = waitpid(-1, &status, options)
            if pid > 0 { return .exited(pid: pid, decode(status)) }
            if pid == 0 { return .noneExited }
            if errno == EINTR { continue }
            return .noChildren
        }
    }

    /// `getpgid(2)`; 0 when the process is gone.
    public static func processGroup(of pid: Int32) -> Int32 {
        max(0, getpgid(pid))
    }

    public static func decode(_ status: Int32) -> Termination {
        if cdrover_exited(status) != 0 { return .exited(code: cdrover_exit_code(status)) }
        let signal = cdrover_terminating_signal(status)
        return .signaled(signal: signal, name: SignalNumbers.name(of: signal))
    }

    /// `kill(-group, signal)`: false when the group is already empty (ESRCH).
    @discardableResult
    public static func signalGroup(_ group: Int32, _ signal: Int32) -> Bool {
        kill(-group, signal) == 0
    }

    /// `kill(pid, signal)`: false when the process is gone.
    @discardableResult
    public static func signal(_ pid: Int32, _ signal: Int32) -> Bool {
        kill(pid, signal) == 0
    }

    /// Whether any process still belongs to the group (`kill(-group, 0)`).
    public static func groupHasMembers(_ group: Int32) -> Bool {
        kill(-group, 0) == 0 || errno == EPERM
    }
}
