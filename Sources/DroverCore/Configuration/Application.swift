/// Everything a command needs to know about the app: its Procfile, root, environment and plan.
public struct Application: Equatable, Sendable {
    /// The Procfile path as the user wrote it (or the default), for messages.
    public var procfilePath: String
    /// nil only for `drover run` when no Procfile exists and none was asked for.
    public var procfile: Procfile?
    /// Absolute directory the processes run in: `-d`, else the Procfile's directory.
    public var root: String
    /// The inherited environment with the env files applied on top, in order.
    public var environment: EnvironmentVariables
    /// What the env files alone set (each name's last value and where it was set), in
    /// the order names first appear: what an export carries, without the developer's
    /// own environment.
    public var fileVariables: [SourcedVariable] = []
    public var basePort: Int
    public var formation: Formation?
    /// The instances the formation plans, types in Procfile order.
    public var instances: [PlannedInstance]
    /// How long a drain waits after SIGTERM before SIGKILL (`-t`).
    public var timeoutMilliseconds: Int
    /// `--color`, `--no-timestamp`, `--no-prefix`.
    public var logging: LogOptions
    /// The control socket: `-s`, else `DROVER_SOCKET`, else `.drover.sock` in the root.
    public var socketPath: String
    /// Restart policy and can-die of each Procfile type (`-r`, `--can-die`, `[TYPE]` sections).
    public var typeSettings: [String: ProcessTypeSettings] = [:]
    /// How long a run may take to pass its readiness probe (`--ready-timeout`; 0: no limit).
    public var readyTimeoutMilliseconds = Application.defaultReadyTimeoutMilliseconds
    /// Where `--listen` sockets are bound.
    public var listenAddress = IPv4Address.loopback
    /// `--watch-ignore`, `--watch-debounce` (which types are watched is in `typeSettings`).
    public var watch = WatchOptions()
    public static let defaultReadyTimeoutMilliseconds = 60_000

    /// Each type's `--after` dependencies.
    public var dependencies: [String: [String]] { typeSettings.mapValues(\.after) }

    /// A type's settings; the defaults for one the Procfile does not have.
    public func settings(for type: String) -> ProcessTypeSettings {
        typeSettings[type] ?? ProcessTypeSettings()
    }

    /// The environment instance `instance` runs with: the app's, plus its `PORT` and `PS`.
    public func environment(for instance: PlannedInstance) -> EnvironmentVariables {
        var variables = environment
        variables.merge(instance.ownVariables)
        return variables
    }
}

/// What an application is loaded for.
public enum LoadPurpose: Equatable, Sendable {
    /// `start`, `run`, `check`: on this machine, in its environment.
    case running
    /// `export`: for another machine. A type nothing gives a policy restarts always
    /// (foreman's exports do), and env files may not take values from drover's own
    /// environment (`$HOME`, `$PATH`...), which the files would carry away.
    case exporting
}

/// A variable an env file set, and where: so a rule about it (an export's format
/// that cannot hold it) can name the file and line.
public struct SourcedVariable: Equatable, Sendable {
    public var variable: EnvironmentVariable
    public var file: String
    public var line: Int

    public init(_ variable: EnvironmentVariable, file: String, line: Int) {
        self.variable = variable
        self.file = file
        self.line = line
    }

    public var name: String { variable.name }
    public var value: ByteString { variable.value }
    /// `.env:3`, for messages.
    public var location: String { "\(file):\(line)" }
}

/// What reading a file gave.
public enum FileReadResult: Equatable, Sendable {
    /// The bytes as they are (a byte-order mark already skipped): the parsers read bytes.
    case contents([UInt8])
    case missing
    /// Could not be read for another reason (permission, a directory...), in words.
    case failed(String)
}

extension FileReadResult {
    /// The largest Procfile, env or defaults file drover reads (16 MiB): far above any
    /// real one, and low enough that `-f /dev/zero`-like input cannot exhaust memory.
    public static let maximumBytes = 16_777_216
}

/// Builds an `Application` from options and files, collecting every problem found.
///
/// Pure: the file system and the inherited environment are handed in, so every
/// rule (default paths, precedence, PORT base) is tested without touching disk.
public struct ApplicationLoader {
    public static let defaultTimeoutMilliseconds = 5_000

    public var workingDirectory: String
    public var inherited: EnvironmentVariables
    public var readFile: (String) -> FileReadResult
    /// Whether a path is an existing directory: `-d` must name one. Tests that do not
    /// ask about it leave the default.
    public var isDirectory: (String) -> Bool
    /// Why a path `--watch` names cannot be watched (`does not exist`); nil when it can.
    public var pathProblem: (String) -> String?

    public init(
        workingDirectory: String, inherited: EnvironmentVariables,
        isDirectory: @escaping (String) -> Bool = { _ in true }, pathProblem: @escaping (String) -> String? = { _ in nil },
        readFile: @escaping (String) -> FileReadResult
    ) {
        self.workingDirectory = workingDirectory
        self.inherited = inherited
        self.isDirectory = isDirectory
        self.pathProblem = pathProblem
        self.readFile = readFile
    }

    /// - Parameters:
    ///   - selected: types named on the command line (`start web`), validated against the Procfile.
    ///   - requireProcfile: false for `run`, which works without a Procfile unless `-f` names one.
    ///   - purpose: what the application is loaded for (see `LoadPurpose`).
    public func load(
        _ options: LaunchOptions, selected: [String] = [], requireProcfile: Bool = true,
        purpose: LoadPurpose = .running
    ) -> Result<Application, Diagnostics> {
        var errors: [Diagnostic] = []

        let rootText = options[.root]?.text
        let procfilePath = options[.procfile]?.text ?? rootText.map { FilePath.join($0, "Procfile") } ?? "Procfile"
        let rootDisplay = rootText ?? FilePath.directory(of: procfilePath)
        let root = FilePath.absolute(rootDisplay, from: workingDirectory)

        // start would fail every spawn in a root that is not there: check says so first.
        if let value = options[.root], !isDirectory(root) {
            errors.append(value.invalid("no such directory", option: .root))
        }
        let procfile = loadProcfile(
            procfilePath, required: requireProcfile || options[.procfile] != nil, errors: &errors)
        let (environment, fileVariables, portAssignment) = loadEnvironment(
            options[.env], rootDisplay: rootDisplay, purpose: purpose, errors: &errors)
        let basePort = resolveBasePort(options[.port], fromFiles: portAssignment, errors: &errors)

        var spec: FormationSpec?
        if let value = options[.formation] {
            do { spec = try FormationSpec.parse(value.text) } catch { errors.append(value.invalid(error.reason, option: .formation)) }
        }
        let timeout = Self.seconds(
            options, .timeout, default: Self.defaultTimeoutMilliseconds, example: "5 or 0.5", errors: &errors)

        let logging = resolveLogging(options, errors: &errors)
        let socketPath = ControlSocketPath.resolve(options, inherited: inherited)
        if socketPath.utf8.count > ControlSocketPath.maximumLength {
            errors.append(
                Diagnostic(
                    "control socket path \"\(socketPath)\" is longer than \(ControlSocketPath.maximumLength) bytes; choose a shorter one with -s"
                ))
        }

        var typeSettings: [String: ProcessTypeSettings] = [:]
        if let procfile {
            typeSettings = resolveTypeSettings(
                options, procfile: procfile, defaultRestart: purpose == .exporting ? .always : .no, errors: &errors)
        }

        var formation: Formation?
        var instances: [PlannedInstance] = []
        if let procfile, errors.isEmpty {
            do {
                let resolved = try Formation.resolve(procfile: procfile, spec: spec, selected: selected)
                formation = resolved
            } catch {
                // Names typed on the command line are usage errors; a bad .drover is an input error.
                let typed = !selected.isEmpty || options[.formation]?.isFromCommandLine ?? false
                errors.append(Diagnostic(error.reason, kind: typed ? .usage : .input))
            }
            if let formation {
                do {
                    instances = try PortPlan.instances(procfile: procfile, formation: formation, basePort: basePort)
                } catch {
                    errors.append(Diagnostic(error.reason))
                }
                // Only counts from -m (or formation= in a defaults file) run a type past its 100 ports.
                if let collision = PortPlan.collision(in: instances) {
                    errors.append(
                        options[.formation]?.invalid(collision.reason, option: .formation) ?? Diagnostic(collision.reason))
                }
            }
        }

        // What the processes get: an export carries the files' variables alone.
        let carried = purpose == .exporting ? EnvironmentVariables(fileVariables.map(\.variable)) : environment
        if errors.isEmpty, let problem = ExecLimits.totalProblem(environment: carried, instances: instances) {
            errors.append(Diagnostic(problem))
        }

        let readyTimeout = Self.seconds(
            options, .readyTimeout, default: Application.defaultReadyTimeoutMilliseconds, example: "60 (0: no limit)",
            errors: &errors)
        var listenAddress = IPv4Address.loopback
        if let value = options[.listenAddress] {
            if let address = IPv4Address.parse(value.text) {
                listenAddress = address
            } else {
                errors.append(value.invalid("must be an IPv4 address such as 127.0.0.1 or 0.0.0.0", option: .listenAddress))
            }
        }

        let watch = resolveWatchOptions(options, errors: &errors)
        if purpose == .running, let procfile {
            checkWatchTargets(procfile.names.compactMap { typeSettings[$0] }, root: root, errors: &errors)
        }

        guard errors.isEmpty else { return .failure(Diagnostics(errors)) }
        var application = Application(
            procfilePath: procfilePath, procfile: procfile, root: root, environment: environment,
            fileVariables: fileVariables, basePort: basePort, formation: formation, instances: instances,
            timeoutMilliseconds: timeout, logging: logging, socketPath: socketPath, typeSettings: typeSettings)
        application.readyTimeoutMilliseconds = readyTimeout
        application.listenAddress = listenAddress
        application.watch = watch
        return .success(application)
    }

    /// A duration option in milliseconds, or its default.
    static func seconds(
        _ options: LaunchOptions, _ option: LaunchOption, default fallback: Int, example: String, errors: inout [Diagnostic]
    ) -> Int {
        guard let value = options[option] else { return fallback }
        guard let milliseconds = Seconds.milliseconds(value.text) else {
            errors.append(value.invalid("must be a number of seconds such as \(example)", option: option))
            return fallback
        }
        return milliseconds
    }

    private func resolveLogging(_ options: LaunchOptions, errors: inout [Diagnostic]) -> LogOptions {
        var logging = LogOptions()
        if let value = options[.color] {
            do { logging.color = try ColorChoice(value) } catch { errors.append(error) }
        }
        if let value = options[.logFormat] {
            do { logging.format = try LogFormat(value) } catch { errors.append(error) }
        }
        for option in [LaunchOption.noTimestamp, .noPrefix] {
            guard let value = options[option] else { continue }
            guard let on = Switch.parse(value.text) else {
                errors.append(value.invalid("must be true or false", option: option))
                continue
            }
            if option == .noTimestamp { logging.timestamps = !on } else { logging.prefixes = !on }
        }
        return logging
    }

    private func loadProcfile(_ path: String, required: Bool, errors: inout [Diagnostic]) -> Procfile? {
        switch readFile(path) {
        case .missing:
            if required { errors.append(Diagnostic(ProcfileError.unreadable(file: path, reason: "no such file").description)) }
            return nil
        case let .failed(reason):
            errors.append(Diagnostic(ProcfileError.unreadable(file: path, reason: reason).description))
            return nil
        case let .contents(text):
            switch Procfile.parse(text, file: path) {
            case let .success(procfile):
                let tooLong = procfile.entries.compactMap { entry in
                    ExecLimits.problem(withCommand: entry.command).map { Diagnostic("\(path):\(entry.line): \($0)") }
                }
                errors += tooLong
                return tooLong.isEmpty ? procfile : nil
            case let .failure(found):
                errors.append(contentsOf: found.errors.map { Diagnostic($0.description) })
                return nil
            }
        }
    }

    /// Applies the env files in order; returns the environment, what the files alone
    /// set, and the last `PORT` they assign.
    private func loadEnvironment(
        _ option: OptionValue?, rootDisplay: String, purpose: LoadPurpose, errors: inout [Diagnostic]
    ) -> (EnvironmentVariables, [SourcedVariable], (file: String, assignment: DotEnvAssignment)?) {
        var files: [String] = []
        if let option {
            for item in option.text.split(separator: ",", omittingEmptySubsequences: false) {
                let path = item.trimmingBlanks()
                if path.isEmpty {
                    errors.append(option.invalid("empty file name in the list", option: .env))
                } else {
                    files.append(String(path))
                }
            }
        }
        let explicit = option != nil
        if !explicit { files = [FilePath.join(rootDisplay, ".env")] }

        var fromFiles = EnvironmentVariables()
        var origins: [String: (file: String, line: Int)] = [:]
        var port: (file: String, assignment: DotEnvAssignment)?
        for file in files {
            switch readFile(file) {
            case .missing:
                if explicit { errors.append(Diagnostic(DotEnvError.unreadable(file: file, reason: "no such file").description)) }
            case let .failed(reason):
                errors.append(Diagnostic(DotEnvError.unreadable(file: file, reason: reason).description))
            case let .contents(text):
                // An export is for another machine: this one's environment must not leak into it.
                let inherited = purpose == .exporting ? EnvironmentVariables() : self.inherited
                let parsed = DotEnv.parse(
                    text, file: file, earlier: fromFiles, inherited: { inherited[$0] },
                    refusingUnset: purpose == .exporting)
                switch parsed {
                case let .success(assignments):
                    for assignment in assignments {
                        if let problem = ExecLimits.problem(with: assignment.variable) {
                            errors.append(Diagnostic("\(file):\(assignment.line): \(problem)"))
                        }
                    }
                    fromFiles.merge(assignments.map(\.variable))
                    for assignment in assignments { origins[assignment.name] = (file, assignment.line) }
                    if let last = assignments.last(where: { $0.name == "PORT" }) { port = (file, last) }
                case let .failure(found):
                    errors.append(contentsOf: found.errors.map { Diagnostic($0.description) })
                }
            }
        }
        var environment = inherited
        environment.merge(fromFiles)
        // In the order names first appear, each with its last value: `EnvironmentVariables`' own order.
        let sourced = fromFiles.map { variable in
            SourcedVariable(variable, file: origins[variable.name]?.file ?? "", line: origins[variable.name]?.line ?? 0)
        }
        return (environment, sourced, port)
    }

    /// `-p`, else `PORT` from the env files, else the inherited `PORT`, else 5000.
    private func resolveBasePort(
        _ option: OptionValue?, fromFiles: (file: String, assignment: DotEnvAssignment)?, errors: inout [Diagnostic]
    ) -> Int {
        let rule = "must be a port number from 1 to \(PortPlan.highestPort)"
        if let option {
            if let port = Self.port(option.text) { return port }
            errors.append(option.invalid(rule, option: .port))
        } else if let (file, assignment) = fromFiles {
            if let port = Self.port(assignment.value.description) { return port }
            errors.append(Diagnostic("\(file):\(assignment.line): PORT \(rule), got \"\(assignment.value)\""))
        } else if let text = inherited["PORT"]?.description {
            if let port = Self.port(text) { return port }
            errors.append(Diagnostic("PORT in the environment \(rule), got \"\(text)\""))
        }
        return PortPlan.defaultBase
    }

    private static func port(_ text: String) -> Int? {
        guard let port = WholeNumber.parse(text.trimmingBlanks()), (1...PortPlan.highestPort).contains(port) else {
            return nil
        }
        return port
    }
}

/// Durations written in seconds, such as `5`, `0.5` or `2.25`.
public enum Seconds {
    /// `5s`, `0.5s`, `2.25s`: milliseconds as people write them.
    public static func text(milliseconds: Int) -> String {
        let whole = milliseconds / 1000
        var fraction = milliseconds % 1000
        guard fraction > 0 else { return "\(whole)s" }
        var digits = 3
        while fraction % 10 == 0 {
            fraction /= 10
            digits -= 1
        }
        let padded = String(repeating: "0", count: digits - String(fraction).count) + String(fraction)
        return "\(whole).\(padded)s"
    }

    /// Milliseconds, or nil for anything but a plain non-negative decimal up to a day.
    public static func milliseconds(_ text: String) -> Int? {
        let parts = text.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        guard let whole = WholeNumber.parse(parts[0]), whole <= 86_400 else { return nil }
        var milliseconds = whole * 1000
        if parts.count == 2 {
            let fraction = parts[1]
            guard (1...3).contains(fraction.count), let digits = WholeNumber.parse(fraction) else { return nil }
            var scaled = digits
            for _ in fraction.count..<3 { scaled *= 10 }
            milliseconds += scaled
        }
        return milliseconds
    }
}

/// How `start` shows the log stream.
public struct LogOptions: Equatable, Sendable {
    public var color: ColorChoice = .auto
    public var timestamps = true
    public var prefixes = true
    public var format = LogFormat.text

    public init() {}
}

/// `true`/`false` (also yes/no, 1/0) in a defaults file.
public enum Switch {
    public static func parse(_ text: String) -> Bool? {
        switch text.lowercased() {
        case "true", "yes", "1", "on": true
        case "false", "no", "0", "off": false
        default: nil
        }
    }
}

/// Where the control socket lives; clients and the daemon resolve it the same way.
public enum ControlSocketPath {
    /// `sun_path` holds 108 bytes with its terminating NUL.
    public static let maximumLength = 107

    /// `-s`/`socket=`, else `DROVER_SOCKET`, else `.drover.sock` in the root (`-d`, else
    /// the Procfile's directory). Relative paths stay relative: shorter for `sun_path`.
    public static func resolve(_ options: LaunchOptions, inherited: EnvironmentVariables) -> String {
        if let socket = options[.socket]?.text { return socket }
        if let socket = inherited["DROVER_SOCKET"]?.description, !socket.isEmpty { return socket }
        let root = options[.root]?.text ?? FilePath.directory(of: options[.procfile]?.text ?? "Procfile")
        return FilePath.join(root, ".drover.sock")
    }
}
