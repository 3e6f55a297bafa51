/// `web` (every instance of a type) or `web.2` (one instance).
public struct InstanceSelector: Equatable, Sendable, CustomStringConvertible {
    public var type: String
    public var number: Int?

    public init(type: String, number: Int? = nil) {
        self.type = type
        self.number = number
    }

    public static func parse(_ text: String) throws(InvalidValue) -> InstanceSelector {
        if Procfile.isValidName(text) { return InstanceSelector(type: text) }
        let parts = text.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.count == 2, Procfile.isValidName(String(parts[0])), let number = WholeNumber.parse(parts[1]), number > 0
        else { throw InvalidValue("\"\(text)\" is not a process name (NAME or NAME.N)") }
        return InstanceSelector(type: String(parts[0]), number: number)
    }

    public func matches(type: String, number: Int) -> Bool {
        self.type == type && (self.number == nil || self.number == number)
    }

    public var description: String { number.map { "\(type).\($0)" } ?? type }
}

extension Array where Element == InstanceSelector {
    /// Whether these selectors take instance `type.number`; no selector at all takes every one.
    public func selects(type: String, number: Int) -> Bool {
        isEmpty || contains { $0.matches(type: type, number: number) }
    }
}

/// What a client asks of a running drover: one JSON object on one line.
public enum ControlRequest: Equatable, Sendable {
    /// `ps`.
    case status
    /// New counts per type.
    case scale([(type: String, count: Int)])
    /// Graceful stop, then start with the same number and PORT; none = all.
    case restart([InstanceSelector])
    /// Stop and leave stopped.
    case stop([InstanceSelector])
    /// Start stopped instances again.
    case start([InstanceSelector])
    /// Drain the formation and exit, as on SIGTERM.
    case quit
    /// The last `lines` lines per instance, then (with `follow`) the live stream.
    case logs(lines: Int, follow: Bool, targets: [InstanceSelector], color: Bool)

    public static let version = 1
    /// A request line longer than this is refused.
    public static let maximumLength = 65_536

    public static func == (lhs: ControlRequest, rhs: ControlRequest) -> Bool {
        lhs.json == rhs.json
    }

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
        case let .logs(lines, follow, selectors, color):
            members += [
                ("command", .string("logs")), ("lines", .integer(lines)), ("follow", .bool(follow)),
                ("targets", targets(selectors)), ("color", .bool(color)),
            ]
        }
        return .object(members)
    }

    /// Reads one request line; every problem becomes an error reply, never a crash.
    public static func parse(_ line: String) throws(InvalidValue) -> ControlRequest {
        let value = try JSONValue.parse(line)
        guard case .object = value else { throw InvalidValue("a request is a JSON object") }
        guard case let .integer(version)? = value["version"] else { throw InvalidValue("missing \"version\"") }
        guard version == Self.version else {
            throw InvalidValue("unsupported protocol version \(version) (this drover speaks \(Self.version))")
        }
        guard case let .string(command)? = value["command"] else { throw InvalidValue("missing \"command\"") }
        switch command {
        case "ps": return .status
        case "quit": return .quit
        case "scale":
            guard case let .object(members)? = value["counts"], !members.isEmpty else {
                throw InvalidValue("scale needs \"counts\", an object such as {\"worker\": 4}")
            }
            var counts: [(type: String, count: Int)] = []
            for (type, count) in members {
                guard Procfile.isValidName(type) else { throw InvalidValue("\"\(type)\" is not a process type") }
                guard case let .integer(number) = count, (0...10_000).contains(number) else {
                    throw InvalidValue("the count for \"\(type)\" must be a whole number from 0 to 10000")
                }
                counts.append((type, number))
            }
            return .scale(counts)
        case "restart": return .restart(try selectors(value["targets"]))
        case "stop": return .stop(try selectors(value["targets"]))
        case "start": return .start(try selectors(value["targets"]))
        case "logs":
            var lines = 100
            if let given = value["lines"] {
                guard case let .integer(number) = given, number >= 0 else {
                    throw InvalidValue("\"lines\" must be a whole number")
                }
                lines = number
            }
            return .logs(
                lines: lines, follow: try flag(value["follow"], "follow"), targets: try selectors(value["targets"]),
                color: try flag(value["color"], "color"))
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

    private static func flag(_ value: JSONValue?, _ name: String) throws(InvalidValue) -> Bool {
        guard let value else { return false }
        guard case let .bool(on) = value else { throw InvalidValue("\"\(name)\" must be true or false") }
        return on
    }
}

/// Replies: `{"version":1,"ok":true,...}` or `{"version":1,"ok":false,"error":"..."}`.
public enum ControlReply {
    public static func success(_ members: [(String, JSONValue)] = []) -> JSONValue {
        .object([("version", .integer(ControlRequest.version)), ("ok", .bool(true))] + members)
    }

    public static func failure(_ message: String) -> JSONValue {
        .object([("version", .integer(ControlRequest.version)), ("ok", .bool(false)), ("error", .string(message))])
    }
}

/// One row of `drover ps`.
public struct InstanceStatus: Equatable, Sendable {
    public enum State: String, Sendable {
        case starting, running, stopping, stopped, exited, crashed
    }

    public var type: String
    public var number: Int
    public var pid: Int32?
    public var state: State
    public var port: Int
    public var uptimeSeconds: Int?
    public var restarts: Int
    public var exitCode: Int32?

    public init(
        type: String, number: Int, pid: Int32?, state: State, port: Int, uptimeSeconds: Int?, restarts: Int,
        exitCode: Int32?
    ) {
        self.type = type
        self.number = number
        self.pid = pid
        self.state = state
        self.port = port
        self.uptimeSeconds = uptimeSeconds
        self.restarts = restarts
        self.exitCode = exitCode
    }

    public var name: String { "\(type).\(number)" }

    public var json: JSONValue {
        .object([
            ("name", .string(name)), ("type", .string(type)), ("number", .integer(number)),
            ("pid", pid.map { .integer(Int($0)) } ?? .null), ("state", .string(state.rawValue)),
            ("port", .integer(port)), ("uptime_s", uptimeSeconds.map(JSONValue.integer) ?? .null),
            ("restarts", .integer(restarts)), ("exit_code", exitCode.map { .integer(Int($0)) } ?? .null),
        ])
    }

    public init(json: JSONValue) throws(InvalidValue) {
        func integer(_ key: String) -> Int? {
            if case let .integer(value)? = json[key] { return value }
            return nil
        }
        guard case let .string(type)? = json["type"], let number = integer("number"), case let .string(state)? = json["state"],
              let parsedState = State(rawValue: state), let port = integer("port"), let restarts = integer("restarts")
        else { throw InvalidValue("malformed instance in reply") }
        self.init(
            type: type, number: number, pid: integer("pid").map { Int32($0) }, state: parsedState, port: port,
            uptimeSeconds: integer("uptime_s"), restarts: restarts, exitCode: integer("exit_code").map { Int32($0) })
    }

    /// `ps` as a table: NAME PID STATE UPTIME PORT RESTARTS EXIT.
    public static func table(_ rows: [InstanceStatus]) -> String {
        let header = ["NAME", "PID", "STATE", "UPTIME", "PORT", "RESTARTS", "EXIT"]
        let cells = rows.map { row in
            [
                row.name, row.pid.map(String.init) ?? "-", row.state.rawValue,
                row.uptimeSeconds.map(Self.duration) ?? "-", String(row.port), String(row.restarts),
                row.exitCode.map(String.init) ?? "-",
            ]
        }
        let widths = header.indices.map { column in ([header] + cells).map { $0[column].count }.max() ?? 0 }
        func line(_ values: [String]) -> String {
            var text = ""
            for (column, value) in values.enumerated() {
                let isLast = column == values.count - 1
                text += isLast ? value : value + String(repeating: " ", count: widths[column] - value.count + 2)
            }
            return text + "\n"
        }
        return ([header] + cells).map(line).joined()
    }

    /// `45s`, `3m05s`, `2h07m`.
    public static func duration(_ seconds: Int) -> String {
        if seconds < 60 { return "\(seconds)s" }
        func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
        if seconds < 3600 { return "\(seconds / 60)m\(two(seconds % 60))s" }
        return "\(seconds / 3600)h\(two(seconds / 60 % 60))m"
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
