import DroverCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Signal numbers and names, from the C library of the system drover runs on.
public enum SignalNumbers {
    public static func number(of signal: StopSignal) -> Int32 {
        switch signal {
        case .hangup: SIGHUP
        case .interrupt: SIGINT
        case .terminate: SIGTERM
        case .userDefined1: SIGUSR1
        case .userDefined2: SIGUSR2
        }
    }

    public static func stopSignal(_ number: Int32) -> StopSignal? {
        StopSignal.allCases.first { Self.number(of: $0) == number }
    }

    /// `SIGKILL`, or `signal 34` for one without a common name.
    public static func name(of number: Int32) -> String {
        let names: [(Int32, String)] = [
            (SIGHUP, "SIGHUP"), (SIGINT, "SIGINT"), (SIGQUIT, "SIGQUIT"), (SIGILL, "SIGILL"),
            (SIGTRAP, "SIGTRAP"), (SIGABRT, "SIGABRT"), (SIGBUS, "SIGBUS"), (SIGFPE, "SIGFPE"),
            (SIGKILL, "SIGKILL"), (SIGUSR1, "SIGUSR1"), (SIGSEGV, "SIGSEGV"), (SIGUSR2, "SIGUSR2"),
            (SIGPIPE, "SIGPIPE"), (SIGALRM, "SIGALRM"), (SIGTERM, "SIGTERM"), (SIGCHLD, "SIGCHLD"),
            (SIGCONT, "SIGCONT"), (SIGSTOP, "SIGSTOP"), (SIGTSTP, "SIGTSTP"), (SIGTTIN, "SIGTTIN"),
            (SIGTTOU, "SIGTTOU"), (SIGXCPU, "SIGXCPU"), (SIGXFSZ, "SIGXFSZ"), (SIGSYS, "SIGSYS"),
        ]
        return names.first { $0.0 == number }?.1 ?? "signal \(number)"
    }
}
