/// One row of `drover ps`.
public struct InstanceStatus: Equatable, Sendable {
    public enum State: String, Sendable, CaseIterable {
        case waiting, starting, running, stopping, stopped, backoff, exited, failed
    }

    public var type: String
    public var number: Int
    public var pid: Int32?
    public var state: State
    public var port: Int
    public var uptimeSeconds: Int?
    public var restarts: Int
    public var exitCode: Int32?
    /// While in backoff: milliseconds until the next start.
    public var retryInMilliseconds: Int?
    /// Runs on a pseudo-terminal of its own (`--tty`), so `attach` can reach it.
    public var tty: Bool
    /// Running with its readiness probe passed (or none to pass).
    public var ready: Bool

    public init(
        type: String, number: Int, pid: Int32?, state: State, port: Int, uptimeSeconds: Int?, restarts: Int,
        exitCode: Int32?, retryInMilliseconds: Int? = nil, tty: Bool = false, ready: Bool? = nil
    ) {
        self.type = type
        self.number = number
        self.pid = pid
        self.state = state
        self.port = port
        self.uptimeSeconds = uptimeSeconds
        self.restarts = restarts
        self.exitCode = exitCode
        self.retryInMilliseconds = retryInMilliseconds
        self.tty = tty
        self.ready = ready ?? (state == .running)
    }

    /// The row for an instance as its lifecycle stands at `now`.
    public init(_ instance: PlannedInstance, _ lifecycle: InstanceLifecycle, tty: Bool, now: Int64) {
        var state: State
        var since: Int64?
        var retry: Int?
        switch lifecycle.state {
        case .stopped: state = .stopped
        case .waiting: state = .waiting
        case .starting: state = .starting
        // Up but not yet ready shows as still starting.
        case let .running(_, started, ready):
            state = ready ? .running : .starting
            since = started
        case let .stopping(_, started, _, _):
            state = .stopping
            since = started
        case let .backoff(until, _):
            state = .backoff
            retry = Int(max(0, until - now))
        case .exited: state = .exited
        case .failed: state = .failed
        }
        self.init(
            type: instance.type, number: instance.number, pid: lifecycle.pid, state: state, port: instance.port,
            uptimeSeconds: since.map { Int((now - $0) / 1000) }, restarts: lifecycle.restarts,
            exitCode: lifecycle.lastExit?.shellCode, retryInMilliseconds: retry, tty: tty, ready: lifecycle.isReady)
    }

    public var name: String { "\(type).\(number)" }

    public var json: JSONValue {
        .object([
            ("name", .string(name)), ("type", .string(type)), ("number", .integer(number)),
            ("pid", pid.map { .integer(Int($0)) } ?? .null), ("state", .string(state.rawValue)),
            ("port", .integer(port)), ("uptime_s", uptimeSeconds.map(JSONValue.integer) ?? .null),
            ("restarts", .integer(restarts)), ("exit_code", exitCode.map { .integer(Int($0)) } ?? .null),
            ("retry_in_s", retryInMilliseconds.map { .number(Double($0) / 1000) } ?? .null), ("tty", .bool(tty)),
            ("ready", .bool(ready)),
        ])
    }

    public init(json: JSONValue) throws(InvalidValue) {
        func integer(_ key: String) -> Int? {
            if case let .integer(value)? = json[key] { return value }
            return nil
        }
        // Whatever a reply says, a client must not trap on it: out of a day's range is no value.
        var retry: Int?
        switch json["retry_in_s"] {
        case let .number(seconds)? where (0...86_400).contains(seconds): retry = Int((seconds * 1000).rounded())
        case let .integer(seconds)? where (0...86_400).contains(seconds): retry = seconds * 1000
        default: break
        }
        guard case let .string(type)? = json["type"], let number = integer("number"), case let .string(state)? = json["state"],
            let parsedState = State(rawValue: state), let port = integer("port"), let restarts = integer("restarts")
        else { throw InvalidValue("malformed instance in reply") }
        self.init(
            type: type, number: number, pid: integer("pid").map { Int32(truncatingIfNeeded: $0) }, state: parsedState,
            port: port, uptimeSeconds: integer("uptime_s"), restarts: restarts,
            exitCode: integer("exit_code").map { Int32(truncatingIfNeeded: $0) }, retryInMilliseconds: retry,
            tty: json["tty"] == .bool(true), ready: json["ready"] == .bool(true))
    }

    /// `ps` as a table: NAME PID STATE UPTIME PORT RESTARTS EXIT; a backoff shows when it retries.
    public static func table(_ rows: [InstanceStatus]) -> String {
        let header = ["NAME", "PID", "STATE", "UPTIME", "PORT", "RESTARTS", "EXIT"]
        let cells = rows.map { row in
            [
                row.name, row.pid.map(String.init) ?? "-",
                // Tenths are enough to read; rounded up, so 0 shows only when it is due.
                row.retryInMilliseconds.map { "\(row.state.rawValue) (\(Seconds.text(milliseconds: ($0 + 99) / 100 * 100)))" }
                    ?? row.state.rawValue,
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
