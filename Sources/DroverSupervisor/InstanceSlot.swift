import DroverCore

/// One place in the formation (`worker.3`), across restarts.
///
/// A class: the pid table, the id table and the `ps` list point at the same slot
/// while its processes come and go. Its state is its lifecycle, nothing else.
final class InstanceSlot {
    let id: Int
    let plan: PlannedInstance
    var lifecycle: InstanceLifecycle
    let source: LogSource
    /// The current run's pipe, to drain before its exit is reported.
    var stream: UInt64?

    init(id: Int, plan: PlannedInstance, lifecycle: InstanceLifecycle) {
        self.id = id
        self.plan = plan
        self.lifecycle = lifecycle
        source = LogSource(plan)
    }

    var selector: InstanceSelector { InstanceSelector(type: plan.type, number: plan.number) }
}
