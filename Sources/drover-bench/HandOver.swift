import DroverCore
import DroverSystem
import Foundation

/// Restarts under a steady client: connections refused across 20 `drover restart web`,
/// and the time from each restart to the first answer from the new run. With
/// `--listen` (the hand-off) and, to show what it saves, without.
enum HandOver {
    struct Result {
        var refused = 0
        var answered = 0
        /// Median seconds from `restart` to the first answer of a new pid.
        var secondsToNewRun = Double.nan
    }

    /// What the client saw, shared with its thread.
    private final class Tally: @unchecked Sendable {
        private let lock = NSLock()
        private var refused = 0
        private var answers: [(time: Double, pid: Int)] = []
        private var stopping = false

        func answered(_ pid: Int) { lock.withLock { answers.append((Measurement.now(), pid)) } }
        func wasRefused() { lock.withLock { refused += 1 } }
        func stop() { lock.withLock { stopping = true } }
        var isStopping: Bool { lock.withLock { stopping } }
        var snapshot: (refused: Int, answers: [(time: Double, pid: Int)]) { lock.withLock { (refused, answers) } }
    }

    static let server = """
        import os, signal, socket
        stop = False
        def term(*_):
            global stop
            stop = True
        signal.signal(signal.SIGTERM, term)
        if os.environ.get("LISTEN_FDS") == "1":
            s = socket.socket(fileno=3)
        else:
            s = socket.socket()
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind(("127.0.0.1", int(os.environ["PORT"])))
            s.listen(128)
        s.settimeout(0.05)
        print("serving", flush=True)
        while not stop:
            try:
                c, _ = s.accept()
            except socket.timeout:
                continue
            c.settimeout(None)
            c.recv(1024)
            c.sendall(str(os.getpid()).encode())
            c.close()

        """

    static func measure(drover: String, workspace: String, listen: Bool, restarts: Int) throws -> Result {
        let directory = "\(workspace)/handover-\(listen)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try server.write(toFile: "\(directory)/server.py", atomically: true, encoding: .utf8)
        try "web: exec python3 server.py\n".write(toFile: "\(directory)/Procfile", atomically: true, encoding: .utf8)
        let port = 47_000 + (listen ? 1 : 2)
        var arguments = [drover, "start", "-p", "\(port)", "-t", "2"]
        arguments += listen ? ["--listen", "web", "--ready", "web=log:serving"] : ["--ready", "web=tcp"]
        // Lines ending in ")": "web.1 started with pid N (port P)", then its ready line.
        let subject = try Subject(arguments, in: directory, marker: ")")
        defer {
            subject.signal(SIGTERM)
            _ = subject.waitForExit(timeout: 10)
        }
        guard subject.read(until: { $0.markedLines >= 2 }, timeout: 20) else { throw BenchError("web never became ready") }

        let tally = Tally()
        let client = Thread { connectInLoop(port: port, tally) }
        client.start()
        defer { tally.stop() }
        var delays: [Double] = []
        var seen: Set<Int> = []
        for _ in 0..<restarts {
            usleep(300_000)
            seen.formUnion(tally.snapshot.answers.map(\.pid))
            let issued = Measurement.now()
            try run([drover, "restart", "web"], in: directory)
            let deadline = issued + 10
            while Measurement.now() < deadline {
                if let first = tally.snapshot.answers.first(where: { $0.time >= issued && !seen.contains($0.pid) }) {
                    delays.append(first.time - issued)
                    break
                }
                usleep(2000)
            }
        }
        usleep(300_000)
        tally.stop()
        while !client.isFinished { usleep(1000) }
        let (refused, answers) = tally.snapshot
        return Result(refused: refused, answered: answers.count, secondsToNewRun: Measurement.median(delays))
    }

    private static func connectInLoop(port: Int, _ tally: Tally) {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr = in_addr(s_addr: UInt32(0x7F00_0001).bigEndian)
        var buffer = [UInt8](repeating: 0, count: 64)
        while !tally.isStopping {
            let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
            let connected = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    Glibc.connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
            if connected != 0 {
                if errno == ECONNREFUSED { tally.wasRefused() }
            } else {
                _ = Glibc.send(socket, "GET /\r\n\r\n", 9, Int32(MSG_NOSIGNAL))
                var text: [UInt8] = []
                while true {
                    let count = buffer.withUnsafeMutableBytes { Glibc.recv(socket, $0.baseAddress, $0.count, 0) }
                    if count <= 0 { break }
                    text += buffer[0..<count]
                }
                if let pid = Int(String(decoding: text, as: UTF8.self)) { tally.answered(pid) }
            }
            Glibc.close(socket)
            usleep(2000)
        }
    }

    private static func run(_ arguments: [String], in directory: String) throws {
        var request = Spawn.Request(
            path: arguments[0], arguments: arguments,
            environment: ["PATH=\(ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")", "HOME=/tmp"],
            workingDirectory: directory)
        request.standardOutput = .nullDevice
        request.standardError = .nullDevice
        let pid = try Spawn.run(request)
        guard case .exited(_, .exited(code: 0)) = Children.wait(for: pid) else {
            throw BenchError("\(arguments.joined(separator: " ")) failed")
        }
    }
}
