import DroverCore
import DroverSystem

/// How `drover start` wants its formation run; `Supervisor.run` sets up the rest
/// (signals, descriptor limit, control socket, output, guardian).
public struct FormationLaunch: Sendable {
    public enum Mode: Sendable {
        /// The log stream on stdout; a missing control socket is only a warning.
        case foreground
        /// Started by `--daemon`: output only to `logFile` (and `logs`), and a socket is required.
        case daemon(logFile: String?)
    }

    public var application: Application
    public var procfile: Procfile
    public var mode: Mode
    /// The environment drover was started with: TERM and NO_COLOR decide colors.
    public var inherited: EnvironmentVariables
    /// Why there may be no control socket (its lock could not be made): the
    /// foreground formation then runs without one.
    public var socketProblem: String?
    /// The shell that runs each command with `-c`.
    public var shell = "/bin/sh"
    /// Called once every instance is ready (spawned, and past its readiness probe), with where the log stream goes
    /// (the daemon reports readiness here and detaches its stdout).
    public var onStarted: (@Sendable (FileDescriptor?) -> Void)?
    /// Called instead when the formation stops before every instance was ready, with why.
    public var onStartFailed: (@Sendable (String) -> Void)?

    public init(application: Application, procfile: Procfile, mode: Mode, inherited: EnvironmentVariables) {
        self.application = application
        self.procfile = procfile
        self.mode = mode
        self.inherited = inherited
    }
}

/// What keeps a formation from starting, in one line for the user.
public struct LaunchError: Error, Sendable, CustomStringConvertible {
    public var description: String

    init(_ description: String) {
        self.description = description
    }
}
