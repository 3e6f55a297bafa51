import CDroverShims
import DroverCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Pseudo-terminals: a master drover reads and writes, and a slave a child opens by
/// path as its controlling terminal (see `Spawn.Request.terminal`).
public enum PseudoTerminal {
    /// A new pseudo-terminal with the kernel's default modes (echo, line editing,
    /// `\n` written as `\r\n`: what programs expect of a terminal). The master is
    /// non-blocking and close-on-exec. No descriptor of the slave stays open in
    /// drover, so the master reads end-of-file (EIO) once the child's side is closed.
    public static func open() throws(SystemError) -> (master: FileDescriptor, slavePath: String) {
        var path = [CChar](repeating: 0, count: 128)
        let master = cdrover_open_pty(&path, path.count)
        guard master >= 0 else { throw .last("posix_openpt") }
        let end = path.firstIndex(of: 0) ?? path.count
        return (FileDescriptor(rawValue: master), String(decoding: path[..<end].map { UInt8(bitPattern: $0) }, as: UTF8.self))
    }

    /// The size of the terminal `descriptor` is open on; nil when it is none or has no size.
    public static func windowSize(of descriptor: FileDescriptor) -> WindowSize? {
        var rows: UInt16 = 0
        var columns: UInt16 = 0
        guard cdrover_get_window_size(descriptor.rawValue, &rows, &columns) == 0 else { return nil }
        return WindowSize(reportedRows: rows, columns: columns)
    }

    /// Sets the window size on a master (or any terminal); the kernel sends SIGWINCH
    /// to the terminal's foreground process group when it changes.
    public static func setWindowSize(_ size: WindowSize, on descriptor: FileDescriptor) throws(SystemError) {
        guard cdrover_set_window_size(descriptor.rawValue, size.rows, size.columns) == 0 else { throw .last("ioctl(TIOCSWINSZ)") }
    }

    /// The size of drover's own terminal: the first of stdin, stdout and stderr that is one.
    public static func ownWindowSize() -> WindowSize? {
        for descriptor in [FileDescriptor.standardInput, .standardOutput, .standardError] {
            if let size = windowSize(of: descriptor) { return size }
        }
        return nil
    }

    /// SIGWINCH: a terminal's size changed.
    public static let windowChangeSignal = cdrover_window_change_signal()
}

/// A terminal's modes as they were, to put back on every way out.
public struct TerminalModes: Sendable {
    private let descriptor: FileDescriptor
    private let saved: termios

    /// Saves the modes of `descriptor`'s terminal and switches it to raw mode: no echo,
    /// no line editing, no signals from keys, no output processing; every byte passes.
    public static func makeRaw(_ descriptor: FileDescriptor) throws(SystemError) -> TerminalModes {
        var modes = termios()
        guard tcgetattr(descriptor.rawValue, &modes) == 0 else { throw .last("tcgetattr") }
        let saved = modes
        cfmakeraw(&modes)
        guard tcsetattr(descriptor.rawValue, TCSAFLUSH, &modes) == 0 else { throw .last("tcsetattr") }
        return TerminalModes(descriptor: descriptor, saved: saved)
    }

    /// Puts the saved modes back (after what was written has been sent).
    public func restore() {
        var modes = saved
        while tcsetattr(descriptor.rawValue, TCSADRAIN, &modes) != 0 && errno == EINTR {}
    }
}
