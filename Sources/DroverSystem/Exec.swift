#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Replacing this process with another program.
public enum Exec {
    /// How a command name resolves against a PATH, as a shell would see it.
    public enum Resolution: Equatable, Sendable {
        case executable(String)
        /// Found, but a directory or without execute permission (a shell exits 126).
        case notExecutable(String)
        /// Nowhere on the PATH (a shell exits 127).
        case notFound
    }

    /// Looks `command` up like `execvp` would, but in `path` (the child's PATH, not ours).
    ///
    /// A name with a `/` is taken as it is. An empty PATH entry means the current directory.
    public static func resolve(_ command: String, path: String?) -> Resolution {
        if command.contains("/") { return classify(command) ?? .notFound }
        var firstDenied: String?
        let directories = (path ?? "/usr/local/bin:/usr/bin:/bin").split(separator: ":", omittingEmptySubsequences: false)
        for directory in directories {
            let candidate = directory.isEmpty ? command : "\(directory)/\(command)"
            switch classify(candidate) {
            case .executable(let found)?: return .executable(found)
            case .notExecutable(let found)?: if firstDenied == nil { firstDenied = found }
            default: continue
            }
        }
        return firstDenied.map(Resolution.notExecutable) ?? .notFound
    }

    private static func classify(_ candidate: String) -> Resolution? {
        switch FileSystem.kind(of: candidate) {
        case .missing: return nil
        case .file(executable: true): return .executable(candidate)
        case .file(executable: false), .directory, .other: return .notExecutable(candidate)
        }
    }

    /// `execve(2)`: returns only on failure.
    public static func replaceProcess(path: String, arguments: CStringArray, environment: CStringArray) -> SystemError {
        arguments.withUnsafePointer { argv in
            environment.withUnsafePointer { envp in
                _ = execve(path, argv, envp)
                return SystemError.last("execve")
            }
        }
    }
}
