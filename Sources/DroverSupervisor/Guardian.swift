import DroverCore
import DroverSystem

#if canImport(Glibc)
    import Glibc
#endif

/// drover's side of the guardian: a second copy of drover, started first, that
/// learns every process group drover starts and stops them all if drover dies
/// without saying goodbye (SIGKILL, the OOM killer, a crash).
///
/// posix_spawn cannot give a child PR_SET_PDEATHSIG, and `sh -c` forks the real
/// program, so nothing inside the formation can notice drover's death. The guardian
/// can: it reads a pipe whose only write end is drover's, and end of file means
/// drover is gone. Messages are 4-byte records: +group watch, -group forget.
final class Guardian {
    private(set) var pid: Int32
    private var writer: FileDescriptor?
    private var pending: [UInt8] = []
    private var watchingWritable = false
    private let poller: EventPoller
    private let spawnRequest: Spawn.Request

    private init(pid: Int32, writer: FileDescriptor, poller: EventPoller, spawnRequest: Spawn.Request) {
        self.pid = pid
        self.writer = writer
        self.poller = poller
        self.spawnRequest = spawnRequest
    }

    /// Starts a guardian that gives each group `graceMilliseconds` between SIGTERM and
    /// SIGKILL, and knows the instances by `DROVER_RUN=run`.
    static func launch(
        graceMilliseconds: Int, run: String, fileLimit: ResourceLimits.FileLimit?, poller: EventPoller
    ) throws(SystemError) -> Guardian {
        guard let executable = FileSystem.ownExecutable() else { throw SystemError("readlink(/proc/self/exe)", code: ENOENT) }
        var request = Spawn.Request(
            path: executable, arguments: ["drover", GuardianProcess.commandName, String(graceMilliseconds), run],
            environment: [])
        request.standardOutput = .nullDevice
        request.standardError = .nullDevice
        // Its own group: Ctrl-C and signals to drover's group must not reach it.
        request.grouping = .newProcessGroup
        request.fileLimit = fileLimit
        let (pid, writer) = try start(request)
        return Guardian(pid: pid, writer: writer, poller: poller, spawnRequest: request)
    }

    private static func start(_ request: Spawn.Request) throws(SystemError) -> (Int32, FileDescriptor) {
        let pipe = try Pipe.make(nonblockingReadEnd: false)
        var request = request
        request.standardInput = .descriptor(pipe.readEnd)
        do throws(SystemError) {
            let pid = try Spawn.run(request)
            pipe.readEnd.close()
            try pipe.writeEnd.setNonblocking(true)
            return (pid, pipe.writeEnd)
        } catch {
            pipe.readEnd.close()
            pipe.writeEnd.close()
            throw error
        }
    }

    func watch(_ group: Int32) { record(group) }

    func forget(_ group: Int32) { record(-group) }

    private func record(_ value: Int32) {
        guard writer != nil else { return }
        withUnsafeBytes(of: value.littleEndian) { pending.append(contentsOf: $0) }
    }

    /// Writes what waits; if the pipe is full, the loop says when it drains.
    func flush() {
        guard let writer, !pending.isEmpty else { return }
        var written = 0
        while written < pending.count {
            let count: Int
            do {
                count = try pending.withUnsafeBytes { try writer.writeSome(UnsafeRawBufferPointer(rebasing: $0[written...])) }
            } catch {
                // The guardian is gone; its exit is reaped and reported.
                pending.removeAll()
                return
            }
            if count == 0 { break }
            written += count
        }
        pending.removeFirst(written)
        let wantWritable = !pending.isEmpty
        if wantWritable != watchingWritable {
            watchingWritable = wantWritable
            if wantWritable {
                try? poller.add(writer, token: EventSource.guardian.token, interest: .writable)
            } else {
                poller.remove(writer)
            }
        }
    }

    /// drover is ending cleanly: the guardian must go without touching anything.
    /// SIGKILL, before its pipe closes: a message could not get through to a guardian
    /// that is stopped or behind on a full pipe, and drover would wait for it forever.
    func dismiss() {
        guard let writer else { return }
        Children.signal(pid, SIGKILL)
        if watchingWritable { poller.remove(writer) }
        pending.removeAll()
        writer.close()
        self.writer = nil
    }

    var isDismissed: Bool { writer == nil }

    /// The guardian died on its own: start another and tell it every group still alive.
    func replace(watching groups: [Int32]) throws(SystemError) {
        if let writer {
            if watchingWritable { poller.remove(writer) }
            writer.close()
        }
        watchingWritable = false
        pending.removeAll()
        writer = nil
        let (pid, writer) = try Self.start(spawnRequest)
        self.pid = pid
        self.writer = writer
        for group in groups { watch(group) }
        flush()
    }
}
