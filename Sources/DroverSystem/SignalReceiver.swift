import CDroverShims

#if canImport(Glibc)
    import Glibc
#endif

/// Signals delivered as readable events on a descriptor (Linux `signalfd`).
///
/// The signals are blocked first, so they stay pending for the descriptor instead of
/// interrupting drover; children get an empty mask back through `Spawn`.
public struct SignalReceiver: Sendable {
    public let descriptor: FileDescriptor

    /// Blocks `signals` in the calling thread and opens a signalfd for them. Call it
    /// before any other thread starts, so no thread is left able to take them.
    public static func open(_ signals: [Int32]) throws(SystemError) -> SignalReceiver {
        guard cdrover_block_signals(signals, Int32(signals.count)) == 0 else { throw .last("pthread_sigmask") }
        let descriptor = cdrover_signalfd(signals, Int32(signals.count))
        guard descriptor >= 0 else { throw .last("signalfd") }
        return SignalReceiver(descriptor: FileDescriptor(rawValue: descriptor))
    }

    /// The next pending signal, or nil when none is left.
    public func next() throws(SystemError) -> Int32? {
        let signal = cdrover_signalfd_read(descriptor.rawValue)
        if signal < 0 { throw .last("read(signalfd)") }
        return signal == 0 ? nil : signal
    }

    /// Ignores SIGPIPE, so a closed stdout shows up as EPIPE instead of killing drover.
    public static func ignoreBrokenPipe() {
        signal(SIGPIPE, SIG_IGN)
    }
}
