import DroverCore

/// Everything the supervisor needs to run a formation, decided before it starts.
public struct SupervisorConfiguration: Sendable {
    public var instances: [PlannedInstance]
    /// The full environment of each instance, in the order of `instances`.
    public var environments: [[String]]
    /// Absolute directory the processes run in.
    public var root: String
    public var style: LogStyle
    public var timeoutMilliseconds: Int
    /// The shell that runs each command with `-c`.
    public var shell: String = "/bin/sh"

    public init(application: Application, style: LogStyle) {
        instances = application.instances
        environments = application.instances.map { application.environment(for: $0).environStrings }
        root = application.root
        self.style = style
        timeoutMilliseconds = application.timeoutMilliseconds
    }
}
