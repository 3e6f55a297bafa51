import CDroverShims
import DroverCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Starting a child with `posix_spawn`, the only way drover starts processes.
public enum Spawn {
    /// Where one of the child's standard descriptors points.
    public enum Stream: Sendable {
        /// The same as drover's.
        case inherit
        case nullDevice
        /// Duplicated from one of drover's descriptors.
        case descriptor(FileDescriptor)
        /// Opened in the child, created or truncated (for test harnesses and logs).
        case file(String)
    }

    /// Which process group or session the child starts in.
    public enum Grouping: Sendable {
        /// drover's own.
        case inherit
        /// A new group led by the child, so the whole tree can be signalled at once.
        case newProcessGroup
        /// A new session (and group), detached from drover's terminal.
        case newSession
    }

    public struct Request: Sendable {
        public var path: String
        public var arguments: CStringArray
        public var environment: CStringArray
        public var workingDirectory: String?
        public var standardInput: Stream = .nullDevice
        public var standardOutput: Stream = .inherit
        public var standardError: Stream = .inherit
        public var grouping: Grouping = .newProcessGroup
        /// The child's descriptor limit, when it should differ from drover's.
        public var fileLimit: ResourceLimits.FileLimit?
        /// A terminal's path (a pseudo-terminal's slave): when set, the child starts a
        /// new session and opens it as stdin, stdout and stderr, so it becomes the
        /// child's controlling terminal; the streams and `grouping` are not used.
        public var terminal: String?
        /// A descriptor the child gets as fd 3 (a listening socket, for socket activation).
        public var descriptor3: FileDescriptor?

        public init(path: String, arguments: CStringArray, environment: CStringArray, workingDirectory: String? = nil) {
            self.path = path
            self.arguments = arguments
            self.environment = environment
            self.workingDirectory = workingDirectory
        }

        public init(path: String, arguments: [String], environment: [String], workingDirectory: String? = nil) {
            self.init(
                path: path, arguments: CStringArray(arguments), environment: CStringArray(environment),
                workingDirectory: workingDirectory)
        }
    }

    /// Spawns the child with its signal mask emptied and every disposition reset, so it
    /// does not inherit drover's blocked signals or ignored SIGPIPE; descriptors above 2
    /// are closed in it. Returns the child's pid.
    public static func run(_ request: Request) throws(SystemError) -> Int32 {
        var actions = posix_spawn_file_actions_t()
        var attributes = posix_spawnattr_t()
        posix_spawn_file_actions_init(&actions)
        posix_spawnattr_init(&attributes)
        defer {
            posix_spawn_file_actions_destroy(&actions)
            posix_spawnattr_destroy(&attributes)
        }

        if let terminal = request.terminal {
            // glibc runs setsid before the file actions: the first terminal the new
            // session leader opens without O_NOCTTY becomes its controlling terminal.
            try check("posix_spawn_file_actions", posix_spawn_file_actions_addopen(&actions, 0, terminal, O_RDWR, 0))
            try check("posix_spawn_file_actions", posix_spawn_file_actions_adddup2(&actions, 0, 1))
            try check("posix_spawn_file_actions", posix_spawn_file_actions_adddup2(&actions, 0, 2))
        } else {
            try check("posix_spawn_file_actions", addStream(request.standardInput, to: 0, readOnly: true, &actions))
            try check("posix_spawn_file_actions", addStream(request.standardOutput, to: 1, readOnly: false, &actions))
            try check("posix_spawn_file_actions", addStream(request.standardError, to: 2, readOnly: false, &actions))
        }
        if let passed = request.descriptor3 {
            try check("posix_spawn_file_actions", posix_spawn_file_actions_adddup2(&actions, passed.rawValue, 3))
        }
        try check(
            "posix_spawn_file_actions_addclosefrom_np", cdrover_spawn_addclosefrom(&actions, request.descriptor3 == nil ? 3 : 4))
        if let directory = request.workingDirectory {
            try check("posix_spawn_file_actions_addchdir_np", cdrover_spawn_addchdir(&actions, directory))
        }

        var flags = Int32(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF)
        switch request.terminal == nil ? request.grouping : .newSession {
        case .inherit: break
        case .newProcessGroup:
            flags |= Int32(POSIX_SPAWN_SETPGROUP)
            try check("posix_spawnattr_setpgroup", posix_spawnattr_setpgroup(&attributes, 0))
        case .newSession:
            flags |= Int32(cdrover_spawn_setsid_flag())
        }
        var emptySet = sigset_t()
        sigemptyset(&emptySet)
        try check("posix_spawnattr_setsigmask", posix_spawnattr_setsigmask(&attributes, &emptySet))
        var allSignals = sigset_t()
        sigfillset(&allSignals)
        try check("posix_spawnattr_setsigdefault", posix_spawnattr_setsigdefault(&attributes, &allSignals))
        try check("posix_spawnattr_setflags", posix_spawnattr_setflags(&attributes, Int16(flags)))

        // posix_spawn cannot set a child's limits, but the child copies the parent's
        // when it is cloned: lower drover's own for the call (one thread, so no other
        // descriptor is opened meanwhile), then put it back.
        var restoreLimit: ResourceLimits.FileLimit?
        if let wanted = request.fileLimit {
            let current = try ResourceLimits.fileLimit()
            if current != wanted {
                try ResourceLimits.setFileLimit(wanted)
                restoreLimit = current
            }
        }
        defer { if let restoreLimit { try? ResourceLimits.setFileLimit(restoreLimit) } }
        var pid: pid_t = 0
        let result = request.arguments.withUnsafePointer { argv in
            request.environment.withUnsafePointer { envp in
                posix_spawn(&pid, request.path, &actions, &attributes, argv, envp)
            }
        }
        try check("posix_spawn", result)
        return pid
    }

    private static func addStream(
        _ stream: Stream, to target: Int32, readOnly: Bool, _ actions: inout posix_spawn_file_actions_t
    ) -> Int32 {
        switch stream {
        case .inherit:
            return 0
        case .nullDevice:
            return posix_spawn_file_actions_addopen(&actions, target, "/dev/null", readOnly ? O_RDONLY : O_WRONLY, 0)
        case let .descriptor(descriptor):
            return posix_spawn_file_actions_adddup2(&actions, descriptor.rawValue, target)
        case let .file(path):
            return posix_spawn_file_actions_addopen(&actions, target, path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        }
    }

    /// The spawn family returns the error number instead of setting errno.
    private static func check(_ call: String, _ result: Int32) throws(SystemError) {
        if result != 0 { throw SystemError(call, code: result) }
    }
}

extension Spawn {
    /// Which of the child's streams `runReading` puts on the pipe; stderr otherwise
    /// goes where the request says.
    public enum Capture: Sendable {
        case standardOutput
        case standardOutputAndError
    }

    /// Spawns `request` with its stdout (and stderr) on a fresh pipe, and returns the
    /// child's pid and the pipe's read end; no descriptor is left open if it fails.
    public static func runReading(
        _ request: Request, _ capture: Capture, nonblockingReadEnd: Bool = false
    ) throws(SystemError) -> (pid: Int32, output: FileDescriptor) {
        let pipe = try Pipe.make(nonblockingReadEnd: nonblockingReadEnd)
        var request = request
        request.standardOutput = .descriptor(pipe.writeEnd)
        if capture == .standardOutputAndError { request.standardError = .descriptor(pipe.writeEnd) }
        defer { pipe.writeEnd.close() }
        do throws(SystemError) {
            return (try run(request), pipe.readEnd)
        } catch {
            pipe.readEnd.close()
            throw error
        }
    }
}
