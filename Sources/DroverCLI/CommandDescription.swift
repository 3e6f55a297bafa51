import DroverCore

/// An option only one command has (`ps --json`, `logs -f`); the shared ones are `LaunchOption`s.
struct LocalOption: Sendable {
    let long: String
    let short: Character?
    /// nil for a switch without a value.
    let valueName: String?
    let help: String

    static let json = LocalOption(long: "json", short: nil, valueName: nil, help: "Print a JSON array instead of a table")
    static let follow = LocalOption(long: "follow", short: "f", valueName: nil, help: "Keep printing new lines as they come")
    static let lines = LocalOption(
        long: "lines", short: "n", valueName: "LINES", help: "How many of the last lines to show first (default: 100)")
    static let daemon = LocalOption(
        long: "daemon", short: "D", valueName: nil, help: "Run in the background; return once every instance is started")
    static let logFile = LocalOption(
        long: "log", short: nil, valueName: "FILE", help: "With --daemon: also append the log stream to FILE (see reopen-logs)")
    static let detachKey = LocalOption(
        long: "detach-key", short: nil, valueName: "KEY",
        help: "The key that detaches: ctrl-X or one character (default: ctrl-\\; press it twice to send it)")
    /// Internal: marks the background process `--daemon` starts; not shown in help.
    static let detached = LocalOption(long: "detached-supervisor", short: nil, valueName: nil, help: "")
}

/// What a command accepts and how its help reads.
struct CommandDescription: Sendable {
    /// What follows the options.
    enum Arguments: Sendable {
        case none
        /// Process type names (`start web worker`).
        case processNames
        /// A command line passed through untouched; option parsing stops at its first word.
        case command
        /// Words the command checks itself (`export FORMAT LOCATION`).
        case operands
    }

    let name: String
    let summary: String
    let usage: String
    let discussion: String
    let options: [LaunchOption]
    var local: [LocalOption] = []
    let arguments: Arguments

    /// The commands in the order help lists them.
    static let all: [CommandDescription] = [
        start, ps, scale, restart, stop, logs, attach, reopenLogs, quit, check, run, export, completion, help, version,
    ]

    /// Options of the commands that talk to a running drover: where to find its socket.
    static let clientOptions: [LaunchOption] = [.socket, .root, .procfile]

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

            When an instance exits, its type's restart policy (-r) may start it again after
            a delay that doubles with each restart in a row (--restart-delay, up to
            --restart-max-delay; a run of 10 s resets it), until --restart-limit restarts
            in a row; a type that can die (--can-die) just ends. Any other exit, or SIGINT,
            SIGTERM or SIGHUP, stops the formation: every process group gets SIGTERM, and
            whatever still runs after the timeout gets SIGKILL. A second SIGINT or SIGTERM
            kills at once. SIGUSR1 and SIGUSR2 are passed on. If drover itself is killed,
            a guardian process stops the formation the same way.

            --tty TYPES runs each instance of those types on a pseudo-terminal of its own
            (line-buffered output, colors kept), sized like drover's terminal and resized
            with it; 'drover attach NAME' then types into it.

            --ready TYPE=PROBE says when an instance is ready (tcp, tcp:HOST:PORT,
            http:PATH, log:TEXT, exec:COMMAND); one not ready within --ready-timeout
            counts as failed. --after TYPE=DEP+DEP starts a type once its dependencies
            are ready (or, if they can die, have exited 0), and the shutdown goes in
            reverse. --listen TYPES binds each instance's PORT in drover and hands it
            over as fd 3 (LISTEN_FDS), so a restart starts the new run before the old
            one stops. With --daemon, drover returns once every instance is ready.
            See docs/readiness.md.

            --watch TYPE[=PATH:PATH...] restarts a type when files under those paths
            (default: the root) change: a burst is one restart, --watch-debounce
            seconds after the last change; version-control and dependency
            directories, editors' swap files and --watch-ignore globs do not count.
            See docs/watch.md.

            EXIT STATUS: the exit code of the instance whose exit stopped the formation
            (128+N if signal N killed it); when only can-die types were left and all
            ended, 0 if they all exited 0, else the first other code; after a signal to
            drover, 0 if everything stopped within the timeout, 1 if something had to be
            killed; 1 if drover's stdout could no longer be written (its reader exited,
            a full disk); 1 for a bad Procfile, env file or .drover and 64 for a bad
            command line, before anything starts.
            """,
        options: [
            .procfile, .env, .root, .formation, .port, .timeout, .restart, .canDie, .restartDelay, .restartMaxDelay,
            .restartLimit, .tty, .ready, .readyTimeout, .after, .listen, .listenAddress, .watch, .watchIgnore,
            .watchDebounce, .color, .noTimestamp, .noPrefix, .logFormat, .socket,
        ],
        local: [.daemon, .logFile, .detached],
        arguments: .processNames)

    static let ps = CommandDescription(
        name: "ps",
        summary: "List the instances of the running formation",
        usage: "drover ps [--json] [options]",
        discussion: """
            Columns: NAME, PID, STATE (waiting, starting, running, stopping, backoff,
            stopped, exited, failed), UPTIME, PORT, RESTARTS (every start after the first)
            and the last EXIT code. --json prints an array of objects with name, type,
            number, pid, state, port, uptime_s, restarts, exit_code, retry_in_s (seconds
            until a backoff ends), tty (whether it runs on a terminal of its own, for
            attach) and ready (whether its readiness probe passed).
            """,
        options: clientOptions, local: [.json], arguments: .none)

    static let scale = CommandDescription(
        name: "scale",
        summary: "Change how many instances of a type run, while the formation runs",
        usage: "drover scale NAME=COUNT... [options]",
        discussion: """
            New instances get the next numbers and foreman's PORT rule; scaling down stops
            the highest-numbered instances gracefully. The rest keep running.
            """,
        options: clientOptions, arguments: .processNames)

    static let restart = CommandDescription(
        name: "restart",
        summary: "Stop and start instances again (all, a type, or NAME.N)",
        usage: "drover restart [NAME|NAME.N...] [options]",
        discussion: """
            Each keeps its number and PORT; the rest of the formation keeps running. An
            instance of a --listen type is replaced without a gap: the new run starts on
            the same socket, and the old one stops once the new one is ready.
            """,
        options: clientOptions, arguments: .processNames)

    static let stop = CommandDescription(
        name: "stop",
        summary: "Stop instances and leave them stopped; with no names, stop drover",
        usage: "drover stop [NAME|NAME.N...] [options]",
        discussion: """
            'drover start NAME' starts stopped instances again. Without names the whole
            formation drains and drover exits, as on SIGTERM (the same as 'drover quit').
            """,
        options: clientOptions, arguments: .processNames)

    static let quit = CommandDescription(
        name: "quit",
        summary: "Stop the whole formation and the drover running it",
        usage: "drover quit [options]",
        discussion: "",
        options: clientOptions, arguments: .none)

    static let logs = CommandDescription(
        name: "logs",
        summary: "Show the last lines of the running formation, and follow it with -f",
        usage: "drover logs [-f] [-n LINES] [NAME|NAME.N...] [options]",
        discussion: """
            Lines come in the same format as 'drover start' shows them. drover keeps the
            last 1,000 lines (at most 1 MiB) of each instance.
            """,
        options: [.socket, .root, .color, .logFormat], local: [.follow, .lines], arguments: .processNames)

    static let attach = CommandDescription(
        name: "attach",
        summary: "Connect your terminal to a --tty instance: type to it, see its output",
        usage: "drover attach NAME[.N] [--detach-key KEY] [options]",
        discussion: """
            Every key goes to the instance's terminal and its output comes back as it
            is, without prefixes; the window size follows yours. Ctrl-\\ detaches (after
            half a second; press it twice to send it to the process): the instance
            keeps running and its output keeps going to the log stream. NAME alone is
            its lowest-numbered instance. Several clients may attach at once.

            Prints "[detached from web.1]" and exits 0 on detach (also on SIGINT, SIGTERM
            or SIGHUP), "[web.1 exited with code N]" and exits 0 when the instance exits,
            exits 1 when drover goes away or the instance has no terminal (start its
            type with --tty). Without a terminal on stdin, bytes in are sent as they
            are and its output is written out.
            """,
        options: clientOptions, local: [.detachKey], arguments: .processNames)

    static let reopenLogs = CommandDescription(
        name: "reopen-logs",
        summary: "Reopen the --log file by its path (after logrotate renamed it)",
        usage: "drover reopen-logs [options]",
        discussion: """
            For logrotate's postrotate: a drover started with --daemon --log FILE writes
            on to the renamed file until asked to open FILE again (created if missing,
            appended to). Lines written before land in the old file, later ones in the
            new; none is lost. Fails, keeping the old file, when FILE cannot be opened or
            drover has no --log file. Example /etc/logrotate.d entry:

              /srv/app/drover.log {
                  weekly
                  rotate 4
                  compress
                  delaycompress
                  postrotate
                      drover reopen-logs -s /srv/app/.drover.sock
                  endscript
              }
            """,
        options: clientOptions, arguments: .none)

    static let check = CommandDescription(
        name: "check",
        summary: "Validate the Procfile and the env files",
        usage: "drover check [options]",
        discussion: """
            Prints "valid procfile detected (NAMES)" and exits 0, or prints every problem
            found, each as FILE:LINE: MESSAGE, and exits 1.
            """,
        options: [
            .procfile, .env, .root, .formation, .port, .restart, .canDie, .restartDelay, .restartMaxDelay, .restartLimit, .tty,
            .ready, .readyTimeout, .after, .listen, .listenAddress, .watch, .watchIgnore, .watchDebounce, .logFormat,
        ],
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

    static let export = CommandDescription(
        name: "export",
        summary: "Write the formation as systemd, supervisord, runit, launchd, Kubernetes or Compose files",
        usage: "drover export FORMAT LOCATION [options]",
        discussion: """
            FORMAT is one of systemd, supervisord, runit, launchd, kubernetes, compose.
            LOCATION is a directory (created if needed); for the one-file formats
            (supervisord, kubernetes, compose) '-' prints the file instead. The files
            carry the formation (-m), each instance's command, root, environment (the
            env files, then PORT and PS as 'start' gives them; not drover's own
            environment), the stop timeout (-t) and the restart policy (-r; an export
            restarts always unless told otherwise, and a --can-die type never).

            Every file says it was written by drover export for the app: files of an
            earlier export of the same app that the formation no longer has are removed
            (a stale runit service directory with all runit kept in it), and nothing
            else in LOCATION is touched; a file of the same name that is not the app's
            stops the export before anything is written. One line is printed for each
            file written or removed. See docs/export.md.
            """,
        options: [
            .procfile, .env, .root, .formation, .port, .timeout, .restart, .canDie, .restartDelay, .restartMaxDelay,
            .restartLimit, .app, .user, .logDirectory, .image,
        ],
        arguments: .operands)

    static let completion = CommandDescription(
        name: "completion",
        summary: "Print a completion script for bash, zsh or fish",
        usage: "drover completion bash|zsh|fish",
        discussion: """
            The script completes commands, their options and option values, the process
            types of the Procfile (the one given with -f, else ./Procfile) and the
            instances of a running drover (asked through the socket given with -s, if
            any). Load it for the current shell:

              source <(drover completion bash)      # bash, in ~/.bashrc
              source <(drover completion zsh)       # zsh, after compinit, in ~/.zshrc
              drover completion fish | source       # fish, in config.fish

            'make install' installs all three where the shells look for them.
            """,
        options: [],
        arguments: .operands)

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
