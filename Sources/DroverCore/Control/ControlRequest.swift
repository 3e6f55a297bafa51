/// What a client asks of a running drover: one JSON object on one line.
public enum ControlRequest: Equatable, Sendable {
    /// `ps`.
    case status
    /// New counts per type.
    case scale([FormationCount])
    /// Graceful stop, then start with the same number and PORT; none = all.
    case restart([InstanceSelector])
    /// Stop and leave stopped.
    case stop([InstanceSelector])
    /// Start stopped (or ended) instances again.
    case start([InstanceSelector])
    /// Drain the formation and exit, as on SIGTERM.
    case quit
    /// The last `lines` lines per instance, then (with `follow`) the live stream, in
    /// `format` (whatever the supervisor's own is; `color` counts for text only).
    case logs(lines: Int, follow: Bool, targets: [InstanceSelector], color: Bool, format: LogFormat = .text)
    /// Open the `--log` file again by its path (after logrotate renamed it).
    case reopenLogs
    /// Connect to one instance's pseudo-terminal: after the reply the connection
    /// carries `AttachFrame`s. `window` is the client's terminal size, if it has one.
    case attach(InstanceSelector, window: WindowSize?)

    public static let version = 1
    /// A request line longer than this (not counting its `\n`) is refused.
    public static let maximumLength = 65_536

    /// The request as sent.
    public var json: JSONValue {
        var members: [(String, JSONValue)] = [("version", .integer(Self.version))]
        func targets(_ selectors: [InstanceSelector]) -> JSONValue { .array(selectors.map { .string($0.description) }) }
        switch self {
        case .status: members.append(("command", .string("ps")))
        case let .scale(counts):
            members.append(("command", .string("scale")))
            members.append(("counts", .object(counts.map { ($0.type, .integer($0.count)) })))
        case let .restart(selectors): members += [("command", .string("restart")), ("targets", targets(selectors))]
        case let .stop(selectors): members += [("command", .string("stop")), ("targets", targets(selectors))]
        case let .start(selectors): members += [("command", .string("start")), ("targets", targets(selectors))]
        case .quit: members.append(("command", .string("quit")))
        case .reopenLogs: members.append(("command", .string("reopen-logs")))
        case let .attach(selector, window):
            members += [("command", .string("attach")), ("target", .string(selector.description))]
            if let window {
                members += [("rows", .integer(Int(window.rows))), ("columns", .integer(Int(window.columns)))]
            }
        case let .logs(lines, follow, selectors, color, format):
            members += [
                ("command", .string("logs")), ("lines", .integer(lines)), ("follow", .bool(follow)),
                ("targets", targets(selectors)), ("color", .bool(color)),
            ]
            // Left out for text, so a client speaks to a drover from before the option.
            if format != .text { members.append(("format", .string(format.rawValue))) }
        }
        return .object(members)
    }

    /// Reads one request line; every problem becomes an error reply, never a crash.
    public static func parse(_ line: String) throws(InvalidValue) -> ControlRequest {
        let value = try JSONValue.parse(line)
        guard case .object = value else { throw InvalidValue("a request is a JSON object") }
        guard let versionValue = value["version"] else { throw InvalidValue("missing \"version\"") }
        guard case let .integer(version) = versionValue else {
            throw InvalidValue("\"version\" must be a number (\(Self.version)), not \(versionValue.kind)")
        }
        guard version == Self.version else {
            throw InvalidValue("unsupported protocol version \(version) (this drover speaks \(Self.version))")
        }
        guard let commandValue = value["command"] else { throw InvalidValue("missing \"command\"") }
        guard case let .string(command) = commandValue else {
            throw InvalidValue("\"command\" must be a string, not \(commandValue.kind)")
        }
        switch command {
        case "ps": return .status
        case "quit": return .quit
        case "reopen-logs": return .reopenLogs
        case "scale":
            guard case let .object(members)? = value["counts"], !members.isEmpty else {
                throw InvalidValue("scale needs \"counts\", an object such as {\"worker\": 4}")
            }
            var counts: [FormationCount] = []
            for (type, count) in members {
                guard Procfile.isValidName(type) else { throw InvalidValue("\"\(type)\" is not a process type") }
                let limit = FormationSpec.maximumCount
                guard case let .integer(number) = count, number >= 0 else {
                    throw InvalidValue("the count for \"\(type)\" must be a whole number from 0 to \(limit)")
                }
                guard number <= limit else {
                    throw InvalidValue("the count for \"\(type)\" is above the limit of \(limit), got \(number)")
                }
                counts.append(FormationCount(type: type, count: number))
            }
            return .scale(counts)
        case "restart": return .restart(try selectors(value["targets"]))
        case "stop": return .stop(try selectors(value["targets"]))
        case "start": return .start(try selectors(value["targets"]))
        case "attach":
            guard case let .string(target)? = value["target"] else {
                throw InvalidValue("attach needs \"target\", an instance name such as \"web.1\"")
            }
            return .attach(try InstanceSelector.parse(target), window: try window(value))
        case "logs":
            var lines = 100
            if let given = value["lines"] {
                guard case let .integer(number) = given, number >= 0 else {
                    throw InvalidValue("\"lines\" must be a whole number")
                }
                lines = number
            }
            var format = LogFormat.text
            if let given = value["format"] {
                guard case let .string(name) = given, let named = LogFormat(rawValue: name) else {
                    throw InvalidValue("\"format\" must be \"text\" or \"json\"")
                }
                format = named
            }
            return .logs(
                lines: lines, follow: try flag(value["follow"], "follow"), targets: try selectors(value["targets"]),
                color: try flag(value["color"], "color"), format: format)
        default:
            throw InvalidValue("unknown command \"\(command)\"")
        }
    }

    private static func selectors(_ value: JSONValue?) throws(InvalidValue) -> [InstanceSelector] {
        guard let value else { return [] }
        guard case let .array(items) = value else { throw InvalidValue("\"targets\" must be an array of names") }
        var result: [InstanceSelector] = []
        for item in items {
            guard case let .string(text) = item else { throw InvalidValue("\"targets\" must be an array of names") }
            result.append(try InstanceSelector.parse(text))
        }
        return result
    }

    /// `rows` and `columns`, both or neither, each from 1 to 65,535.
    private static func window(_ value: JSONValue) throws(InvalidValue) -> WindowSize? {
        let rows = value["rows"]
        let columns = value["columns"]
        guard rows != nil || columns != nil else { return nil }
        guard case let .integer(rowCount)? = rows, case let .integer(columnCount)? = columns,
            (1...65_535).contains(rowCount), (1...65_535).contains(columnCount)
        else { throw InvalidValue("\"rows\" and \"columns\" must both be whole numbers from 1 to 65535") }
        return WindowSize(rows: UInt16(rowCount), columns: UInt16(columnCount))
    }

    private static func flag(_ value: JSONValue?, _ name: String) throws(InvalidValue) -> Bool {
        guard let value else { return false }
        guard case let .bool(on) = value else { throw InvalidValue("\"\(name)\" must be true or false") }
        return on
    }
}

/// Who may use a drover's control socket.
public enum ControlAccess {
    /// The user drover runs as, and root; an unknown peer is refused.
    public static func allows(peer: UInt32?, own: UInt32) -> Bool {
        guard let peer else { return false }
        return peer == own || peer == 0
    }
}
