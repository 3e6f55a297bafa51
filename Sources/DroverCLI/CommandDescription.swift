import DroverCore

/// What a command accepts and how its help reads.
struct CommandDescription: Sendable {
    /// What follows the options.
    enum Arguments: Sendable {
        case none
        /// Process type names (`start web worker`).
        case processNames
        /// A command line passed through untouched; option parsing stops at its first word.
        case command
    }

    let name: String
    let summary: String
    let usage: String
    let discussion: String
    let options: [LaunchOption]
    let arguments: Arguments

    /// The commands in the order help lists them.
    static let all: [CommandDescription] = [start, check, run, help, version]

    static func named(_ name: String) -> CommandDescription? {
        all.first { $0.name == name }
    }

    static let start = CommandDescription(
        name: "start",
        summary: "Start the process formation and show its output as one stream",
        usage: "drover start [NAME...] [options]",
        discussion: """
            Starts one instance of each Procfile entry (or the formation given with -m),
            or only the named types, each in its own process group with PORT and PS set,
            and shows their output as one stream of "HH:MM:SS name.N | line".

            When any instance exits, or on SIGINT, SIGTERM or SIGHUP, every process group
            gets SIGTERM; whatever still runs after the timeout gets SIGKILL. A second
            SIGINT or SIGTERM kills at once. SIGUSR1 and SIGUSR2 are passed on.

            EXIT STATUS: the exit code of the instance whose exit stopped the formation
            (128+N if signal N killed it); after a signal to drover, 0 if everything
            stopped within the timeout, 1 if something had to be killed; 1 for a bad
            Procfile or env file and 64 for a bad command line, before anything starts.
            """,
        options: [.procfile, .env, .root, .formation, .port, .timeout, .color, .noTimestamp, .noPrefix],
        arguments: .processNames)

    static let check = CommandDescription(
        name: "check",
        summary: "Validate the Procfile and the env files",
        usage: "drover check [options]",
        discussion: """
            Prints "valid procfile detected (NAMES)" and exits 0, or prints every problem
            found, each as FILE:LINE: MESSAGE, and exits 1.
            """,
        options: [.procfile, .env, .root, .formation, .port],
        arguments: .none)

    static let run = CommandDescription(
        name: "run",
        summary: "Run a one-off command in the application's environment",
        usage: "drover run [options] [--] COMMAND [ARGS...]",
        discussion: """
            COMMAND runs with the environment the processes get: the inherited one with
            the env files on top. If COMMAND is a single word naming a Procfile entry, that
            entry runs through /bin/sh -c in the root directory, with the PORT and PS of
            its instance 1. A single argument containing blanks runs through /bin/sh -c.
            Exits with the command's code; 127 if it is not found, 126 if it cannot run.
            """,
        options: [.procfile, .env, .root, .port],
        arguments: .command)

    static let help = CommandDescription(
        name: "help",
        summary: "Show help for drover or for one command",
        usage: "drover help [COMMAND]",
        discussion: "",
        options: [],
        arguments: .processNames)

    static let version = CommandDescription(
        name: "version",
        summary: "Print drover's version",
        usage: "drover version",
        discussion: "",
        options: [],
        arguments: .none)
}
