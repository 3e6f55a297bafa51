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
        if command.count == 1, command[0].unicodeScalars.contains(where: { $0 == " " || $0 == "\t" }) {
            return shell(ByteString(command[0]), environment: application.environment)
        }
        return execute(command, environment: application.environment)
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
    private static func execute(_ command: [String], environment: EnvironmentVariables) -> ExitCode {
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
                path: path, arguments: CStringArray(command), environment: CStringArray(environment.environEntries))
            if error.isUnknownExecutableFormat {
                // No #! line: shells run such files as shell scripts, and so do we.
                return shell(script: path, arguments: command, environment: environment)
            }
            Console.error("cannot execute \(path): \(error.reason)")
            return .cannotExecute
        }
    }

    private static func shell(script path: String, arguments: [String], environment: EnvironmentVariables) -> ExitCode {
        let error = Exec.replaceProcess(
            path: "/bin/sh", arguments: CStringArray(["/bin/sh", path] + arguments.dropFirst()),
            environment: CStringArray(environment.environEntries))
        Console.error("cannot execute \(path): \(error.reason)")
        return .cannotExecute
    }
}
