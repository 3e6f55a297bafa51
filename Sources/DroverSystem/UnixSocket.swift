import CDroverShims

#if canImport(Glibc)
    import Glibc
#endif

/// Stream sockets in the file system (AF_UNIX), for the control channel.
public enum UnixSocket {
    /// `sun_path` holds 108 bytes, one of them the terminating NUL.
    public static let maximumPathLength = 107

    /// Creates, binds and listens; the file gets mode 0600 because it is created under
    /// umask 0177 (never chmod afterwards: that would leave a window).
    public static func listen(at path: String, backlog: Int32 = 64) throws(SystemError) -> FileDescriptor {
        let descriptor = try makeSocket()
        let previous = umask(0o177)
        defer { umask(previous) }
        let bound = withAddress(path) { address, length in bind(descriptor.rawValue, address, length) }
        guard bound == 0 else {
            let error = SystemError.last("bind")
            descriptor.close()
            throw error
        }
        guard Glibc.listen(descriptor.rawValue, backlog) == 0 else {
            let error = SystemError.last("listen")
            descriptor.close()
            unlink(path)
            throw error
        }
        try descriptor.setNonblocking(true)
        return descriptor
    }

    /// Connects (blocking); ECONNREFUSED means nobody listens on a socket file left behind.
    /// With a timeout, a listener whose backlog stays full gives EAGAIN after it
    /// (SO_SNDTIMEO bounds a Unix socket's connect), not a wait without end.
    public static func connect(to path: String, timeoutMilliseconds: Int? = nil) throws(SystemError) -> FileDescriptor {
        let descriptor = try makeSocket()
        if let timeoutMilliseconds {
            var limit = timeval(tv_sec: timeoutMilliseconds / 1000, tv_usec: (timeoutMilliseconds % 1000) * 1000)
            guard setsockopt(descriptor.rawValue, SOL_SOCKET, SO_SNDTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size)) == 0
            else {
                let error = SystemError.last("setsockopt")
                descriptor.close()
                throw error
            }
        }
        let result = withAddress(path) { address, length in Glibc.connect(descriptor.rawValue, address, length) }
        guard result == 0 else {
            let error = SystemError.last("connect")
            descriptor.close()
            throw error
        }
        return descriptor
    }

    /// Lets writes on a connected socket wait as long as they need (undoes the send
    /// timeout `connect` set for the connection itself).
    public static func clearSendTimeout(_ descriptor: FileDescriptor) {
        var forever = timeval(tv_sec: 0, tv_usec: 0)
        _ = setsockopt(descriptor.rawValue, SOL_SOCKET, SO_SNDTIMEO, &forever, socklen_t(MemoryLayout<timeval>.size))
    }

    /// `accept4` with CLOEXEC and NONBLOCK; nil when no connection is waiting.
    public static func accept(_ listener: FileDescriptor) throws(SystemError) -> FileDescriptor? {
        let descriptor = cdrover_accept_cloexec(listener.rawValue)
        if descriptor >= 0 { return FileDescriptor(rawValue: descriptor) }
        switch errno {
        case EAGAIN, EWOULDBLOCK, EINTR, ECONNABORTED: return nil
        default: throw .last("accept4")
        }
    }

    /// The user id of the process at the other end (`SO_PEERCRED`).
    public static func peerUserID(_ connection: FileDescriptor) -> UInt32? {
        var uid: UInt32 = 0
        return cdrover_peer_uid(connection.rawValue, &uid) == 0 ? uid : nil
    }

    /// The user id drover runs as.
    public static var ownUserID: UInt32 { getuid() }

    /// Whether `path` is a socket file (false when missing or anything else).
    public static func isSocketFile(_ path: String) -> Bool? {
        var status = stat()
        guard lstat(path, &status) == 0 else { return nil }
        return (status.st_mode & S_IFMT) == S_IFSOCK
    }

    public static func remove(_ path: String) {
        unlink(path)
    }

    private static func makeSocket() throws(SystemError) -> FileDescriptor {
        let descriptor = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else { throw .last("socket") }
        return FileDescriptor(rawValue: descriptor)
    }

    /// Callers check the length first; an over-long path is refused here too, not truncated.
    private static func withAddress(_ path: String, _ body: (UnsafePointer<sockaddr>, socklen_t) -> Int32) -> Int32 {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count <= maximumPathLength else {
            errno = ENAMETOOLONG
            return -1
        }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: bytes)
            raw[bytes.count] = 0
        }
        return withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                body($0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
    }
}
