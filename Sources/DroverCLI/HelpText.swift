import DroverCore

/// Help pages in the OVERVIEW / USAGE / OPTIONS / COMMANDS layout.
enum HelpText {
    static let version = "0.1.0"

    /// What drover is, in one sentence: help's overview and the man page's NAME.
    static let overview = "drover runs the processes of a Procfile as one formation."

    /// Where options come from; help's and the man page's description.
    static let optionSources = """
        Options are foreman's: -f Procfile, -e env files, -d root, -m formation,
        -p base port, -t timeout. Defaults may be set in a .drover file (key=value,
        long option names as keys, and [TYPE] sections for one type's restart,
        can-die and restart-* settings); without one, foreman's .foreman is read.
        """

    static func general() -> String {
        var text = """
            OVERVIEW: \(overview)

            USAGE: drover COMMAND [options]

            COMMANDS:

            """
        let width = (CommandDescription.all.map(\.name.count).max() ?? 0) + 2
        for command in CommandDescription.all {
            text += "  " + pad(command.name, to: width) + command.summary + "\n"
        }
        text += """

            \(optionSources)

            See 'drover help COMMAND' for one command's options.

            """
        return text
    }

    static func command(_ command: CommandDescription) -> String {
        var text = "OVERVIEW: \(command.summary)\n\n"
        if !command.discussion.isEmpty { text += command.discussion + "\n\n" }
        text += "USAGE: \(command.usage)\n"
        if !command.options.isEmpty {
            text += "\nOPTIONS:\n"
            for option in command.options {
                let short = option.shortFlag.map { "-\($0), " } ?? "    "
                let flags = short + "--\(option.rawValue)" + (option.isFlag ? "" : " \(option.valueName)")
                text += "  " + pad(flags, to: 34) + describe(option) + "\n"
            }
            for option in command.local where !option.help.isEmpty {
                let short = option.short.map { "-\($0), " } ?? "    "
                let flags = short + "--\(option.long)" + (option.valueName.map { " \($0)" } ?? "")
                text += "  " + pad(flags, to: 34) + option.help + "\n"
            }
            text += "  " + pad("-h, --help", to: 34) + "Show this help\n"
        }
        return text
    }

    /// One line on an option, for help, the man page and the completion scripts.
    static func describe(_ option: LaunchOption) -> String {
        switch option {
        case .procfile: "Procfile to read (default: Procfile, in --root if given)"
        case .env: "Env files to load, later ones win (default: .env in the root)"
        case .root: "Directory processes run in (default: the Procfile's directory)"
        case .formation: "How many of each type: all=1,web=2 (default: one of each)"
        case .port: "Base port: PORT = base + 100 × entry index + instance − 1 (default: PORT, else 5000)"
        case .timeout: "Seconds between SIGTERM and SIGKILL when stopping (default: 5)"
        case .color: "Color the prefixes: auto (a terminal, TERM not dumb, no NO_COLOR), always, never"
        case .noTimestamp: "Leave the time out of each line"
        case .noPrefix: "Print the processes' lines bare: no time, no name"
        case .socket: "Control socket (default: DROVER_SOCKET, else .drover.sock in the root)"
        case .restart: "Restart policy per type, like -m: all=on-failure,worker=always (no, on-failure, always; default no)"
        case .canDie: "Types whose exit does not stop the formation (one-shots such as migrate)"
        case .tty: "Types whose instances each run on a pseudo-terminal of their own (see 'drover attach')"
        case .ready: "How to tell a type is ready, repeatable: web=tcp, web=http:/health, worker=log:TEXT, db=exec:CMD"
        case .readyTimeout: "Seconds an instance may take to become ready before it counts as failed (default: 60; 0: no limit)"
        case .after: "Start order, repeatable: worker=web+db starts worker once every web and db is ready"
        case .listen: "Types whose PORT drover binds and hands over as fd 3 (LISTEN_FDS), for restarts without downtime"
        case .listenAddress: "Address the --listen sockets are bound to (default: 127.0.0.1)"
        case .watch: "Restart a type when files change, repeatable: web, web=app:lib, all (paths relative to the root)"
        case .watchIgnore: "Changes to ignore, repeatable: a glob on the name or the relative path (*.log, tmp/*)"
        case .watchDebounce: "Quiet seconds after a change before --watch restarts (default: 0.3)"
        case .logFormat: "How lines are written: text (default) or json, one object per line"
        case .restartDelay: "First wait before a restart, doubled each restart in a row (default: 0.1)"
        case .restartMaxDelay: "Longest wait before a restart (default: 30)"
        case .restartLimit: "Restarts in a row without a 10 s run before giving up (default: 10; 0: never)"
        case .app: "Name of the app in every unit, program and object (default: the root directory's name)"
        case .user: "User the processes run as (systemd, supervisord, runit, launchd, compose; a uid for kubernetes)"
        case .logDirectory: "Directory for log files (systemd, supervisord, runit, launchd)"
        case .image: "Container image (compose, where the default is to build the root; required for kubernetes)"
        }
    }

    private static func pad(_ text: String, to width: Int) -> String {
        text.count >= width ? text + "  " : text + String(repeating: " ", count: width - text.count)
    }
}
