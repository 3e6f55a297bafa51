/// drover's answer to one request, typed like the request; on the wire
/// `{"version":1,"ok":true,...}` or `{"version":1,"ok":false,"error":"..."}`.
public enum ControlReply: Equatable, Sendable {
    /// To `ps`, `restart`, `stop` and `start`: the formation as it is now.
    case status(FormationStatus)
    /// To `scale`: every type's count afterwards, and the instances that could not
    /// start (the rest of the change stands).
    case scaled([FormationCount], startErrors: [String] = [])
    /// To `quit`: the formation is stopping; drover's pid.
    case quitting(pid: Int)
    /// To `logs`: log lines follow this reply (until the client hangs up, with `follow`).
    case logs(follow: Bool)
    /// To `reopen-logs`: the path of the log file now written to.
    case reopened(path: String)
    /// To `attach`: the instance attached to; frames follow this reply.
    case attached(name: String)
    case failure(String)

    public var json: JSONValue {
        var members: [(String, JSONValue)] = [("version", .integer(ControlRequest.version))]
        switch self {
        case let .status(status):
            members += [
                ("ok", .bool(true)), ("pid", .integer(status.pid)), ("stopping", .bool(status.stopping)),
                ("instances", .array(status.instances.map(\.json))),
            ]
            members += Self.startErrorsMember(status.startErrors)
        case let .scaled(formation, startErrors):
            members += [("ok", .bool(true)), ("formation", .object(formation.map { ($0.type, .integer($0.count)) }))]
            members += Self.startErrorsMember(startErrors)
        case let .quitting(pid):
            members += [("ok", .bool(true)), ("pid", .integer(pid))]
        case let .logs(follow):
            members += [("ok", .bool(true)), ("follow", .bool(follow))]
        case let .reopened(path):
            members += [("ok", .bool(true)), ("log", .string(path))]
        case let .attached(name):
            members += [("ok", .bool(true)), ("name", .string(name))]
        case let .failure(message):
            members += [("ok", .bool(false)), ("error", .string(message))]
        }
        return .object(members)
    }

    /// `"start_errors"`, only when a spawn failed.
    private static func startErrorsMember(_ errors: [String]) -> [(String, JSONValue)] {
        errors.isEmpty ? [] : [("start_errors", .array(errors.map(JSONValue.string)))]
    }

    private static func startErrors(_ value: JSONValue) throws(InvalidValue) -> [String] {
        guard let member = value["start_errors"] else { return [] }
        guard case let .array(items) = member else { throw InvalidValue("the reply has bad \"start_errors\"") }
        var errors: [String] = []
        for item in items {
            guard case let .string(text) = item else { throw InvalidValue("the reply has bad \"start_errors\"") }
            errors.append(text)
        }
        return errors
    }

    /// Reads the reply to `request`; a reply of the wrong shape is an error, not a guess.
    public static func parse(_ line: String, answering request: ControlRequest) throws(InvalidValue) -> ControlReply {
        let value = try JSONValue.parse(line)
        guard case let .bool(ok)? = value["ok"] else { throw InvalidValue("no \"ok\" in the reply") }
        guard ok else {
            if case let .string(message)? = value["error"] { return .failure(message) }
            return .failure("request failed")
        }
        switch request {
        case .status, .restart, .stop, .start:
            guard case let .integer(pid)? = value["pid"], case let .bool(stopping)? = value["stopping"],
                case let .array(items)? = value["instances"]
            else { throw InvalidValue("the reply has no instance list") }
            var instances: [InstanceStatus] = []
            instances.reserveCapacity(items.count)
            for item in items { instances.append(try InstanceStatus(json: item)) }
            return .status(
                FormationStatus(pid: pid, stopping: stopping, instances: instances, startErrors: try startErrors(value)))
        case .scale:
            guard case let .object(members)? = value["formation"] else { throw InvalidValue("the reply has no formation") }
            var counts: [FormationCount] = []
            for (type, count) in members {
                guard case let .integer(number) = count else { throw InvalidValue("the reply has a bad count") }
                counts.append(FormationCount(type: type, count: number))
            }
            return .scaled(counts, startErrors: try startErrors(value))
        case .quit:
            guard case let .integer(pid)? = value["pid"] else { throw InvalidValue("the reply has no pid") }
            return .quitting(pid: pid)
        case .logs:
            guard case let .bool(follow)? = value["follow"] else { throw InvalidValue("the reply has no \"follow\"") }
            return .logs(follow: follow)
        case .reopenLogs:
            guard case let .string(path)? = value["log"] else { throw InvalidValue("the reply has no \"log\"") }
            return .reopened(path: path)
        case .attach:
            guard case let .string(name)? = value["name"] else { throw InvalidValue("the reply has no \"name\"") }
            return .attached(name: name)
        }
    }
}

/// What `ps` reports: drover's pid, whether it is stopping, and every instance.
public struct FormationStatus: Equatable, Sendable {
    public var pid: Int
    public var stopping: Bool
    public var instances: [InstanceStatus]
    /// Instances a request tried to start that could not be spawned, with the reason.
    public var startErrors: [String]

    public init(pid: Int, stopping: Bool, instances: [InstanceStatus], startErrors: [String] = []) {
        self.pid = pid
        self.stopping = stopping
        self.instances = instances
        self.startErrors = startErrors
    }
}
