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
        case .color, .noTimestamp, .noPrefix: nil
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
        case .noTimestamp, .noPrefix: ""
        }
    }

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

    public init(_ text: String, origin: OptionOrigin) {
        self.text = text
        self.origin = origin
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

/// The options in effect: command-line values over defaults-file values.
public struct LaunchOptions: Equatable, Sendable {
    public var values: [LaunchOption: OptionValue] = [:]

    public init(_ values: [LaunchOption: OptionValue] = [:]) {
        self.values = values
    }

    public subscript(option: LaunchOption) -> OptionValue? {
        get { values[option] }
        set { values[option] = newValue }
    }

    /// These options with `overrides` on top (command line over defaults file).
    public func overridden(by overrides: LaunchOptions) -> LaunchOptions {
        LaunchOptions(values.merging(overrides.values) { _, new in new })
    }
}
