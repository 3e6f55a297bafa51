import DroverCore
import DroverSystem

/// `drover run`: a one-off command in the application's environment, by `execve`.
enum RunCommand {
    static func run(options: LaunchOptions, command: [String]) throws(Diagnostics) -> ExitCode {
        let context = try ApplicationContext.current()
        let application = try context.load(options, requireProcfile: false)

        if command.count == 1, let procfile = application.procfile, let entryIndex = procfile.index(of: command[0]) {
            return try runEntry(procfile.entries[entryIndex], entryIndex: entryIndex, in: application)
        }
        let raw = bytes(of: command)
        if command.count == 1, command[0].unicodeScalars.contains(where: { $0 == " " || $0 == "\t" }) {
            return shell(ByteString(raw[0]), environment: application.environment)
        }
        return execute(command, raw: raw, environment: application.environment)
    }

    /// The command's arguments as drover received them: the parser takes everything after
    /// the program name verbatim, so they are the tail of drover's own argv, whose bytes
    /// (not UTF-8, perhaps) are passed on exactly. Anything else falls back to the text.
    private static func bytes(of command: [String]) -> [[UInt8]] {
        let raw = Array(ProcessArguments.current().suffix(command.count))
        guard raw.count == command.count,
            zip(raw, command).allSatisfy({ String(decoding: $0, as: UTF8.self) == $1 })
        else { return command.map { Array($0.utf8) } }
        return raw
    }

    /// A Procfile entry runs as instance 1 would under `start`: in the root, with PORT and PS.
    private static func runEntry(
        _ entry: ProcfileEntry, entryIndex: Int, in application: Application
    ) throws(Diagnostics) -> ExitCode {
        let instance: PlannedInstance
        do {
            instance = try PortPlan.instance(of: entry, entryIndex: entryIndex, number: 1, basePort: application.basePort)
        } catch {
            throw Diagnostics([Diagnostic(error.reason)])
        }
        if case let .failure(error) = FileSystem.changeDirectory(application.root) {
            throw Diagnostics([Diagnostic("cannot enter root directory \(application.root): \(error.reason)")])
        }
        return shell(entry.command, environment: application.environment(for: instance))
    }

    /// As `start` runs it: the program replaces the shell where it can, so whoever
    /// started `drover run` signals and waits for the program itself.
    private static func shell(_ command: ByteString, environment: EnvironmentVariables) -> ExitCode {
        let script = ShellCommand.script(for: command.bytes)
        let error = Exec.replaceProcess(
            path: "/bin/sh", arguments: CStringArray([Array("/bin/sh".utf8), Array("-c".utf8), script]),
            environment: CStringArray(environment.environEntries))
        Console.error("cannot run /bin/sh: \(error.reason)")
        return error.isNoSuchFile ? .notFound : .cannotExecute
    }

    /// Looks the program up on the child's PATH, as a shell would, then replaces drover with it.
    private static func execute(_ command: [String], raw: [[UInt8]], environment: EnvironmentVariables) -> ExitCode {
        let name = command[0]
        switch Exec.resolve(name, path: environment["PATH"]?.description) {
        case .notFound:
            Console.error("command not found: \(name)")
            return .notFound
        case let .notExecutable(path):
            Console.error("cannot execute \(path): permission denied or not a regular file")
            return .cannotExecute
        case let .executable(path):
            let error = Exec.replaceProcess(
                path: path, arguments: CStringArray(raw), environment: CStringArray(environment.environEntries))
            if error.isUnknownExecutableFormat {
                // No #! line: shells run such files as shell scripts, and so do we.
                return shell(script: path, arguments: raw, environment: environment)
            }
            Console.error("cannot execute \(path): \(error.reason)")
            return .cannotExecute
        }
    }

    private static func shell(script path: String, arguments: [[UInt8]], environment: EnvironmentVariables) -> ExitCode {
        let error = Exec.replaceProcess(
            path: "/bin/sh", arguments: CStringArray([Array("/bin/sh".utf8), Array(path.utf8)] + arguments.dropFirst()),
            environment: CStringArray(environment.environEntries))
        Console.error("cannot execute \(path): \(error.reason)")
        return .cannotExecute
    }
}
