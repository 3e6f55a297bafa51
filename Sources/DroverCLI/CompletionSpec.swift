import DroverCore
import DroverExport

/// What a completion script offers for one command, read off its `CommandDescription`,
/// so the bash, zsh and fish scripts list exactly the options `--help` shows.
struct CompletionSpec: Sendable {
    /// What an option's value completes to.
    enum Value: Equatable, Sendable {
        /// A switch: no value.
        case none
        /// A value nothing can suggest (a number, a spec).
        case free
        /// One of these words (`--color auto|always|never`).
        case choices([String])
        case files
        case directories
        /// `all` or a comma list of the Procfile's types (`--can-die`, `--tty`, `--listen`).
        case typeList
    }

    /// What the words after the options complete to.
    enum Words: Equatable, Sendable {
        case nothing
        /// The Procfile's types (`start web worker`).
        case processTypes
        /// `TYPE=`, for `scale web=2`.
        case scaleCounts
        /// The instances (`web.1`) and types of the running drover.
        case instances
        /// `run`: a type or any command first, then files.
        case commandLine
        /// `export`: a format, then a directory.
        case exportOperands
        /// `help`: a command name.
        case commandNames
        /// `completion`: a shell.
        case shells
    }

    struct Option: Sendable {
        let long: String
        let short: Character?
        /// For help in zsh and fish; the value's name for their messages.
        let help: String
        let valueName: String
        let value: Value
        /// May be given more than once (`--ready`, `-e`).
        let isRepeatable: Bool

        var takesValue: Bool { value != .none }
        /// `-f` and `--procfile`, as typed.
        var spellings: [String] { (short.map { ["-\($0)"] } ?? []) + ["--\(long)"] }
    }

    let name: String
    let summary: String
    let options: [Option]
    let words: Words

    /// The shells `drover completion` writes for, in the order its help names them.
    static let shells = ["bash", "zsh", "fish"]

    /// Every command `help` lists, in its order.
    static let all: [CompletionSpec] = CommandDescription.all.map(CompletionSpec.init)

    static let exportFormats = ExportFormat.allCases.map(\.rawValue)

    init(_ command: CommandDescription) {
        name = command.name
        summary = command.summary
        var options = command.options.map { option in
            Option(
                long: option.rawValue, short: option.shortFlag, help: HelpText.describe(option), valueName: option.valueName,
                value: Self.value(of: option), isRepeatable: option.isRepeatable || option == .env)
        }
        // The internal option has no help, and so no completion.
        options += command.local.filter { !$0.help.isEmpty }.map { option in
            Option(
                long: option.long, short: option.short, help: option.help, valueName: option.valueName ?? "",
                value: option.valueName.map { $0 == "FILE" ? .files : .free } ?? .none, isRepeatable: false)
        }
        // The parser takes help and version before any option, so they have no -h.
        if command.name != "help" && command.name != "version" {
            options.append(Option(long: "help", short: "h", help: "Show this help", valueName: "", value: .none, isRepeatable: false))
        }
        self.options = options
        words = Self.words(of: command)
    }

    /// Whether this command's completions read the Procfile (its types).
    var readsProcfile: Bool {
        words == .processTypes || words == .scaleCounts || words == .commandLine || options.contains { $0.value == .typeList }
    }

    /// The options that take a value, for skipping them when counting operands.
    var valuedSpellings: [String] { options.filter(\.takesValue).flatMap(\.spellings) }

    /// The options whose values tell `ps` which drover to ask (`-s`, `-d`, `-f`).
    var clientSpellings: [String] {
        options.filter { ["socket", "root", "procfile"].contains($0.long) }.flatMap(\.spellings)
    }

    private static func value(of option: LaunchOption) -> Value {
        switch option {
        case .noTimestamp, .noPrefix: .none
        case .procfile, .env, .socket: .files
        case .root, .logDirectory: .directories
        case .color, .logFormat: .choices(choices(in: option.valueName))
        case .canDie, .tty, .listen: .typeList
        case .formation, .port, .timeout, .restart, .restartDelay, .restartMaxDelay, .restartLimit, .ready, .readyTimeout, .after,
            .listenAddress, .watch, .watchIgnore, .watchDebounce, .app, .user, .image:
            .free
        }
    }

    /// `auto|always|never` as its words: the help's value name is the one list of them.
    static func choices(in valueName: String) -> [String] {
        valueName.split(separator: "|").map(String.init)
    }

    private static func words(of command: CommandDescription) -> Words {
        switch command.name {
        case "scale": return .scaleCounts
        case "restart", "stop", "logs", "attach": return .instances
        case "export": return .exportOperands
        case "help": return .commandNames
        case "completion": return .shells
        default:
            switch command.arguments {
            case .none, .operands: return .nothing
            case .processNames: return .processTypes
            case .command: return .commandLine
            }
        }
    }

    /// `text` in single quotes for a POSIX shell (bash, zsh): `it's` as `'it'\''s'`.
    static func singleQuoted(_ text: String) -> String {
        "'" + text.replacing("'", with: "'\\''") + "'"
    }
}
