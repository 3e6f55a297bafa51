import DroverCore

/// Parses `drover [COMMAND] [options] [arguments]`.
///
/// Long options take `--name value` or `--name=value`; short ones `-f value` or `-fvalue`.
/// `--` ends the options. For `run`, the first argument that is not an option starts the
/// command, so `drover run ls -la` passes `-la` through.
enum ArgumentParser {
    static func parse(_ arguments: [String]) throws(UsageError) -> Invocation {
        guard let first = arguments.first else { return .help(command: nil) }
        switch first {
        case "-h", "--help": return .help(command: nil)
        case "-v", "--version", "version":
            if arguments.count > 1 {
                throw UsageError(message: "unexpected argument \"\(arguments[1])\"", command: nil)
            }
            return .version
        case "help":
            guard arguments.count <= 2 else {
                throw UsageError(message: "help takes at most one command name", command: "help")
            }
            if arguments.count == 2, CommandDescription.named(arguments[1]) == nil {
                throw UsageError(message: "unknown command \"\(arguments[1])\"", command: nil)
            }
            return .help(command: arguments.count == 2 ? arguments[1] : nil)
        default:
            break
        }
        if first.hasPrefix("-") {
            throw UsageError(message: "unknown option \"\(first)\"; a command comes first", command: nil)
        }
        guard let command = CommandDescription.named(first) else {
            throw UsageError(message: "unknown command \"\(first)\"", command: nil)
        }
        return try parse(Array(arguments.dropFirst()), for: command)
    }

    private static func parse(_ arguments: [String], for command: CommandDescription) throws(UsageError) -> Invocation {
        var options = LaunchOptions()
        var local: [String: String] = [:]
        var positionals: [String] = []
        var index = 0

        func fail(_ message: String) -> UsageError { UsageError(message: message, command: command.name) }

        while index < arguments.count {
            let argument = arguments[index]
            index += 1
            if argument == "--" {
                positionals.append(contentsOf: arguments[index...])
                break
            }
            if argument == "-h" || argument == "--help" { return .help(command: command.name) }
            guard argument.hasPrefix("-"), argument.count > 1 else {
                positionals.append(argument)
                if command.arguments == .command {
                    positionals.append(contentsOf: arguments[index...])
                    break
                }
                continue
            }

            // Split the flag from an attached value.
            let flag: String
            var attached: String?
            var option: LaunchOption?
            var localOption: LocalOption?
            if argument.hasPrefix("--") {
                let body = argument.dropFirst(2)
                if let equals = body.firstIndex(of: "=") {
                    flag = "--" + body[..<equals]
                    attached = String(body[body.index(after: equals)...])
                } else {
                    flag = argument
                }
                let name = String(flag.dropFirst(2))
                localOption = command.local.first { $0.long == name }
                option = LaunchOption(rawValue: name)
            } else {
                let letter = argument[argument.index(after: argument.startIndex)]
                flag = "-\(letter)"
                let rest = argument.dropFirst(2)
                if !rest.isEmpty { attached = String(rest) }
                localOption = command.local.first { $0.short == letter }
                option = command.options.first { $0.shortFlag == letter }
            }
            if let localOption {
                if localOption.valueName == nil {
                    guard attached == nil else { throw fail("option \(flag) takes no value") }
                    local[localOption.long] = "true"
                } else if let attached {
                    local[localOption.long] = attached
                } else if index < arguments.count {
                    local[localOption.long] = arguments[index]
                    index += 1
                } else {
                    throw fail("option \(flag) needs a value (\(localOption.valueName ?? ""))")
                }
                continue
            }
            guard let option, command.options.contains(option) else {
                throw fail("unknown option \"\(flag)\" for \(command.name)")
            }
            if option.isFlag {
                guard attached == nil else { throw fail("option \(flag) takes no value") }
                options[option] = OptionValue("true", origin: .commandLine(flag: flag))
                continue
            }
            let value: String
            if let attached {
                value = attached
            } else if index < arguments.count {
                value = arguments[index]
                index += 1
            } else {
                throw fail("option \(flag) needs a value (\(option.valueName))")
            }
            if option == .env, let earlier = options[.env] {
                // -e may be repeated; the files add up, like a comma list.
                options[.env] = OptionValue(earlier.text + "," + value, origin: .commandLine(flag: flag))
            } else if option.isRepeatable, let earlier = options[option] {
                options[option] = earlier.repeated(OptionValue(value, origin: .commandLine(flag: flag)))
            } else {
                options[option] = OptionValue(value, origin: .commandLine(flag: flag))
            }
        }

        switch command.arguments {
        case .none where !positionals.isEmpty:
            throw fail("unexpected argument \"\(positionals[0])\"")
        case .command where positionals.isEmpty:
            throw fail("\(command.name) needs a command to run")
        default:
            break
        }
        return .command(name: command.name, options: options, local: local, arguments: positionals)
    }
}
