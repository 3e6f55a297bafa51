/// How a process ended.
public enum Termination: Equatable, Sendable, CustomStringConvertible {
    case exited(code: Int32)
    case signaled(signal: Int32)

    /// The shell's convention: the exit code, or 128 + the signal number.
    public var shellCode: Int32 {
        switch self {
        case let .exited(code): code
        case let .signaled(signal): 128 + signal
        }
    }

    /// `exited with code 3`, `terminated by SIGKILL`: foreman's wording.
    public var description: String {
        switch self {
        case let .exited(code): "exited with code \(code)"
        case let .signaled(signal): "terminated by \(SignalName.name(of: signal))"
        }
    }
}

/// Signal names for messages (Linux numbering, which the common ones share with macOS).
public enum SignalName {
    public static func name(of signal: Int32) -> String {
        switch signal {
        case 1: "SIGHUP"
        case 2: "SIGINT"
        case 3: "SIGQUIT"
        case 4: "SIGILL"
        case 6: "SIGABRT"
        case 8: "SIGFPE"
        case 9: "SIGKILL"
        case 10: "SIGUSR1"
        case 11: "SIGSEGV"
        case 12: "SIGUSR2"
        case 13: "SIGPIPE"
        case 14: "SIGALRM"
        case 15: "SIGTERM"
        default: "signal \(signal)"
        }
    }
}
