import DroverCore
import DroverSystem

/// Everything the supervisor needs to run a formation, decided before it starts.
public struct SupervisorConfiguration: Sendable {
    public var application: Application
    /// The Procfile; `start` refuses to run without one.
    public var procfile: Procfile
    public var style: LogStyle
    /// The listening control socket and its path (removed on the way out), if any.
    public var control: (listener: FileDescriptor, path: String)?
    /// Where the log stream goes: drover's stdout, a `--log` file, or nowhere (a daemon without one).
    public var output: FileDescriptor?
    /// The shell that runs each command with `-c`.
    public var shell: String = "/bin/sh"
    /// A system line to show before anything starts (a degraded start, say).
    public var startupNotice: String?
    /// Called once every instance has been spawned (the daemon reports readiness here).
    public var onStarted: (@Sendable () -> Void)?

    public init(application: Application, procfile: Procfile, style: LogStyle) {
        self.application = application
        self.procfile = procfile
        self.style = style
        output = .standardOutput
    }
}
