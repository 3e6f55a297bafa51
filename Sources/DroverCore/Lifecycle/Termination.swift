/// How a process ended.
public enum Termination: Equatable, Sendable, CustomStringConvertible {
    case exited(code: Int32)
    /// `name` as the system spells it (`SIGKILL`), since numbers differ between systems.
    case signaled(signal: Int32, name: String)

    /// The shell's convention: the exit code, or 128 + the signal number.
    public var shellCode: Int32 {
        switch self {
        case let .exited(code): code
        case let .signaled(signal, _): 128 + signal
        }
    }

    /// `exited with code 3`, `terminated by SIGKILL`: foreman's wording.
    public var description: String {
        switch self {
        case let .exited(code): "exited with code \(code)"
        case let .signaled(_, name): "terminated by \(name)"
        }
    }
}
