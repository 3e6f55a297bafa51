#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A failed system call: which call, and the `errno` it left.
public struct SystemError: Error, Equatable, Sendable, CustomStringConvertible {
    public var call: String
    public var code: Int32

    public init(_ call: String, code: Int32) {
        self.call = call
        self.code = code
    }

    /// The error the last call left in `errno`.
    public static func last(_ call: String) -> SystemError {
        SystemError(call, code: errno)
    }

    /// `strerror` text, lower-cased the way shells print it ("no such file or directory").
    public var reason: String { SystemError.describe(code) }

    public var description: String { "\(call): \(reason)" }

    public static func describe(_ code: Int32) -> String {
        guard let text = strerror(code) else { return "error \(code)" }
        let message = String(cString: text)
        guard let first = message.first else { return message }
        return first.lowercased() + message.dropFirst()
    }

    public var isNoSuchFile: Bool { code == ENOENT || code == ENOTDIR }

    /// Nobody listens on a socket file (a drover that died left it behind).
    public var isConnectionRefused: Bool { code == ECONNREFUSED }

    /// ENOSPC: a disk, or a kernel limit such as inotify's watches, is full.
    public var isOutOfSpace: Bool { code == ENOSPC }

    /// EAGAIN: a non-blocking call, or one with a timeout, found nothing it could do.
    public var isWouldBlock: Bool { code == EAGAIN || code == EWOULDBLOCK }

    /// `execve` refused a file with no `#!` line and no binary format (shells run it with sh).
    public var isUnknownExecutableFormat: Bool { code == ENOEXEC }
}
