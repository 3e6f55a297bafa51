import DroverCore
import DroverSystem

/// The command-line tool: parses arguments, runs one command, exits with its code.
public enum Drover {
    public static func main() -> Never {
        exitProcess(run(Array(CommandLine.arguments.dropFirst())))
    }

    /// Maps every error to its message and exit code; nothing escapes as a crash.
    static func run(_ arguments: [String]) -> Int32 {
        let code: Int32
        switch invocationResult(arguments) {
        case let .fixed(exit): code = exit.rawValue
        case let .supervised(exit): code = exit
        }
        return code
    }

    /// `start` exits with a code the formation decides; everything else with a fixed one.
    private enum Outcome {
        case fixed(ExitCode)
        case supervised(Int32)
    }

    private static func invocationResult(_ arguments: [String]) -> Outcome {
        let invocation: Invocation
        do {
            invocation = try ArgumentParser.parse(arguments)
        } catch {
            Console.error(error.description)
            return .fixed(.usage)
        }
        do throws(Diagnostics) {
            switch invocation {
            case let .help(command):
                Console.out(command.flatMap(CommandDescription.named).map(HelpText.command) ?? HelpText.general())
                return .fixed(.success)
            case .version:
                Console.out("drover \(HelpText.version)\n")
                return .fixed(.success)
            case let .command(name, options, arguments):
                switch name {
                case "check": return .fixed(try CheckCommand.run(options: options))
                case "run": return .fixed(try RunCommand.run(options: options, command: arguments))
                case "start": return .supervised(try StartCommand.run(options: options, names: arguments))
                default:
                    Console.error("command \(name) has no implementation")
                    return .fixed(.failure)
                }
            }
        } catch {
            for diagnostic in error.all { Console.error(diagnostic.message) }
            return .fixed(error.kind == .usage ? .usage : .failure)
        }
    }
}
