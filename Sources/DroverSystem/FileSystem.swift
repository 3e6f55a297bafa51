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
        var contents: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                return .failure(.last("read"))
            }
            if count == 0 { return .success(contents) }
            contents.append(contentsOf: chunk[0..<count])
        }
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
