/// Every line drover writes of its own, by event: the sentence of the text format
/// (unchanged from when they were bare strings) and the fields of the JSON format.
/// Durations are whole milliseconds (`*_ms`); a termination is `code` or `signal`.
extension SystemEvent {
    /// What drover says without a more specific event (warnings, notices).
    public static func notice(_ text: String) -> SystemEvent {
        SystemEvent("notice", text: text)
    }

    // MARK: An instance's runs

    public static func started(_ name: String, pid: Int32, port: Int) -> SystemEvent {
        SystemEvent(
            "started", instance: name, fields: [Field("pid", .integer(Int(pid))), Field("port", .integer(port))],
            text: "\(name) started with pid \(pid) (port \(port))")
    }

    public static func spawnFailed(_ name: String, reason: String, shell: String, root: String) -> SystemEvent {
        SystemEvent(
            "spawn-failed", instance: name, fields: [Field("error", .string(reason))],
            text: "\(name) could not start: \(reason) (\(shell) in \(root))")
    }

    /// `web.1 exited with code 3` (a stop drover asked for, or an ending that stays).
    public static func exited(_ name: String, _ termination: Termination) -> SystemEvent {
        SystemEvent("exited", instance: name, fields: termination.fields, text: "\(name) \(termination)")
    }

    /// An ending nobody asked for, which the restart policy turns into a restart.
    public static func restarting(
        _ name: String, _ cause: EndingCause, delayMilliseconds delay: Int, restart: Int
    ) -> SystemEvent {
        SystemEvent(
            "restarting", instance: name,
            fields: cause.fields + [Field("delay_ms", .integer(delay)), Field("restart", .integer(restart))],
            text: "\(name) \(cause); restarting in \(Seconds.text(milliseconds: delay)) (restart \(restart))")
    }

    /// The restart limit was reached.
    public static func gaveUp(_ name: String, _ cause: EndingCause, restarts: Int) -> SystemEvent {
        SystemEvent(
            "gave-up", instance: name, fields: cause.fields + [Field("restarts", .integer(restarts))],
            text: "\(name) \(cause); giving up after \(restarts) \(restarts == 1 ? "restart" : "restarts")")
    }

    /// An ending without a restart: `exited` for an exit, `failed` for a run never ready.
    public static func ended(_ name: String, _ cause: EndingCause) -> SystemEvent {
        let event = if case .exited = cause { "exited" } else { "failed" }
        return SystemEvent(event, instance: name, fields: cause.fields, text: "\(name) \(cause)")
    }

    public static func killing(_ name: String, pid: Int32, graceMilliseconds grace: Int) -> SystemEvent {
        SystemEvent(
            "killing", instance: name,
            fields: [Field("signal", .string("SIGKILL")), Field("pid", .integer(Int(pid))), Field("after_ms", .integer(grace))],
            text: "sending SIGKILL to \(name), still running after \(Seconds.text(milliseconds: grace))")
    }

    // MARK: Readiness, start order, hand-over

    public static func ready(_ name: String, probe: String, elapsed: String) -> SystemEvent {
        SystemEvent(
            "ready", instance: name, fields: [Field("probe", .string(probe)), Field("after", .string(elapsed))],
            text: "\(name) ready after \(elapsed) (\(probe))")
    }

    public static func notReady(_ name: String, probe: String, timeoutMilliseconds timeout: Int, why: String) -> SystemEvent {
        SystemEvent(
            "not-ready", instance: name,
            fields: [Field("probe", .string(probe)), Field("timeout_ms", .integer(timeout)), Field("reason", .string(why))],
            text: "\(name) not ready after \(Seconds.text(milliseconds: timeout)) (\(probe): \(why))")
    }

    /// A type that waited on a one-shot that failed: it is not started.
    public static func blocked(type: String, by name: String, _ termination: Termination) -> SystemEvent {
        SystemEvent(
            "blocked", instance: name, fields: [Field("type", .string(type))] + termination.fields,
            text: "\(type) not started: \(name) \(termination)")
    }

    public static func handingOver(_ name: String, pid: Int32) -> SystemEvent {
        SystemEvent(
            "handing-over", instance: name, fields: [Field("pid", .integer(Int(pid)))],
            text: "\(name) restarting: a new run starts beside pid \(pid), which serves until it is ready")
    }

    public static func handedOver(_ name: String, pid: Int32) -> SystemEvent {
        SystemEvent(
            "handed-over", instance: name, fields: [Field("pid", .integer(Int(pid)))],
            text: "\(name) handed over; stopping the old run (pid \(pid))")
    }

    // MARK: Watching files

    /// `web: restarting (app/main.py and 2 more changed)`; the JSON names at most ten paths.
    public static func filesChanged(_ restart: WatchPlan.Restart) -> SystemEvent {
        let type = restart.type
        guard let first = restart.paths.first, !restart.changesLost else {
            return SystemEvent(
                "restarting", fields: [Field("type", .string(type)), Field("reason", .string("changes-lost"))],
                text: "\(type): restarting (file changes were lost)")
        }
        let count = restart.paths.count
        let more = count > 1 ? " and \(count - 1) more" : ""
        return SystemEvent(
            "restarting",
            fields: [
                Field("type", .string(type)), Field("reason", .string("files-changed")), Field("changed", .integer(count)),
                Field("paths", .array(restart.paths.prefix(10).map(JSONValue.string))),
            ],
            text: "\(type): restarting (\(first)\(more) changed)")
    }

    public static func watchFailed(path: String, reason: String) -> SystemEvent {
        SystemEvent(
            "watch-failed", fields: [Field("path", .string(path)), Field("error", .string(reason))],
            text: "cannot watch \(path) (\(reason)); changes there are not seen")
    }

    /// `limit`: the value of fs.inotify.max_user_watches, when it can be read.
    public static func watchLimitReached(directories count: Int, under path: String, limit: Int?) -> SystemEvent {
        let shown = limit.map { " = \($0)" } ?? ""
        return SystemEvent(
            "watch-limit", fields: [Field("path", .string(path)), Field("unwatched", .integer(count))] + limitField(limit),
            text: "cannot watch \(count) director\(count == 1 ? "y" : "ies") under \(path): "
                + "the inotify watch limit (fs.inotify.max_user_watches\(shown)) is reached, so changes there are not seen; "
                + "raise it (sysctl fs.inotify.max_user_watches=524288) or ignore more (--watch-ignore)")
    }

    /// `limit`: the value of fs.inotify.max_queued_events, when it can be read.
    public static func watchOverflow(limit: Int?) -> SystemEvent {
        let shown = limit.map { " = \($0)" } ?? ""
        return SystemEvent(
            "watch-overflow", fields: limitField(limit),
            text: "too many file changes at once: the kernel's queue (fs.inotify.max_queued_events\(shown)) overflowed and "
                + "some were lost, so every watched type restarts; raise it (sysctl fs.inotify.max_queued_events=65536) "
                + "if this recurs")
    }

    public static func watchEnded(reason: String) -> SystemEvent {
        SystemEvent(
            "watch-failed", fields: [Field("error", .string(reason))],
            text: "cannot read file changes (\(reason)); --watch stops here")
    }

    private static func limitField(_ limit: Int?) -> [Field] {
        limit.map { [Field("limit", .integer($0))] } ?? []
    }

    // MARK: The formation's stop

    public static func stopping(_ reason: ShutdownPlan.Reason) -> SystemEvent {
        var fields: [Field] = []
        switch reason {
        case let .signal(signal): fields = [Field("reason", .string("signal")), Field("signal", .string(signal.name))]
        case let .outputLost(why): fields = [Field("reason", .string("output-lost")), Field("error", .string(why))]
        case .requested: fields = [Field("reason", .string("requested"))]
        case let .instanceExited(name, termination):
            fields = [Field("reason", .string("instance-exited")), Field("instance", .string(name))] + termination.fields
        case let .formationEnded(code): fields = [Field("reason", .string("ended")), Field("code", .integer(Int(code)))]
        }
        return SystemEvent("stopping", fields: fields, text: "\(reason), stopping all processes")
    }

    /// SIGTERM to everything, or to the first shutdown stage.
    public static func terminating(dependentsFirst: Bool) -> SystemEvent {
        SystemEvent(
            "terminating", fields: [Field("signal", .string("SIGTERM")), Field("staged", .bool(dependentsFirst))],
            text: dependentsFirst ? "sending SIGTERM to dependents first" : "sending SIGTERM to all processes")
    }

    public static func stoppingStage(_ types: [String], stage: Int, of count: Int) -> SystemEvent {
        SystemEvent(
            "stopping-stage",
            fields: [
                Field("types", .array(types.map(JSONValue.string))), Field("stage", .integer(stage + 1)),
                Field("stages", .integer(count)),
            ],
            text: "stopping \(types.joined(separator: ", ")) (shutdown stage \(stage + 1) of \(count))")
    }

    public static let everythingEnded = SystemEvent("ended", text: "every process has ended")

    public static func forwarding(_ signal: StopSignal) -> SystemEvent {
        SystemEvent(
            "forwarding", fields: [Field("signal", .string(signal.name))],
            text: "\(signal.name) received, forwarding it to all processes")
    }

    /// "SIGINT received again; sending SIGKILL to 1 process still running", or
    /// "sending SIGKILL to 3 processes still running after 5s".
    public static func killingAll(_ count: Int, again signal: StopSignal?, afterMilliseconds: Int?) -> SystemEvent {
        var fields = [Field("signal", .string("SIGKILL")), Field("processes", .integer(count))]
        if let afterMilliseconds { fields.append(Field("after_ms", .integer(afterMilliseconds))) }
        if let signal { fields.append(Field("received", .string(signal.name))) }
        let reason = signal.map { "\($0.name) received again; " } ?? ""
        let after = afterMilliseconds.map { " after \(Seconds.text(milliseconds: $0))" } ?? ""
        return SystemEvent(
            "killing", fields: fields,
            text: "\(reason)sending SIGKILL to \(count) \(count == 1 ? "process" : "processes") still running\(after)")
    }

    // MARK: drover's own parts

    public static func guardianReplaced(_ termination: Termination, pid: Int32) -> SystemEvent {
        SystemEvent(
            "guardian-restarted", fields: termination.fields + [Field("pid", .integer(Int(pid)))],
            text: "the guardian process \(termination); started another (pid \(pid))")
    }

    public static func guardianLost(_ termination: Termination, reason: String) -> SystemEvent {
        SystemEvent(
            "guardian-lost", fields: termination.fields + [Field("error", .string(reason))],
            text:
                "the guardian process \(termination) and cannot be restarted (\(reason)); processes will outlive drover if it is killed"
        )
    }

    public static func logFileFailed(path: String, reason: String) -> SystemEvent {
        SystemEvent(
            "log-file-failed", fields: [Field("path", .string(path)), Field("error", .string(reason))],
            text: LogFileOutage.report(path: path, reason: reason))
    }

    public static func logFileRecovered(_ outage: LogFileOutage) -> SystemEvent {
        SystemEvent(
            "log-file-recovered", fields: [Field("path", .string(outage.path)), Field("dropped", .integer(outage.dropped))],
            text: outage.recovery)
    }

    public static func logFileReopened(path: String) -> SystemEvent {
        SystemEvent("log-file-reopened", fields: [Field("path", .string(path))], text: "reopened \(path)")
    }

    public static func controlPaused(reason: String) -> SystemEvent {
        SystemEvent(
            "control-paused", fields: [Field("error", .string(reason))],
            text: "cannot accept control connections (\(reason)); trying again every 0.1s")
    }

    public static let controlResumed = SystemEvent("control-resumed", text: "control connections accepted again")
}

/// Why a run ended on its own, for the lines about it.
public enum EndingCause: Equatable, Sendable, CustomStringConvertible {
    case exited(Termination)
    case spawnFailed
    case notReady

    /// `exited with code 3`, `could not start`, `was not ready in time`.
    public var description: String {
        switch self {
        case let .exited(termination): termination.description
        case .spawnFailed: "could not start"
        case .notReady: "was not ready in time"
        }
    }

    var fields: [SystemEvent.Field] {
        switch self {
        case let .exited(termination): termination.fields
        case .spawnFailed: [SystemEvent.Field("reason", .string("spawn-failed"))]
        case .notReady: [SystemEvent.Field("reason", .string("not-ready"))]
        }
    }
}

extension Termination {
    /// `code` for an exit, `signal` (its name) for a signal.
    var fields: [SystemEvent.Field] {
        switch self {
        case let .exited(code): [SystemEvent.Field("code", .integer(Int(code)))]
        case let .signaled(_, name): [SystemEvent.Field("signal", .string(name))]
        }
    }
}
