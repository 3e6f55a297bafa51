import CDroverShims

#if canImport(Glibc)
    import Glibc
#endif

/// A file as the kernel knows it (device and inode) with its owner and type: the
/// socket lock checks who owns what it found, and `--watch` knows the `--log` file
/// whatever logrotate renamed it to.
public struct FileIdentity: Equatable, Sendable {
    let device: UInt64
    let inode: UInt64
    public let owner: UInt32
    let mode: UInt32

    public var isPlainFile: Bool { mode & S_IFMT == S_IFREG }

    public func sameFile(as other: FileIdentity) -> Bool {
        device == other.device && inode == other.inode
    }

    /// The file at `path` itself (a symbolic link is not followed).
    public static func of(_ path: String) -> FileIdentity? {
        var status = stat()
        guard lstat(path, &status) == 0 else { return nil }
        return FileIdentity(status)
    }

    public static func of(_ descriptor: FileDescriptor) -> FileIdentity? {
        var status = stat()
        guard fstat(descriptor.rawValue, &status) == 0 else { return nil }
        return FileIdentity(status)
    }

    private init(_ status: stat) {
        device = UInt64(status.st_dev)
        inode = UInt64(status.st_ino)
        owner = status.st_uid
        mode = status.st_mode
    }
}

extension FileSystem {
    /// Why `path` cannot be used, to follow it in a message (`does not exist`, `cannot
    /// be reached (too many levels of symbolic links)`); nil when it can.
    public static func problem(reaching path: String) -> String? {
        var status = stat()
        guard stat(path, &status) != 0 else { return nil }
        let error = SystemError.last("stat")
        return error.isNoSuchFile ? "does not exist" : "cannot be reached (\(error.reason))"
    }

    /// A kernel's view rather than files (/proc, /sys, cgroups, debugfs...): nothing
    /// there is source, and walking /proc would never end.
    public static func isKernelView(_ path: String) -> Bool {
        let type = cdrover_filesystem_type(path)
        guard type >= 0 else { return false }
        let kernelViews: Set<Int64> = [
            0x9fa0, // proc
            0x6265_6572, // sysfs
            0x1cd1, // devpts
            0x27e0eb, // cgroup
            0x6367_7270, // cgroup2
            0x6462_6720, // debugfs
            0x7472_6163, // tracefs
            0x7363_6673, // securityfs
            0xcafe_4a11, // bpf
            0x6165_676c, // pstore
        ]
        return kernelViews.contains(Int64(type))
    }
}
