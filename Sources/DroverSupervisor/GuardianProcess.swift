import DroverCore
import DroverSystem

#if canImport(Glibc)
import Glibc
#endif

/// The guardian's own program (`drover __guardian MILLISECONDS RUN`), run by `Guardian`.
///
/// It reads group records from stdin until drover says goodbye (exit at once) or
/// the pipe reaches end of file (drover died): then every group it knows gets
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
                if value == 0 { return 0 }
                if value > 0 { groups.insert(value) } else { groups.remove(-value) }
            }
            carry.removeFirst(offset)
        }
        stop(groups, run: run, graceMilliseconds: grace)
        return 0
    }

    /// The groups, and every descendant of their members that moved to a group of its
    /// own (found before anything is signalled, while parents still link them), get
    /// the usual teardown.
    private static func stop(_ groups: Set<Int32>, run: String, graceMilliseconds: Int) {
        let table = ProcessTable.snapshot()
        let inGroups = Set(table.filter { groups.contains($0.group) }.map(\.pid))
        var movedAway = ProcessTable.members(of: groups, in: table)
            .union(ProcessTable.carrying("\(InstanceLauncher.runVariable)=\(run)"))
            .subtracting(inGroups)
        movedAway.remove(getpid())
        var alive = groups
        var teardown = Teardown(now: Clocks.monotonicMilliseconds(), graceMilliseconds: graceMilliseconds)
        func send(_ signal: Int32) {
            alive = alive.filter { Children.signalGroup($0, signal) }
            movedAway = movedAway.filter { Children.signal($0, signal) }
        }
        send(SIGTERM)
        while !alive.isEmpty || !movedAway.isEmpty {
            if teardown.tick(now: Clocks.monotonicMilliseconds()) == .kill {
                send(SIGKILL)
                return
            }
            usleep(20_000)
            alive = alive.filter(Children.groupHasMembers)
            movedAway = movedAway.filter { Children.signal($0, 0) }
        }
    }
}
