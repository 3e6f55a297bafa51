/// The options shared by drover's commands, named as on the command line.
///
/// The long name is also the key in a `.drover` (or `.foreman`) defaults file.
public enum LaunchOption: String, CaseIterable, Sendable {
    case procfile
    case env
    case root
    case formation
    case port
    case timeout
    case color
    case noTimestamp = "no-timestamp"
    case noPrefix = "no-prefix"
    case socket
    case restart
    case canDie = "can-die"
    case restartDelay = "restart-delay"
    case restartMaxDelay = "restart-max-delay"
    case restartLimit = "restart-limit"
    /// Types whose instances run on a pseudo-terminal of their own.
    case tty
    /// `TYPE=PROBE`, repeatable: how to tell an instance is ready.
    case ready
    case readyTimeout = "ready-timeout"
    /// `TYPE=DEP[+DEP...]`, repeatable: start order.
    case after
    /// Types whose `$PORT` drover binds and hands over as fd 3.
    case listen
    case listenAddress = "listen-address"
    /// `TYPE[=PATHS]`, repeatable: restart a type's instances when files under PATHS change.
    case watch
    /// `GLOB`, repeatable: changes to ignore on top of the built-in list.
    case watchIgnore = "watch-ignore"
    case watchDebounce = "watch-debounce"
    /// `text|json`: how the log stream, the log file and `logs` write lines.
    case logFormat = "log-format"
    /// `export`'s: the app's name, the user, the log directory and the container image.
    case app
    case user
    case logDirectory = "log"
    case image

    /// foreman's one-letter flag, where there is one.
    public var shortFlag: Character? {
        switch self {
        case .procfile: "f"
        case .env: "e"
        case .root: "d"
        case .formation: "m"
        case .port: "p"
        case .timeout: "t"
        case .socket: "s"
        case .restart: "r"
        case .app: "a"
        case .user: "u"
        case .logDirectory: "l"
        case .color, .noTimestamp, .noPrefix, .canDie, .restartDelay, .restartMaxDelay, .restartLimit, .tty, .image,
            .ready, .readyTimeout, .after, .listen, .listenAddress, .watch, .watchIgnore, .watchDebounce, .logFormat:
            nil
        }
    }

    /// A switch without a value on the command line (`true`/`false` in a defaults file).
    public var isFlag: Bool { self == .noTimestamp || self == .noPrefix }

    /// What the value looks like, for help text.
    public var valueName: String {
        switch self {
        case .procfile: "FILE"
        case .env: "FILE[,FILE...]"
        case .root: "DIR"
        case .formation: "all=N,NAME=N..."
        case .port: "PORT"
        case .timeout: "SECONDS"
        case .color: "auto|always|never"
        case .socket: "PATH"
        case .restart: "SPEC"
        case .canDie, .tty, .listen: "all|NAME[,NAME...]"
        case .restartDelay, .restartMaxDelay, .readyTimeout, .watchDebounce: "SECONDS"
        case .watch: "TYPE[=PATH[:PATH...]]"
        case .watchIgnore: "GLOB"
        case .logFormat: "text|json"
        case .ready: "TYPE=PROBE"
        case .after: "TYPE=DEP[+DEP...]"
        case .listenAddress: "ADDRESS"
        case .restartLimit: "N"
        case .app: "NAME"
        case .user: "USER"
        case .logDirectory: "DIR"
        case .image: "IMAGE"
        case .noTimestamp, .noPrefix: ""
        }
    }

    /// What a `[TYPE]` section of `.drover` may set; there `restart` takes one
    /// policy, `can-die`, `tty` and `listen` true or false, `ready` one probe and
    /// `after` a comma list, since the type is already named.
    public var isPerType: Bool {
        switch self {
        case .restart, .canDie, .restartDelay, .restartMaxDelay, .restartLimit, .tty, .ready, .after, .listen, .watch:
            true
        default: false
        }
    }

    /// A list of types on the command line (`all` or `web,worker`) that is a switch
    /// in a `[TYPE]` section.
    public var isTypeList: Bool { self == .canDie || self == .tty || self == .listen }

    /// Given once per type, so the flag (or the defaults file's line) may repeat.
    public var isRepeatable: Bool { self == .ready || self == .after || self == .watch || self == .watchIgnore }

    /// The option named by a defaults-file key; `concurrency` is foreman's old name for `formation`.
    public init?(fileKey: String) {
        if fileKey == "concurrency" {
            self = .formation
        } else {
            self.init(rawValue: fileKey)
        }
    }
}

/// Where an option's value was written, so an error can point at it.
public enum OptionOrigin: Equatable, Sendable {
    /// On the command line, as the flag the user typed (`-p`, `--port`).
    case commandLine(flag: String)
    /// In a defaults file.
    case file(path: String, line: Int)
}

/// An option's raw text and where it came from.
public struct OptionValue: Equatable, Sendable {
    public var text: String
    public var origin: OptionOrigin
    /// A repeatable option's later occurrences, in order, each with its own origin.
    public var repeats: [OptionValue] = []

    public init(_ text: String, origin: OptionOrigin) {
        self.text = text
        self.origin = origin
    }

    /// This occurrence and every repeat, each alone.
    public var occurrences: [OptionValue] {
        [OptionValue(text, origin: origin)] + repeats
    }

    /// `later` added as a repeat.
    public func repeated(_ later: OptionValue) -> OptionValue {
        var value = self
        value.repeats += later.occurrences
        return value
    }

    public var isFromCommandLine: Bool {
        if case .commandLine = origin { true } else { false }
    }

    /// An error about this value, pointing at its flag or its file and line.
    public func invalid(_ reason: String, option: LaunchOption) -> Diagnostic {
        switch origin {
        case let .commandLine(flag):
            return Diagnostic("invalid value \"\(text)\" for \(flag): \(reason)", kind: .usage)
        case let .file(path, line):
            return Diagnostic("\(path):\(line): invalid value \"\(text)\" for \(option.rawValue): \(reason)")
        }
    }
}

/// One `[TYPE]` section of a `.drover` file: settings for that process type only.
public struct TypeSection: Equatable, Sendable {
    public var type: String
    public var file: String
    /// The line of the `[TYPE]` header.
    public var line: Int
    public var values: [LaunchOption: OptionValue]

    public init(type: String, file: String, line: Int, values: [LaunchOption: OptionValue] = [:]) {
        self.type = type
        self.file = file
        self.line = line
        self.values = values
    }
}

/// The options in effect: command-line values over defaults-file values, and the
/// defaults file's per-type sections.
public struct LaunchOptions: Equatable, Sendable {
    public var values: [LaunchOption: OptionValue] = [:]
    /// `[TYPE]` sections, in file order (only a defaults file has them).
    public var sections: [TypeSection] = []
    /// Defaults-file values the command line replaced: per-type specs still apply
    /// to the types the command line does not name.
    public var shadowed: [LaunchOption: OptionValue] = [:]

    public init(_ values: [LaunchOption: OptionValue] = [:], sections: [TypeSection] = []) {
        self.values = values
        self.sections = sections
    }

    public subscript(option: LaunchOption) -> OptionValue? {
        get { values[option] }
        set { values[option] = newValue }
    }

    /// These options with `overrides` on top (command line over defaults file).
    public func overridden(by overrides: LaunchOptions) -> LaunchOptions {
        var merged = LaunchOptions(values.merging(overrides.values) { _, new in new }, sections: sections + overrides.sections)
        merged.shadowed = shadowed.merging(values.filter { overrides.values[$0.key] != nil }) { _, new in new }
        return merged
    }

    /// The section for `type`, if the defaults file has one.
    public func section(for type: String) -> TypeSection? {
        sections.first { $0.type == type }
    }
}
