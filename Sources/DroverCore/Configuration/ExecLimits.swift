/// What Linux's `execve` takes, checked before anything is spawned so that `check`
/// refuses what `start` and `run` could not run.
///
/// The kernel refuses one argument or variable of `MAX_ARG_STRLEN` (128 KiB) or more
/// with its NUL, and all of them together (with a pointer each) past a quarter of
/// the stack limit: 2 MiB under the usual 8 MiB (`ulimit -s`). drover holds every
/// formation to those figures, whatever the stack limit of the moment.
public enum ExecLimits {
    /// `MAX_ARG_STRLEN`: one string with its terminating NUL.
    public static let maximumStringBytes = 131_072
    /// `ARG_MAX` under an 8 MiB stack: every string with its NUL, plus a pointer each.
    public static let maximumTotalBytes = 2_097_152
    /// Room for `/bin/sh` and `-c` beside the script, with their NULs and pointers.
    static let shellAllowance = 64
    /// The longest script `/bin/sh -c` can be given: one argument with its NUL.
    public static var maximumScriptBytes: Int { maximumStringBytes - 1 }

    /// What one `NAME=value` costs: its bytes, the `=`, the NUL and a pointer.
    public static func cost(of variable: EnvironmentVariable) -> Int {
        variable.name.utf8.count + 1 + variable.value.count + 1 + 8
    }

    /// Whether one variable passes `MAX_ARG_STRLEN`; nil when it fits, else why not.
    public static func problem(with variable: EnvironmentVariable) -> String? {
        let length = variable.name.utf8.count + 1 + variable.value.count
        guard length >= maximumStringBytes else { return nil }
        return "\(variable.name)=... is \(length) bytes; Linux passes at most \(maximumStringBytes - 1) "
            + "(128 KiB) in one variable"
    }

    /// Whether a command passes `MAX_ARG_STRLEN` as drover hands it to `/bin/sh -c`
    /// (with `exec ` or the traps `ShellCommand` adds); nil when it fits.
    public static func problem(withCommand command: ByteString) -> String? {
        let script = ShellCommand.script(for: command.bytes).count
        guard script > maximumScriptBytes else { return nil }
        return "the command is \(command.count) bytes (\(script) as drover hands it to /bin/sh -c); "
            + "Linux passes at most \(maximumScriptBytes) in one argument"
    }

    /// Why the environment and command of some planned instance (or, with none planned,
    /// the environment alone) would pass `ARG_MAX`; nil when everything fits.
    ///
    /// Linear: the shared environment is counted once, then each instance's own part
    /// (its PORT and PS are counted on top, even where they replace a variable).
    public static func totalProblem(environment: EnvironmentVariables, instances: [PlannedInstance]) -> String? {
        let shared = environment.reduce(0) { $0 + cost(of: $1) } + shellAllowance
        guard !instances.isEmpty else {
            guard shared > maximumTotalBytes else { return nil }
            return "the environment comes to \(shared) bytes; Linux passes at most \(maximumTotalBytes) (2 MiB) to a program"
        }
        var scriptBytes: [String: Int] = [:] // per type: instances share their command
        for instance in instances {
            let own = instance.ownVariables.reduce(0) { $0 + cost(of: $1) }
            let script = scriptBytes[instance.type] ?? ShellCommand.script(for: instance.command.bytes).count
            scriptBytes[instance.type] = script
            let total = shared + own + script + 1 + 8
            if total > maximumTotalBytes {
                return "the environment and command of \(instance.name) come to \(total) bytes; Linux passes at most "
                    + "\(maximumTotalBytes) (2 MiB) to a program"
            }
        }
        return nil
    }
}
