import CDroverShims
import DroverCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// What `drover export` does to a directory: make it, replace files in it, remove
/// what an earlier export left. Modes are 0666/0777 less the umask, as any tool's.
extension FileSystem {
    /// What `lstat` says an entry is: a link is never followed, so an export never
    /// reads or removes through one.
    public enum EntryKind: Equatable, Sendable {
        case missing
        case directory
        case file
        /// A symbolic link, a FIFO, a device or a socket.
        case other
    }

    public static func entryKind(of path: String) -> EntryKind {
        var status = stat()
        guard lstat(path, &status) == 0 else { return .missing }
        switch status.st_mode & S_IFMT {
        case S_IFDIR: return .directory
        case S_IFREG: return .file
        default: return .other
        }
    }

    /// `mkdir -p`: every missing directory of `path`, which may itself be a link to a
    /// directory (`/var/service` is one on some systems). Returns the directories it
    /// made, outermost first, so a caller that gives up can take them back.
    @discardableResult
    public static func makeDirectories(_ path: String) -> Result<[String], SystemError> {
        // The directory itself first: its parent nearly always exists, so one call.
        if mkdir(path, 0o777) == 0 { return .success([path]) }
        switch errno {
        case EEXIST:
            return kind(of: path) == .directory ? .success([]) : .failure(SystemError("mkdir", code: ENOTDIR))
        case ENOENT:
            let parent = FilePath.directory(of: path)
            guard parent != path, case let .success(made) = makeDirectories(parent) else {
                return .failure(SystemError("mkdir", code: ENOENT))
            }
            if mkdir(path, 0o777) == 0 { return .success(made + [path]) }
            if errno == EEXIST && kind(of: path) == .directory { return .success(made) }
            return .failure(.last("mkdir"))
        default:
            return .failure(.last("mkdir"))
        }
    }

    /// Writes `contents` to `path`, a new file (it must not exist), executable or not.
    /// When it is to replace `replacing`, it takes that file's permissions (a unit
    /// someone made 0600 stays 0600) and, as far as allowed, its owner.
    public static func writeNewFile(
        _ path: String, contents: [UInt8], executable: Bool, replacing existing: String
    ) -> Result<Void, SystemError> {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, executable ? 0o777 : 0o666)
        guard descriptor >= 0 else { return .failure(.last("open")) }
        let file = FileDescriptor(rawValue: descriptor)
        defer { file.close() }
        var status = stat()
        if lstat(existing, &status) == 0, status.st_mode & S_IFMT == S_IFREG {
            let mode = (status.st_mode & 0o7777) | (executable ? 0o100 : 0)
            let created = (executable ? 0o777 : 0o666) & ~Self.creationMask
            if status.st_uid != Self.owner.user || status.st_gid != Self.owner.group {
                _ = fchown(descriptor, status.st_uid, status.st_gid)
            }
            if mode != created { _ = fchmod(descriptor, mode) }
        }
        do throws(SystemError) {
            try file.writeAll(contents)
        } catch {
            unlink(path)
            return .failure(error)
        }
        return .success(())
    }

    /// The umask, read once (setting it back at once): what a new file's mode loses.
    private static let creationMask: mode_t = {
        let mask = umask(0)
        umask(mask)
        return mask
    }()

    /// Who this process writes files as, asked once.
    private static let owner = (user: geteuid(), group: getegid())

    /// `rename(2)`: `path` takes `destination`'s name at once; a reader sees the old
    /// file or the new one, never half of either.
    public static func rename(_ path: String, over destination: String) -> Result<Void, SystemError> {
        #if canImport(Glibc)
            let renamed = Glibc.rename(path, destination)
        #else
            let renamed = Darwin.rename(path, destination)
        #endif
        return renamed == 0 ? .success(()) : .failure(.last("rename"))
    }

    /// What was written on the file system holding `directory`, on its way to disk: once
    /// for many files (an fsync each made a large runit export take minutes), and only
    /// that file system (`syncfs`; `sync` where there is none).
    public static func synchronize(fileSystemOf directory: String) {
        #if os(Linux)
            let descriptor = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
            if descriptor >= 0 {
                defer { FileDescriptor(rawValue: descriptor).close() }
                if cdrover_syncfs(descriptor) == 0 { return }
            }
        #endif
        sync()
    }

    /// `unlink(2)` or `rmdir(2)`, for taking back what a failed write left.
    public static func removeEntry(_ path: String) {
        if unlink(path) != 0 { rmdir(path) }
    }

    /// `rm -r`, without following links: a link inside is removed, not what it names.
    /// An entry that was listed but cannot be found again (a name that is not UTF-8 does
    /// not survive the round trip through a String) is an error, not a silent success.
    public static func removeTree(_ path: String) -> Result<Void, SystemError> {
        if entryKind(of: path) == .directory {
            for name in directoryEntries(path) {
                if case let .failure(error) = removeTree(path + "/" + name) { return .failure(error) }
            }
            return rmdir(path) == 0 ? .success(()) : .failure(.last("rmdir"))
        }
        return unlink(path) == 0 ? .success(()) : .failure(.last("unlink"))
    }

    /// At most `count` bytes from the start of a regular file, links not followed; nil if
    /// it cannot be read.
    public static func readPrefix(_ path: String, count: Int) -> [UInt8]? {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOFOLLOW | O_NOCTTY)
        guard descriptor >= 0 else { return nil }
        defer { FileDescriptor(rawValue: descriptor).close() }
        var status = stat()
        guard fstat(descriptor, &status) == 0, status.st_mode & S_IFMT == S_IFREG else { return nil }
        guard case let .success(bytes) = readToEnd(descriptor, stoppingPast: count) else { return nil }
        return Array(bytes.prefix(count))
    }
}
