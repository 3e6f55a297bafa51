import DroverCore

/// What an export carries: the formation as `start` would run it, with the
/// settings only exports have. Built once; every format reads the same values.
public struct ExportFormation: Equatable, Sendable {
    /// Names every unit, program, service and object (`-a`).
    public var app: String
    /// Absolute directory the processes run in.
    public var root: String
    /// `-u`: who the processes run as, where the format has a user.
    public var user: String?
    /// `-l`: an absolute directory for log files, where the format writes them.
    public var logDirectory: String?
    /// `--image`: the container image (Kubernetes, Compose).
    public var image: String?
    /// `-t`: the grace between SIGTERM and SIGKILL.
    public var stopTimeoutMilliseconds: Int
    /// The env files' variables (never the developer's own environment), with where
    /// each was set, so a value a format cannot hold is reported at its line.
    public var variables: [SourcedVariable]
    /// The types with at least one instance, in Procfile order.
    public var types: [ExportedType]

    public init(
        app: String, root: String, user: String? = nil, logDirectory: String? = nil, image: String? = nil,
        stopTimeoutMilliseconds: Int, variables: [SourcedVariable], types: [ExportedType]
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

    /// The application's formation: types with a count of 0 are left out.
    public init(
        application: Application, app: String, user: String? = nil, logDirectory: String? = nil,
        image: String? = nil
    ) {
        var byType: [String: [PlannedInstance]] = [:]
        for instance in application.instances { byType[instance.type, default: []].append(instance) }
        let types = (application.procfile?.entries ?? []).enumerated().compactMap { index, entry -> ExportedType? in
            guard let instances = byType[entry.name], !instances.isEmpty else { return nil }
            return ExportedType(
                name: entry.name, entryIndex: index, command: entry.command,
                commandLocation: "\(application.procfilePath):\(entry.line)",
                settings: application.settings(for: entry.name), instances: instances)
        }
        self.init(
            app: app, root: application.root, user: user, logDirectory: logDirectory, image: image,
            stopTimeoutMilliseconds: application.timeoutMilliseconds, variables: application.fileVariables,
            types: types)
    }

    /// Everything instance `instance` runs with: the env files' variables, then its
    /// `PORT` and `PS` (replacing a `PORT` the files set, in place, as under `start`).
    public func environment(of instance: PlannedInstance) -> [EnvironmentVariable] {
        var environment = EnvironmentVariables(variables.map(\.variable))
        environment.merge(instance.ownVariables)
        return Array(environment)
    }

    /// The stop timeout in whole seconds, rounded up, for formats that count in seconds.
    public var stopTimeoutSeconds: Int { (stopTimeoutMilliseconds + 999) / 1000 }
}

/// One process type of an export, with its instances.
public struct ExportedType: Equatable, Sendable {
    public var name: String
    /// Position in the Procfile: decides the PORT block.
    public var entryIndex: Int
    /// The command as the Procfile has it.
    public var command: ByteString
    /// `Procfile:2`, for messages about the command.
    public var commandLocation: String
    public var settings: ProcessTypeSettings
    /// Numbered from 1, each with its PORT; never empty.
    public var instances: [PlannedInstance]

    public init(
        name: String, entryIndex: Int, command: ByteString, commandLocation: String,
        settings: ProcessTypeSettings, instances: [PlannedInstance]
    ) {
        self.name = name
        self.entryIndex = entryIndex
        self.command = command
        self.commandLocation = commandLocation
        self.settings = settings
        self.instances = instances
    }

    /// What `/bin/sh -c` is given, exactly as `start` gives it: with `exec` in front of
    /// the program where the command allows, so the init system signals the program.
    public var script: ByteString { ByteString(ShellCommand.script(for: command.bytes)) }

    /// The first instance's PORT: what formats that run every instance alike give all.
    public var port: Int { instances[0].port }

    /// Whether the command reads `$PORT` (or `${PORT}`): such a type serves on it, and
    /// container formats publish it.
    public var takesPort: Bool { ShellCommand.references("PORT", in: command.bytes) }
}
