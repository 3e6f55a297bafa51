#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The few file-system questions drover asks.
public enum FileSystem {
    /// The whole file, read with `open`/`read`; fails with EISDIR for a directory.
    public static func readFile(_ path: String) -> Result<[UInt8], SystemError> {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return .failure(.last("open")) }
        defer { FileDescriptor(rawValue: descriptor).close() }
        var status = stat()
        if fstat(descriptor, &status) == 0, (status.st_mode & S_IFMT) == S_IFDIR {
            return .failure(SystemError("read", code: EISDIR))
        }
        return readToEnd(descriptor, stoppingPast: .max)
    }

    /// A configuration file (Procfile, env file, `.drover`), whole, but only a regular
    /// file of at most `maximumBytes`: `/dev/zero` would fill memory and a FIFO would
    /// block. Opened with O_NONBLOCK so a FIFO cannot hold up the `open` itself; the
    /// checks use `fstat` on the opened descriptor, so nothing is swapped in between.
    /// (`readFile` stays for /proc files, which are not regular-sized.)
    public static func readConfigFile(_ path: String, maximumBytes: Int) -> Result<[UInt8], ConfigFileError> {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY)
        guard descriptor >= 0 else { return .failure(.system(.last("open"))) }
        defer { FileDescriptor(rawValue: descriptor).close() }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { return .failure(.system(.last("fstat"))) }
        switch status.st_mode & S_IFMT {
        case S_IFREG: break
        case S_IFDIR: return .failure(.system(SystemError("read", code: EISDIR)))
        case S_IFIFO: return .failure(.notRegular("a FIFO"))
        case S_IFCHR: return .failure(.notRegular("a character device"))
        case S_IFBLK: return .failure(.notRegular("a block device"))
        case S_IFSOCK: return .failure(.notRegular("a socket"))
        default: return .failure(.notRegular("an unknown kind of file"))
        }
        guard Int(status.st_size) <= maximumBytes else { return .failure(.tooLarge(limit: maximumBytes)) }
        let flags = fcntl(descriptor, F_GETFL)
        if flags >= 0 { _ = fcntl(descriptor, F_SETFL, flags & ~O_NONBLOCK) }
        // The file may grow while it is read: stop past the limit.
        switch readToEnd(descriptor, stoppingPast: maximumBytes) {
        case let .success(contents) where contents.count > maximumBytes: return .failure(.tooLarge(limit: maximumBytes))
        case let .success(contents): return .success(contents)
        case let .failure(error): return .failure(.system(error))
        }
    }

    /// Reads to the end of the file, or until more than `limit` bytes have come.
    static func readToEnd(_ descriptor: Int32, stoppingPast limit: Int) -> Result<[UInt8], SystemError> {
        var contents: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while contents.count <= limit {
            let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                return .failure(.last("read"))
            }
            if count == 0 { break }
            contents.append(contentsOf: chunk[0..<count])
        }
        return .success(contents)
    }

    /// The names in a directory, `.` and `..` left out; none if it cannot be read.
    public static func directoryEntries(_ path: String) -> [String] {
        guard let directory = opendir(path) else { return [] }
        defer { closedir(directory) }
        var names: [String] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    /// The entries of a directory and whether each is a directory itself (links are
    /// not followed); `.` and `..` left out; none if it cannot be read.
    public static func directoryListing(_ path: String) -> [(name: String, isDirectory: Bool)] {
        guard let directory = opendir(path) else { return [] }
        defer { closedir(directory) }
        var entries: [(name: String, isDirectory: Bool)] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            guard name != "." && name != ".." else { continue }
            var isDirectory = entry.pointee.d_type == UInt8(DT_DIR)
            if entry.pointee.d_type == UInt8(DT_UNKNOWN) {
                var status = stat()
                isDirectory = lstat(path + "/" + name, &status) == 0 && status.st_mode & S_IFMT == S_IFDIR
            }
            entries.append((name, isDirectory))
        }
        return entries
    }

    /// `getcwd(3)`.
    public static func currentDirectory() -> Result<String, SystemError> {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        guard getcwd(&buffer, buffer.count) != nil else { return .failure(.last("getcwd")) }
        let bytes = buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
        return .success(String(decoding: bytes, as: UTF8.self))
    }

    /// `chdir(2)`.
    public static func changeDirectory(_ path: String) -> Result<Void, SystemError> {
        chdir(path) == 0 ? .success(()) : .failure(.last("chdir"))
    }

    /// What `stat` says a path is, following links.
    public enum Kind: Equatable, Sendable {
        case missing
        case directory
        case file(executable: Bool)
        case other
    }

    public static func kind(of path: String) -> Kind {
        var status = stat()
        guard stat(path, &status) == 0 else { return .missing }
        switch status.st_mode & S_IFMT {
        case S_IFDIR: return .directory
        case S_IFREG: return .file(executable: access(path, X_OK) == 0)
        default: return .other
        }
    }
}

extension FileSystem {
    /// Opens `path` for appending (created 0644), close-on-exec: the `--log` file.
    public static func openForAppending(_ path: String) -> Result<FileDescriptor, SystemError> {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        return descriptor >= 0 ? .success(FileDescriptor(rawValue: descriptor)) : .failure(.last("open"))
    }

    /// The running executable, so `--daemon` can start another copy of itself (Linux).
    public static func ownExecutable() -> String? {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let length = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        guard length > 0 else { return nil }
        return String(decoding: buffer[0..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

extension FileDescriptor {
    /// `dup2(2)`: makes `target` refer to this descriptor's file (used to detach stdout).
    public func duplicate(onto target: FileDescriptor) throws(SystemError) {
        while dup2(rawValue, target.rawValue) < 0 {
            if errno != EINTR { throw .last("dup2") }
        }
    }

    /// `/dev/null`, write-only and close-on-exec.
    public static func openNullDevice() -> FileDescriptor? {
        let descriptor = open("/dev/null", O_WRONLY | O_CLOEXEC)
        return descriptor >= 0 ? FileDescriptor(rawValue: descriptor) : nil
    }
}

/// Why `readConfigFile` gave nothing.
public enum ConfigFileError: Error, Equatable, Sendable {
    /// A system call failed (missing, no permission, a directory...).
    case system(SystemError)
    /// A FIFO, a device or a socket: what it is, in words ("a FIFO").
    case notRegular(String)
    /// Larger than the limit, in bytes.
    case tooLarge(limit: Int)

    public var isNoSuchFile: Bool {
        if case let .system(error) = self { return error.isNoSuchFile }
        return false
    }
}

/// This process.
public enum CurrentProcess {
    public static var id: Int32 { getpid() }
}
