import DroverCore
import DroverSystem

/// One running (or finished) instance and the end of its output pipe.
struct SupervisedInstance {
    let plan: PlannedInstance
    /// Also its process group id: each instance leads its own group.
    var pid: Int32?
    /// nil once the pipe reached end of file.
    var output: FileDescriptor?
    var framer = LineFramer()
    /// The rendered prefix for the current second.
    var prefix: [UInt8] = []
    var termination: Termination?
    /// Set once `kill(-group, 0)` said the group is empty, so it is never signalled again.
    var groupGone = false

    init(plan: PlannedInstance) {
        self.plan = plan
    }

    var isRunning: Bool { pid != nil && termination == nil }
}
