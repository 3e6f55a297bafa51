import DroverCore
import DroverSystem
import Foundation

/// A process manager under test, started on a Procfile with its stdout in a pipe.
final class Subject {
    let pid: Int32
    private let output: FileDescriptor
    private var buffer = [UInt8](repeating: 0, count: 1 << 16)
    /// Lines seen so far, and how many of them ended with the marker.
    private(set) var lines = 0
    private(set) var markedLines = 0
    private let marker: [UInt8]
    private var tail: [UInt8] = []

    /// Starts `arguments[0]` in `directory`, in its own process group, stdout into a pipe.
    init(_ arguments: [String], in directory: String, marker: String = "ready") throws {
        var request = Spawn.Request(
            path: arguments[0], arguments: arguments,
            environment: ["PATH=\(ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")", "HOME=/tmp"],
            workingDirectory: directory)
        request.standardError = .nullDevice
        request.grouping = .newProcessGroup
        (pid, output) = try Spawn.runReading(request, .standardOutput)
        self.marker = Array(marker.utf8)
    }

    /// Reads until `condition` holds or the output ends; false on timeout.
    @discardableResult
    func read(until condition: (Subject) -> Bool, timeout: Double) -> Bool {
        let deadline = Measurement.now() + timeout
        while !condition(self) {
            var poll = pollfd(fd: output.rawValue, events: Int16(POLLIN), revents: 0)
            let remaining = Int32(max(0, (deadline - Measurement.now()) * 1000))
            if Glibc.poll(&poll, 1, remaining) <= 0 { return false }
            let count = buffer.withUnsafeMutableBytes { Glibc.read(output.rawValue, $0.baseAddress, $0.count) }
            if count <= 0 { return condition(self) }
            scan(count)
        }
        return true
    }

    /// Drains until end of file (after a stop), so the subject never blocks on a full pipe.
    func drainToEnd(timeout: Double) {
        _ = read(until: { _ in false }, timeout: timeout)
    }

    private func scan(_ count: Int) {
        let markerLength = marker.count
        for index in 0..<count where buffer[index] == 10 {
            lines += 1
            // Does the line end with the marker? Look back, across the previous chunk if needed.
            if index >= markerLength {
                if buffer[(index - markerLength)..<index].elementsEqual(marker) { markedLines += 1 }
            } else {
                let fromTail = markerLength - index
                if tail.count >= fromTail,
                    (tail.suffix(fromTail) + buffer[0..<index]).elementsEqual(marker)
                {
                    markedLines += 1
                }
            }
        }
        tail = Array(buffer[max(0, count - markerLength)..<count])
    }

    func signal(_ number: Int32) {
        Children.signal(pid, number)
    }

    /// Waits for the subject to exit (killing its group after `timeout`); returns when it exited.
    func waitForExit(timeout: Double) -> Double {
        let deadline = Measurement.now() + timeout
        while true {
            if (try? Children.reapIfExited(pid)) != .some(nil) { break }
            if Measurement.now() > deadline {
                Children.signalGroup(pid, SIGKILL)
                _ = Children.waitAny()
                break
            }
            drainToEnd(timeout: 0.001)
        }
        let exited = Measurement.now()
        Children.signalGroup(pid, SIGKILL)
        output.close()
        Subject.killLeftovers()
        return exited
    }

    /// Whatever the subject left behind (honcho leaves children when it hangs) was
    /// reparented to the harness, a child subreaper: kill and reap it, again and again,
    /// since each killed process hands its own children to the harness in turn. Each
    /// one's group goes too: an orphaned instance leads its own, which may hold more.
    static func killLeftovers() {
        while true {
            let children = Subreaper.children()
            if children.isEmpty { return }
            for child in children {
                Children.signalGroup(child, SIGKILL)
                Children.signal(child, SIGKILL)
            }
            guard case .exited = Children.waitAny() else { return }
            while case .exited = Children.reapAny() {}
        }
    }
}
