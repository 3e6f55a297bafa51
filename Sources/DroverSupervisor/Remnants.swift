import DroverCore
import DroverSystem

#if canImport(Glibc)
    import Glibc
#endif

/// What is left of the formation beyond its live leaders: members of groups whose
/// leader exited (each with the rest of its teardown), and strays, orphans reparented
/// to drover that left their group. `Instances` names the live leaders; this signals
/// everything else and tells when it is gone.
final class Remnants {
    /// Groups whose leader exited while members remain, each with its teardown.
    private var lingering: [Int32: Teardown] = [:]
    /// Strays that already had the shutdown's SIGTERM.
    private var terminatedStrays: Set<Int32> = []
    private let guardian: Guardian?
    private let deadlines: Deadlines

    init(guardian: Guardian?, deadlines: Deadlines) {
        self.guardian = guardian
        self.deadlines = deadlines
    }

    var groups: [Int32] { Array(lingering.keys) }

    /// Members left in a group whose leader exited get the rest of its teardown.
    func tearDown(_ group: Int32, _ teardown: Teardown, signalNow step: Teardown.Step?) {
        guard Children.groupHasMembers(group) else {
            guardian?.forget(group)
            return
        }
        if let step { Children.signalGroup(group, step.number) }
        lingering[group] = teardown
        if let deadline = teardown.deadline { deadlines.schedule(.lingering(group), at: deadline) }
    }

    func deadlinePassed(_ group: Int32, now: Int64) {
        guard var teardown = lingering[group], let step = teardown.tick(now: now) else { return }
        lingering[group] = teardown
        Children.signalGroup(group, step.number)
    }

    /// Forgets groups that have emptied, and lets the guardian go once a stopping
    /// formation has nothing left.
    func settle(stopping: Bool, leadersLeft: Bool) {
        for group in lingering.keys where !Children.groupHasMembers(group) {
            lingering[group] = nil
            guardian?.forget(group)
        }
        if stopping, lingering.isEmpty, !leadersLeft, let guardian, !guardian.isDismissed {
            guardian.dismiss()
        }
    }

    /// Every live leader's group, what lingers, then every other child of drover.
    func signalAll(_ signal: Int32, leaders: Set<Int32>) {
        let groups = leaders.union(lingering.keys)
        for group in groups { Children.signalGroup(group, signal) }
        for pid in strays(outside: groups, leaders: leaders) {
            Children.signal(pid, signal)
            terminatedStrays.insert(pid)
        }
    }

    /// While draining, orphans that arrived since the last sweep get their SIGTERM (or
    /// SIGKILL once the shutdown is killing).
    func signalStrays(killing: Bool, leaders: Set<Int32>) {
        for pid in strays(outside: leaders.union(lingering.keys), leaders: leaders)
        where killing || !terminatedStrays.contains(pid) {
            Children.signal(pid, killing ? SIGKILL : SIGTERM)
            terminatedStrays.insert(pid)
        }
    }

    /// Groups with a member, plus strays outside them: what SIGKILL would hit.
    func countRunning(leaders: Set<Int32>) -> Int {
        let groups = leaders.union(lingering.keys).filter(Children.groupHasMembers)
        return groups.count + strays(outside: groups, leaders: leaders).count
    }

    /// drover's children outside `groups` (which get their signals as groups, once),
    /// other than leaders and the guardian.
    private func strays(outside groups: Set<Int32>, leaders: Set<Int32>) -> [Int32] {
        Subreaper.children().filter {
            !leaders.contains($0) && $0 != guardian?.pid && !groups.contains(Children.processGroup(of: $0))
        }
    }
}

extension Teardown.Step {
    var number: Int32 { self == .terminate ? SIGTERM : SIGKILL }
}
