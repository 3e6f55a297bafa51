import DroverCore
import DroverSystem

#if canImport(Glibc)
    import Glibc
#endif

/// The guardian's own program (`drover __guardian MILLISECONDS RUN`), run by `Guardian`.
///
/// It reads group records from stdin until the pipe reaches end of file (drover
/// died; on a clean exit drover kills the guardian first): then every group it knows gets
/// SIGTERM, and whatever is left at the deadline SIGKILL. So do the processes that
/// left those groups and every process carrying `DROVER_RUN=RUN` in its environment,
/// which drover gives every instance: that also catches one spawned in the instant
/// before drover could report it, and orphans that moved to a group of their own.
/// It polls only in that last phase, while processes are dying, to leave as soon as
/// they are gone.
public enum GuardianProcess {
    /// The hidden first argument that makes drover a guardian.
    public static let commandName = "__guardian"

    public static func run(_ arguments: [String]) -> Int32 {
        guard arguments.count == 2, let grace = Int(arguments[0]), grace >= 0 else { return 64 }
        let run = arguments[1]
        // Stray signals meant for the terminal or drover's group must not end it early.
        for number in [SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGTSTP, SIGPIPE] { signal(number, SIG_IGN) }
        var groups = Set<Int32>()
        var carry: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 16_384)
        reading: while true {
            let count = buffer.withUnsafeMutableBytes { read(0, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            if count <= 0 { break reading }
            carry.append(contentsOf: buffer[0..<count])
            var offset = 0
            while offset + 4 <= carry.count {
                var value: Int32 = 0
                withUnsafeMutableBytes(of: &value) { $0.copyBytes(from: carry[offset..<(offset + 4)]) }
                value = Int32(littleEndian: value)
                offset += 4
                if value > 0 { groups.insert(value) } else { groups.remove(-value) }
            }
            carry.removeFirst(offset)
        }
        stop(groups, run: run, graceMilliseconds: grace)
        return 0
    }

    /// The groups, and every process of the formation outside them, get the usual
    /// teardown: descendants of the groups' members that moved to a group of their
    /// own, and orphans carrying this run's DROVER_RUN (with their descendants), such
    /// as an instance drover spawned but could not report. `/proc` is looked through
    /// again while they die, since a SIGTERM handler may start new processes.
    private static func stop(_ groups: Set<Int32>, run: String, graceMilliseconds: Int) {
        let marker = "\(InstanceLauncher.runVariable)=\(run)"
        let me = getpid()
        func outsiders() -> Set<Int32> {
            let table = ProcessTable.snapshot()
            // Only processes younger than the guardian (which started before any instance)
            // can be the formation's; of those, only the roots of their trees (whose
            // parent is older: init or a subreaper, for orphans) need their environment read.
            let born = table.first { $0.pid == me }?.startTime ?? 0
            let young = table.filter { $0.startTime >= born && $0.pid != me }
            let youngPids = Set(young.map(\.pid))
            let roots = young.filter { !youngPids.contains($0.parent) }.map(\.pid)
            let inGroups = Set(young.filter { groups.contains($0.group) }.map(\.pid))
            let seeds = inGroups.union(ProcessTable.carrying(marker, among: roots))
            return ProcessTable.family(of: seeds, in: young).subtracting(inGroups)
        }
        // The groups first: the look through `/proc` takes time on a busy machine.
        for group in groups { Children.signalGroup(group, SIGTERM) }
        let began = Clocks.monotonicMilliseconds()
        var teardown = Teardown(now: began, graceMilliseconds: graceMilliseconds)
        var alive = groups
        var singles = outsiders()
        func send(_ signal: Int32, groups: Set<Int32>, singles: Set<Int32>) {
            for group in groups { Children.signalGroup(group, signal) }
            for pid in singles { Children.signal(pid, signal) }
        }
        send(SIGTERM, groups: [], singles: singles)
        var lastScan = Clocks.monotonicMilliseconds()
        while true {
            if teardown.tick(now: Clocks.monotonicMilliseconds()) == .kill {
                // What is known first, then one more look.
                send(SIGKILL, groups: alive, singles: singles)
                send(SIGKILL, groups: [], singles: outsiders())
                return
            }
            alive = alive.filter(Children.groupHasMembers)
            singles = singles.filter { Children.signal($0, 0) }
            let now = Clocks.monotonicMilliseconds()
            let finished = alive.isEmpty && singles.isEmpty
            if finished || now - lastScan >= 100 {
                let newcomers = outsiders().subtracting(singles)
                lastScan = Clocks.monotonicMilliseconds()
                // A child drover was spawning when it died execs (and gets its DROVER_RUN)
                // a moment later: keep looking a little while before calling it done.
                if finished && newcomers.isEmpty && now - began >= 250 { return }
                send(SIGTERM, groups: [], singles: newcomers)
                singles.formUnion(newcomers)
            }
            let left = (teardown.deadline ?? now) - Clocks.monotonicMilliseconds()
            usleep(UInt32(max(1, min(20, left))) * 1000)
        }
    }
}
