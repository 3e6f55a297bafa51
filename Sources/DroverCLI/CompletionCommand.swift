import DroverCore

/// `drover completion bash|zsh|fish`: prints the completion script for that shell.
enum CompletionCommand {
    static func run(arguments: [String]) throws(Diagnostics) -> ExitCode {
        func usage(_ message: String) -> Diagnostics {
            Diagnostics([Diagnostic(UsageError(message: message, command: "completion").description, kind: .usage)])
        }
        let shells = CompletionSpec.shells.joined(separator: ", ")
        guard let shell = arguments.first else { throw usage("completion needs a shell (\(shells))") }
        guard arguments.count == 1 else { throw usage("unexpected argument \"\(arguments[1])\"") }
        guard let script = script(for: shell) else { throw usage("unknown shell \"\(shell)\" (shells: \(shells))") }
        Console.out(script)
        return .success
    }

    /// The script for a shell `CompletionSpec.shells` names, or nil.
    static func script(for shell: String) -> String? {
        switch shell {
        case "bash": BashCompletion.script()
        case "zsh": ZshCompletion.script()
        case "fish": FishCompletion.script()
        default: nil
        }
    }
}
