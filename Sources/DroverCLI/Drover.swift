import DroverCore
import DroverSystem

/// The command-line tool: parses arguments, runs one command, exits with its code.
public enum Drover {
    public static func main() -> Never {
        let code = run(Array(CommandLine.arguments.dropFirst()))
        exitProcess(code.rawValue)
    }

    /// Maps every error to its message and exit code; nothing escapes as a crash.
    static func run(_ arguments: [String]) -> ExitCode {
        let invocation: Invocation
        do {
            invocation = try ArgumentParser.parse(arguments)
        } catch {
            Console.error(error.description)
            return .usage
        }
        do throws(Diagnostics) {
            switch invocation {
            case let .help(command):
                Console.out(command.flatMap(CommandDescription.named).map(HelpText.command) ?? HelpText.general())
                return .success
            case .version:
                Console.out("drover \(HelpText.version)\n")
                return .success
            case let .command(name, options, arguments):
                switch name {
                case "check": return try CheckCommand.run(options: options)
                case "run": return try RunCommand.run(options: options, command: arguments)
                case "start": return try StartCommand.run(options: options, names: arguments)
                default:
                    Console.error("command \(name) has no implementation")
                    return .failure
                }
            }
        } catch {
            for diagnostic in error.all { Console.error(diagnostic.message) }
            return error.kind == .usage ? .usage : .failure
        }
    }
}
