import DroverCore
import DroverSystem

/// Spawns one run of an instance: `/bin/sh -c COMMAND` in the root (with the program
/// replacing the shell where `ShellCommand` allows), in its own process group, stdout
/// and stderr on one fresh pipe; or, for a `--tty` type, in its own session with
/// stdin, stdout and stderr on a fresh pseudo-terminal.
struct InstanceLauncher {
    /// What a terminal instance gets for TERM when drover's environment has none.
    static let fallbackTerminalType = "xterm-256color"

    /// Every instance gets `DROVER_RUN`, one value per drover run, so the guardian can
    /// find whatever of the formation escaped its process group.
    static let runVariable = "DROVER_RUN"

    /// Pipe buffers are allocated as they fill, so an idle instance costs nothing extra.
    static let pipeCapacity = 1 << 18

    let shell: String
    let root: String
    /// The application's environment without PORT and PS, built once as C strings:
    /// every instance borrows it and adds its own two, so 5,000 instances neither
    /// hold nor copy 5,000 environments.
    private let baseEnvironment: CStringArray
    /// `sh -c SCRIPT` for each Procfile command, built once per type rather than per instance.
    private let argumentsByCommand: [ByteString: CStringArray]
    /// The descriptor limit children get back (drover raised its own).
    let fileLimit: ResourceLimits.FileLimit?
    /// `TERM=xterm-256color` for terminal instances, when the environment sets no TERM.
    private let terminalType: [UInt8]?

    init(application: Application, shell: String, run: String, fileLimit: ResourceLimits.FileLimit?) {
        self.shell = shell
        root = application.root
        var environment = application.environment
        environment["PORT"] = nil
        environment["PS"] = nil
        environment[Self.runVariable] = ByteString(run)
        baseEnvironment = CStringArray(environment.environEntries)
        terminalType = environment["TERM"] == nil ? Array("TERM=\(Self.fallbackTerminalType)".utf8) : nil
        var arguments: [ByteString: CStringArray] = [:]
        for entry in application.procfile?.entries ?? [] {
            arguments[entry.command] = Self.arguments(shell: shell, command: entry.command)
        }
        argumentsByCommand = arguments
        self.fileLimit = fileLimit
    }

    private static func arguments(shell: String, command: ByteString, listening: Bool = false) -> CStringArray {
        // Where the shell execs the program, `$$` is the program's own pid, as
        // LISTEN_PID must be; where it cannot, it names the shell (docs/readiness.md).
        let prefix = listening ? Array("LISTEN_PID=$$; export LISTEN_PID; ".utf8) : []
        return CStringArray([Array(shell.utf8), Array("-c".utf8), prefix + ShellCommand.script(for: command.bytes)])
    }

    /// A run's output pipe: the read end non-blocking, for the loop; made (and
    /// watched) before the child exists, so a failure there kills no process.
    private func makePipe() throws(SystemError) -> Pipe {
        let pipe = try Pipe.make(nonblockingReadEnd: true)
        pipe.requestCapacity(Self.pipeCapacity)
        return pipe
    }

    /// A run's output, watched by `router` before the child exists (so a failure there
    /// kills no process): a pipe, or for a `--tty` type a pseudo-terminal, sized already.
    func openOutput(tty: Bool, for source: LogSource, router: LogRouter) throws(SystemError) -> (stream: UInt64, output: Output) {
        if tty {
            let terminal = try PseudoTerminal.open()
            let session = TerminalSession(master: terminal.master, ownSize: router.ownWindowSize)
            do throws(SystemError) {
                return (try router.open(terminal.master, for: source, terminal: session), .terminal(slavePath: terminal.slavePath))
            } catch {
                terminal.master.close()
                throw error
            }
        }
        let pipe = try makePipe()
        do throws(SystemError) {
            return (try router.open(pipe.readEnd, for: source), .pipe(pipe.writeEnd))
        } catch {
            pipe.readEnd.close()
            pipe.writeEnd.close()
            throw error
        }
    }

    /// Where a run writes: the write end of a pipe, or a pseudo-terminal's slave.
    enum Output {
        case pipe(FileDescriptor)
        case terminal(slavePath: String)
    }

    /// Spawns the instance writing to `output`, with `listener` as fd 3 (socket
    /// activation: LISTEN_FDS, LISTEN_FDNAMES, LISTEN_PID); returns its pid.
    func spawn(_ instance: PlannedInstance, output: Output, listener: FileDescriptor? = nil) throws(SystemError) -> Int32 {
        var ownVariables = instance.ownVariables.map(\.entry)
        if case .terminal = output, let terminalType { ownVariables.append(terminalType) }
        let arguments: CStringArray
        if listener != nil {
            ownVariables += [Array("LISTEN_FDS=1".utf8), Array("LISTEN_FDNAMES=\(instance.type)".utf8)]
            arguments = Self.arguments(shell: shell, command: instance.command, listening: true)
        } else {
            arguments = argumentsByCommand[instance.command] ?? Self.arguments(shell: shell, command: instance.command)
        }
        var request = Spawn.Request(
            path: shell, arguments: arguments, environment: CStringArray(baseEnvironment, appending: ownVariables),
            workingDirectory: root)
        request.descriptor3 = listener
        switch output {
        case let .pipe(writeEnd):
            request.standardOutput = .descriptor(writeEnd)
            request.standardError = .descriptor(writeEnd)
            request.grouping = .newProcessGroup
        case let .terminal(slavePath):
            // Its own session, so the slave becomes its controlling terminal; as the
            // session's leader it leads its process group too, which stopping signals.
            request.terminal = slavePath
        }
        request.fileLimit = fileLimit
        return try Spawn.run(request)
    }

    /// An `exec:` readiness check: `sh -c COMMAND` with the instance's variables, in a
    /// group of its own, its output discarded.
    func spawnCheck(_ command: String, ownVariables: [[UInt8]]) throws(SystemError) -> Int32 {
        var request = Spawn.Request(
            path: shell, arguments: CStringArray([Array(shell.utf8), Array("-c".utf8), Array(command.utf8)]),
            environment: CStringArray(baseEnvironment, appending: ownVariables), workingDirectory: root)
        request.standardOutput = .nullDevice
        request.standardError = .nullDevice
        request.fileLimit = fileLimit
        return try Spawn.run(request)
    }
}
