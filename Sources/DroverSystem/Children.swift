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

    /// `waitpid(-1, WNOHANG)`: any child that has exited, or nil.
    public static func reapAny() -> (pid: Int32, status: Termination)? {
        var status: Int32 = 0
        while true {
            let pid = waitpid(-1, &status, WNOHANG)
            if pid < 0 && errno == EINTR { continue }
            guard pid > 0 else { return nil }
            return (pid, decode(status))
        }
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
