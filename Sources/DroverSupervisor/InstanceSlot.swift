import DroverCore
import DroverSystem

/// One place in the formation (`worker.3`), across restarts.
///
/// A class: the loop, the token table and the pid table all point at the same slot
/// while instances come and go.
final class InstanceSlot {
    /// Why drover itself is stopping this instance; nil while it just runs.
    enum StopIntent {
        /// `drover stop NAME`: leave it stopped.
        case stop
        /// `drover restart`: start it again with the same number and PORT.
        case restart
        /// Scaled down: take it out of the formation.
        case remove
    }

    let plan: PlannedInstance
    let environment: [String]
    /// Identifies the slot's pipe in the poller.
    let token: UInt64

    /// Also its process group id: each instance leads its own group.
    var pid: Int32?
    /// nil once the pipe reached end of file.
    var output: FileDescriptor?
    var framer = LineFramer()
    /// Prefixes for the current second: the foreground style, and `logs -f` with and without color.
    var prefix: [UInt8] = []
    var followerPrefixes: (plain: [UInt8], colored: [UInt8]) = ([], [])
    var termination: Termination?
    var intent: StopIntent?
    /// SIGKILL for this instance alone, when a single stop takes too long.
    var stopDeadline: Int64?
    var startedAt: Int64?
    var restarts = 0
    /// Set once the group was seen empty, so it is never signalled again.
    var groupGone = false
    /// Stopped on request (or never started): shown as `stopped`.
    var isStopped = false
    var log = LogRing()

    init(plan: PlannedInstance, environment: [String], token: UInt64) {
        self.plan = plan
        self.environment = environment
        self.token = token
    }

    var isRunning: Bool { pid != nil && termination == nil }

    var state: InstanceStatus.State {
        if isRunning { return intent == nil ? .running : .stopping }
        if isStopped || pid == nil && termination == nil { return .stopped }
        if intent == .restart { return .starting }
        guard let termination else { return .stopped }
        return termination == .exited(code: 0) ? .exited : .crashed
    }

    func status(now: Int64) -> InstanceStatus {
        InstanceStatus(
            type: plan.type, number: plan.number, pid: isRunning ? pid : nil, state: state, port: plan.port,
            uptimeSeconds: isRunning ? startedAt.map { Int((now - $0) / 1000) } : nil, restarts: restarts,
            exitCode: termination?.shellCode)
    }
}
