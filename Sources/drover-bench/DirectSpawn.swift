import DroverSystem
import Foundation

/// The floor for the "N ready" rows: the harness itself spawns the N commands and
/// reads their `ready` lines, with no manager in between.
///
/// Each child gets its own pipe, read through epoll, and not one shared pipe: drover
/// must keep every instance's output apart (to prefix its lines and see its end), so a
/// pipe, a descriptor and an epoll registration per instance are part of the job, and a
/// shared pipe would credit the baseline with work it skipped. Everything else drover
/// does per spawn (`/bin/sh -c`, own process group, stdin from /dev/null, stderr on the
/// same pipe, the root as working directory, PORT and PS) is done here too; the larger
/// pipe buffer drover asks for is not: that is drover's choice, not the job's.
enum DirectSpawn {
    static let command = "echo ready; exec sleep 100"

    /// Seconds from the first spawn until all `count` children have printed `ready`, and the
    /// harness's own CPU seconds over that time (not over the teardown, which drover's
    /// figure leaves out too). Every child's group is killed and every child reaped before
    /// returning.
    static func ready(count: Int, in directory: String, timeout: Double = 120) throws -> (seconds: Double, cpu: Double) {
        let poller = try EventPoller()
        var pids: [Int32] = []
        var pipes: [FileDescriptor?] = []
        pids.reserveCapacity(count)
        pipes.reserveCapacity(count)
        defer {
            for pid in pids { Children.signalGroup(pid, SIGKILL) }
            for pipe in pipes { pipe?.close() }
            poller.descriptor.close()
            for pid in pids { _ = Children.wait(for: pid) }
            Subject.killLeftovers()
        }
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        let start = Measurement.now()
        let cpuBefore = Measurement.cpuSeconds(of: getpid())
        for index in 0..<count {
            var request = Spawn.Request(
                path: "/bin/sh", arguments: ["/bin/sh", "-c", command],
                environment: ["PATH=\(path)", "HOME=/tmp", "PORT=\(5000 + index)", "PS=p.\(index + 1)"],
                workingDirectory: directory)
            request.grouping = .newProcessGroup
            let (pid, output) = try Spawn.runReading(request, .standardOutputAndError, nonblockingReadEnd: true)
            pids.append(pid)
            pipes.append(output)
            try poller.add(output, token: UInt64(index), interest: .readable)
        }
        let ready = try readReady(count: count, pipes: &pipes, poller: poller, deadline: start + timeout)
        guard ready >= count else { throw BenchError("direct spawn: \(ready) of \(count) ready") }
        return (Measurement.now() - start, Measurement.cpuSeconds(of: getpid()) - cpuBefore)
    }

    /// Counts `ready` lines until there are `count` of them (or the deadline passes).
    ///
    /// `echo ready` is one write of six bytes, which a pipe delivers whole, so a line never
    /// straddles two reads here; anything else (an error from sh) is not counted.
    private static func readReady(
        count: Int, pipes: inout [FileDescriptor?], poller: EventPoller, deadline: Double
    ) throws -> Int {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 4096, alignment: 16)
        defer { buffer.deallocate() }
        let marker = Array("ready".utf8)
        var ready = 0
        var events: [EventPoller.Event] = []
        while ready < count {
            let remaining = Int((deadline - Measurement.now()) * 1000)
            if remaining <= 0 { break }
            try poller.wait(timeoutMilliseconds: remaining, into: &events)
            for event in events {
                let index = Int(event.token)
                guard let pipe = pipes[index] else { continue }
                switch try pipe.read(into: buffer) {
                case let .bytes(length):
                    var lineStart = 0
                    for position in 0..<length where buffer[position] == 10 {
                        if buffer[lineStart..<position].elementsEqual(marker) { ready += 1 }
                        lineStart = position + 1
                    }
                case .wouldBlock:
                    break
                case .endOfFile:
                    poller.remove(pipe)
                    pipe.close()
                    pipes[index] = nil
                }
            }
        }
        return ready
    }
}
