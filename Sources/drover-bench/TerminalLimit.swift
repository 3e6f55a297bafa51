import DroverSystem
import Foundation

/// The floor for the `--tty` row: the same files through `writers` `cat`s, each on a
/// pseudo-terminal of its own (the kernel's default modes, as drover gives them), read
/// by the harness's own epoll loop in 64 KiB reads that only count newlines. What the
/// kernel's terminal layer allows here, with no manager in between.
enum TerminalLimit {
    static func linesPerSecond(file: String, writers: Int, lines: Int, timeout: Double = 120) throws -> Double {
        let poller = try EventPoller()
        var pids: [Int32] = []
        var masters: [FileDescriptor?] = []
        defer {
            for pid in pids { Children.signalGroup(pid, SIGKILL) }
            for master in masters { master?.close() }
            poller.descriptor.close()
            for pid in pids { _ = Children.wait(for: pid) }
            Subject.killLeftovers()
        }
        let start = Measurement.now()
        for index in 0..<writers {
            let (master, slave) = try PseudoTerminal.open()
            masters.append(master)
            var request = Spawn.Request(path: "/bin/cat", arguments: ["cat", file], environment: [])
            request.terminal = slave
            pids.append(try Spawn.run(request))
            try poller.add(master, token: UInt64(index), interest: .readable)
        }
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 65_536, alignment: 16)
        defer { buffer.deallocate() }
        var seen = 0
        var events: [EventPoller.Event] = []
        let deadline = start + timeout
        while seen < writers * lines {
            let remaining = Int((deadline - Measurement.now()) * 1000)
            guard remaining > 0 else { throw BenchError("pty limit: saw \(seen) of \(writers * lines) lines") }
            try poller.wait(timeoutMilliseconds: remaining, into: &events)
            for event in events {
                let index = Int(event.token)
                guard let master = masters[index] else { continue }
                switch try master.read(into: buffer) {
                case let .bytes(count): seen += buffer[0..<count].reduce(0) { $0 + ($1 == 10 ? 1 : 0) }
                case .wouldBlock: break
                case .endOfFile:
                    poller.remove(master)
                    master.close()
                    masters[index] = nil
                }
            }
        }
        return Double(seen) / (Measurement.now() - start)
    }
}
