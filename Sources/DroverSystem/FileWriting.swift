#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import DroverCore

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

    /// `mkdir -p`: every missing directory of `path`.
    public static func makeDirectories(_ path: String) -> Result<Void, SystemError> {
        var prefix = path.hasPrefix("/") ? "/" : ""
        for component in path.split(separator: "/") {
            prefix += component
            if mkdir(prefix, 0o777) != 0 && errno != EEXIST { return .failure(.last("mkdir")) }
            prefix += "/"
        }
        return entryKind(of: path) == .directory ? .success(()) : .failure(SystemError("mkdir", code: ENOTDIR))
    }

    /// Writes `contents` to a temporary file beside `path`, then renames it over `path`:
    /// a reader (an init system reloading) sees the old file or the new, never half.
    public static func replaceFile(
        _ path: String, contents: [UInt8], executable: Bool
    ) -> Result<Void, SystemError> {
        let name = path.split(separator: "/").last.map(String.init) ?? path
        let temporary = FilePath.join(FilePath.directory(of: path), ".drover-export-\(getpid())-\(name)")
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, executable ? 0o777 : 0o666)
        guard descriptor >= 0 else { return .failure(.last("open")) }
        let file = FileDescriptor(rawValue: descriptor)
        do throws(SystemError) {
            try file.writeAll(contents)
            // On disk before it takes the name: after a crash, the old file or the whole new one.
            if fsync(descriptor) != 0 { throw SystemError.last("fsync") }
        } catch {
            file.close()
            unlink(temporary)
            return .failure(error)
        }
        file.close()
        guard rename(temporary, path) == 0 else {
            let error = SystemError.last("rename")
            unlink(temporary)
            return .failure(error)
        }
        return .success(())
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
