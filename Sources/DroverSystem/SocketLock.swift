#if canImport(Glibc)
    import Glibc
#endif

/// `<socket>.lock`, held with `flock` for as long as a drover owns the socket: the
/// proof that a socket is in use, where a failed connection proves nothing (a full
/// backlog, a drover stopped with SIGSTOP). Only a socket whose lock is free is stale.
///
/// The kernel drops the lock when its holder dies, however it dies. The file holds
/// the holder's pid, for messages only.
public final class SocketLock {
    public let path: String
    private var descriptor: FileDescriptor?
    private let identity: FileIdentity

    /// Why the lock could not be taken.
    public enum Failure: Error, Equatable, Sendable {
        /// Another process holds it (its pid, if the file says).
        case held(pid: Int32?)
        /// The file belongs to another user: never used, never replaced.
        case foreign(owner: UInt32)
        /// A symbolic link or anything else that is not a plain file.
        case notAPlainFile
        case system(SystemError)
    }

    public static func path(forSocket socket: String) -> String { socket + ".lock" }

    private init(path: String, descriptor: FileDescriptor, identity: FileIdentity) {
        self.path = path
        self.descriptor = descriptor
        self.identity = identity
    }

    deinit {
        release()
    }

    /// Takes the lock of `socket` without waiting. A lock file whose holder removed it
    /// between our open and our flock is not the lock any more: open again.
    public static func acquire(forSocket socket: String) throws(Failure) -> SocketLock {
        let path = path(forSocket: socket)
        for _ in 0..<8 {
            // O_NOFOLLOW: a symbolic link planted at the path is refused, not followed.
            let raw = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK, 0o600)
            guard raw >= 0 else {
                let error = SystemError.last("open \(path)")
                if error.code == ELOOP { throw .notAPlainFile }
                if error.code == EACCES, let owner = FileIdentity.of(path)?.owner, owner != geteuid() {
                    throw .foreign(owner: owner)
                }
                throw .system(error)
            }
            let descriptor = FileDescriptor(rawValue: raw)
            guard let identity = FileIdentity.of(descriptor) else {
                let error = SystemError.last("fstat \(path)")
                descriptor.close()
                throw .system(error)
            }
            guard identity.isPlainFile else {
                descriptor.close()
                throw .notAPlainFile
            }
            guard identity.owner == geteuid() else {
                descriptor.close()
                throw .foreign(owner: identity.owner)
            }
            guard flock(raw, LOCK_EX | LOCK_NB) == 0 else {
                let error = SystemError.last("flock \(path)")
                let pid = readPid(descriptor)
                descriptor.close()
                if error.code == EWOULDBLOCK { throw .held(pid: pid) }
                throw .system(error)
            }
            guard FileIdentity.of(path)?.sameFile(as: identity) == true else {
                descriptor.close()
                continue
            }
            let text = Array("\(getpid())\n".utf8)
            _ = ftruncate(raw, 0)
            _ = text.withUnsafeBytes { pwrite(raw, $0.baseAddress, $0.count, 0) }
            return SocketLock(path: path, descriptor: descriptor, identity: identity)
        }
        throw .system(SystemError("flock \(path)", code: EAGAIN))
    }

    /// Removes the file (only while it is still ours) and lets the lock go.
    public func release() {
        guard let descriptor else { return }
        if FileIdentity.of(path)?.sameFile(as: identity) == true { unlink(path) }
        descriptor.close()
        self.descriptor = nil
    }

    private static func readPid(_ descriptor: FileDescriptor) -> Int32? {
        var buffer = [UInt8](repeating: 0, count: 16)
        let count = buffer.withUnsafeMutableBytes { pread(descriptor.rawValue, $0.baseAddress, $0.count, 0) }
        guard count > 0 else { return nil }
        let text = String(decoding: buffer[0..<count], as: UTF8.self).split(separator: "\n").first ?? ""
        return Int32(text)
    }
}
