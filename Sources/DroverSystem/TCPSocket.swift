import DroverCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// IPv4 TCP sockets: the listening sockets drover hands to `--listen` instances, and
/// the non-blocking connects of readiness probes.
public enum TCPSocket {
    /// The lowest descriptor a handed-over socket may have: `dup2` onto fd 3 keeps
    /// close-on-exec when the source already is 3, so it must never be.
    static let lowestListenDescriptor: Int32 = 10

    /// A listening socket on `endpoint` (SO_REUSEADDR, so a restarted drover can bind
    /// again at once), non-blocking and close-on-exec in drover itself.
    public static func listen(on endpoint: IPv4Endpoint, backlog: Int32 = 1024) throws(SystemError) -> FileDescriptor {
        let raw = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard raw >= 0 else { throw SystemError.last("socket") }
        let moved = fcntl(raw, F_DUPFD_CLOEXEC, lowestListenDescriptor)
        let movedError = SystemError.last("fcntl")
        Glibc.close(raw)
        guard moved >= 0 else { throw movedError }
        let descriptor = FileDescriptor(rawValue: moved)
        var one: Int32 = 1
        setsockopt(moved, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        let bound = withAddress(endpoint) { bind(moved, $0, $1) }
        guard bound == 0 else {
            let error = SystemError.last("bind")
            descriptor.close()
            throw error
        }
        guard Glibc.listen(moved, backlog) == 0 else {
            let error = SystemError.last("listen")
            descriptor.close()
            throw error
        }
        return descriptor
    }

    /// Starts a non-blocking connect; `connected` is false while it is in progress
    /// (wait for writable, then read `pendingError`).
    public static func connect(to endpoint: IPv4Endpoint) throws(SystemError) -> (FileDescriptor, connected: Bool) {
        let raw = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
        guard raw >= 0 else { throw SystemError.last("socket") }
        let descriptor = FileDescriptor(rawValue: raw)
        let result = withAddress(endpoint) { Glibc.connect(raw, $0, $1) }
        if result == 0 { return (descriptor, true) }
        let error = SystemError.last("connect")
        guard error.code == EINPROGRESS else {
            descriptor.close()
            throw error
        }
        return (descriptor, false)
    }

    /// The outcome of a connect that was in progress: nil when it succeeded.
    public static func pendingError(_ descriptor: FileDescriptor) -> SystemError? {
        var code: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        guard getsockopt(descriptor.rawValue, SOL_SOCKET, SO_ERROR, &code, &length) == 0 else {
            return SystemError.last("getsockopt")
        }
        return code == 0 ? nil : SystemError("connect", code: code)
    }

    private static func withAddress<T>(
        _ endpoint: IPv4Endpoint, _ body: (UnsafePointer<sockaddr>, socklen_t) -> T
    ) -> T {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(endpoint.port).bigEndian)
        let octets = endpoint.host.octets
        let host = UInt32(octets.0) << 24 | UInt32(octets.1) << 16 | UInt32(octets.2) << 8 | UInt32(octets.3)
        address.sin_addr = in_addr(s_addr: host.bigEndian)
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
    }
}
