import DroverCore
import DroverSupervisor
import DroverSystem

/// The command-line tool: parses arguments, runs one command, exits with its code.
public enum Drover {
    public static func main() -> Never {
        StandardDescriptors.reserve()
        exitProcess(run(Array(CommandLine.arguments.dropFirst())))
    }

    /// Maps every error to its message and exit code; nothing escapes as a crash.
    static func run(_ arguments: [String]) -> Int32 {
        // The guardian `drover start` leaves behind itself: no parsing, no files read.
        if arguments.first == GuardianProcess.commandName {
            return GuardianProcess.run(Array(arguments.dropFirst()))
        }
        // Hidden: the man page, for `make man`; from the same descriptions as help.
        if arguments == ["help", "--man"] {
            Console.out(ManPage.render())
            return ExitCode.success.rawValue
        }
        let invocation: Invocation
        do {
            invocation = try ArgumentParser.parse(arguments)
        } catch {
            Console.error(error.description)
            return ExitCode.usage.rawValue
        }
        do throws(Diagnostics) {
            switch invocation {
            case let .help(command):
                Console.out(command.flatMap(CommandDescription.named).map(HelpText.command) ?? HelpText.general())
                return ExitCode.success.rawValue
            case .version:
                Console.out("drover \(HelpText.version)\n")
                return ExitCode.success.rawValue
            case let .command(name, options, local, arguments):
                switch name {
                case "check": return try CheckCommand.run(options: options).rawValue
                case "run": return try RunCommand.run(options: options, command: arguments).rawValue
                case "export": return try ExportCommand.run(options: options, arguments: arguments).rawValue
                // start's code is the formation's: an instance's exit code, or 0/1 after a signal.
                case "start": return try StartCommand.run(options: options, local: local, names: arguments)
                case "ps": return try PsCommand.run(options: options, json: local["json"] != nil).rawValue
                case "scale": return try ScaleCommand.run(options: options, arguments: arguments).rawValue
                case "restart": return try RestartCommand.run(options: options, names: arguments).rawValue
                case "stop": return try StopCommand.run(options: options, names: arguments).rawValue
                case "quit": return try StopCommand.quit(options: options).rawValue
                case "logs": return try LogsCommand.run(options: options, local: local, names: arguments).rawValue
                case "attach": return try AttachCommand.run(options: options, local: local, names: arguments).rawValue
                case "reopen-logs": return try ReopenLogsCommand.run(options: options).rawValue
                case "completion": return try CompletionCommand.run(arguments: arguments).rawValue
                default:
                    Console.error("command \(name) has no implementation")
                    return ExitCode.failure.rawValue
                }
            }
        } catch {
            for diagnostic in error.all { Console.error(diagnostic.message) }
            return (error.kind == .usage ? ExitCode.usage : ExitCode.failure).rawValue
        }
    }
}
