import DroverCore

/// What an export carries: the formation as `start` would run it, with the
/// settings only exports have. Built once; every format reads the same values.
public struct ExportFormation: Equatable, Sendable {
    /// Names every unit, program, service and object (`-a`).
    public var app: String
    /// Absolute directory the processes run in.
    public var root: String
    /// `-u` (or `user=`): who the processes run as. Settings keep where they were
    /// given, so an error about one names the flag or the defaults file's line.
    public var user: OptionValue?
    /// `-l` (or `log=`): a directory for log files, made absolute.
    public var logDirectory: OptionValue?
    /// `--image` (or `image=`): the container image.
    public var image: OptionValue?
    /// `-t`: the grace between SIGTERM and SIGKILL.
    public var stopTimeoutMilliseconds: Int
    /// The env files' variables (never the developer's own environment), with where
    /// each was set, so a value a format cannot hold is reported at its line.
    public var variables: [SourcedVariable]
    /// The types with at least one instance, in Procfile order.
    public var types: [ExportedType]

    public init(
        app: String, root: String, user: OptionValue? = nil, logDirectory: OptionValue? = nil,
        image: OptionValue? = nil, stopTimeoutMilliseconds: Int, variables: [SourcedVariable], types: [ExportedType]
    ) {
        self.app = app
        self.root = root
        self.user = user
        self.logDirectory = logDirectory
        self.image = image
        self.stopTimeoutMilliseconds = stopTimeoutMilliseconds
        self.variables = variables
        self.types = types
    }

    /// The application's formation (types with a count of 0 left out) with the export
    /// settings of `options`, the command line's over the defaults file's; a bad app
    /// name is an error at the flag or line that gave it.
    public static func resolve(
        _ application: Application, options: LaunchOptions, workingDirectory: String
    ) throws(Diagnostics) -> ExportFormation {
        var app = AppName.derived(fromRoot: application.root)
        if let given = options[.app] {
            if let problem = AppName.problem(with: given.text) {
                throw Diagnostics([given.invalid(problem, option: .app)])
            }
            app = given.text
        }
        var logDirectory = options[.logDirectory]
        // FilePath.absolute would make "" the current directory: an empty one stays
        // empty, for the formats that write logs to refuse.
        if let given = logDirectory, !given.text.isEmpty {
            logDirectory?.text = FilePath.absolute(given.text, from: workingDirectory)
        }

        var byType: [String: [PlannedInstance]] = [:]
        for instance in application.instances { byType[instance.type, default: []].append(instance) }
        let types = (application.procfile?.entries ?? []).compactMap { entry -> ExportedType? in
            guard let instances = byType[entry.name], !instances.isEmpty else { return nil }
            return ExportedType(
                name: entry.name, command: entry.command, commandLocation: "\(application.procfilePath):\(entry.line)",
                settings: application.settings(for: entry.name), instances: instances)
        }
        return ExportFormation(
            app: app, root: application.root, user: options[.user], logDirectory: logDirectory,
            image: options[.image], stopTimeoutMilliseconds: application.timeoutMilliseconds,
            variables: application.fileVariables, types: types)
    }

    /// Everything instance `instance` runs with: the env files' variables, then its
    /// `PORT` and `PS` (replacing a `PORT` the files set, in place, as under `start`).
    public func environment(of instance: PlannedInstance) -> [EnvironmentVariable] {
        var environment = EnvironmentVariables(variables.map(\.variable))
        environment.merge(instance.ownVariables)
        return Array(environment)
    }

    /// `APP-TYPE-N`: supervisord's program, runit's service directory, launchd's label.
    public func instanceName(_ instance: PlannedInstance) -> String { "\(app)-\(instance.type)-\(instance.number)" }

    /// The stop timeout for formats that count whole seconds.
    public var stopTimeoutSeconds: Int { Seconds.roundedUp(milliseconds: stopTimeoutMilliseconds) }
}

/// One process type of an export, with its instances.
public struct ExportedType: Equatable, Sendable {
    public var name: String
    /// The command as the Procfile has it.
    public var command: ByteString
    /// `Procfile:2`, for messages about the command.
    public var commandLocation: String
    public var settings: ProcessTypeSettings
    /// Numbered from 1, each with its PORT; a type without any is left out of an export.
    public var instances: [PlannedInstance]

    public init(
        name: String, command: ByteString, commandLocation: String, settings: ProcessTypeSettings,
        instances: [PlannedInstance]
    ) {
        self.name = name
        self.command = command
        self.commandLocation = commandLocation
        self.settings = settings
        self.instances = instances
    }

    /// What `/bin/sh -c` is given, exactly as `start` gives it: with `exec` in front of
    /// the program where the command allows, so the init system signals the program.
    public var script: ByteString { ByteString(ShellCommand.script(for: command.bytes)) }

    /// The first instance's PORT: what formats that run every instance alike give all.
    public var port: Int { instances.first?.port ?? 0 }

    /// Whether the command reads `$PORT` (or `${PORT}`): such a type serves on it, and
    /// container formats publish it.
    public var takesPort: Bool { ShellCommand.references("PORT", in: command.bytes) }

    /// drover's restart limit as a count: its 0 ("never give up") as the largest a
    /// 32-bit field (supervisord's `startretries`, a Job's `backoffLimit`) holds.
    public var restartLimitCount: Int { settings.backoff.limit == 0 ? Int(Int32.max) : settings.backoff.limit }
}

extension Seconds {
    /// Milliseconds as whole seconds, rounded up: 7.5 s waits 8, never 7.
    public static func roundedUp(milliseconds: Int) -> Int { (milliseconds + 999) / 1000 }
}
