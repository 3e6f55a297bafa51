import DroverSystem
import Foundation

/// Garbage for the control socket: whatever a client sends, drover must answer or close
/// the connection, within its 10 s limit, and go on serving everyone else.
final class ControlAbuse {
    enum Kind: String, CaseIterable {
        /// Random bytes (newlines possible), sometimes followed by a half-close.
        case randomBytes = "random bytes"
        /// The start of a valid request and no newline, then silence.
        case halfRequest = "half request"
        /// More than the 65,536-byte line limit.
        case overlongLine = "over-long line"
        /// Connect, say nothing, close after up to 13 s.
        case idle = "idle connection"
        /// Well-formed lines drover must refuse (bad version, command, counts).
        case badRequest = "bad request"
    }

    private struct Connection {
        var descriptor: FileDescriptor
        var kind: Kind
        var opened: Double
        var lastWrite: Double
        /// When the driver closes its end, unless drover closes first.
        var closeAt: Double
        /// Whether drover must close it before `closeAt` (it was given >10 s of silence).
        var mustBeClosedByDrover: Bool
        var received: [UInt8] = []
        var expectsRefusal: Bool
    }

    private var connections: [Connection] = []
    private let socketPath: String
    private(set) var launched: [Kind: Int] = [:]
    private(set) var closedByDrover = 0
    /// Closed by drover 9.5 s or more after the client last sent something: its idle limit.
    private(set) var closedAtLimit = 0
    private(set) var refusalsSeen = 0
    private(set) var connectFailures = 0
    /// Protocol breaches: a connection kept past the limit, a bad request not refused.
    private(set) var violations: [String] = []

    init(socketPath: String) {
        self.socketPath = socketPath
    }

    var openCount: Int { connections.count }

    func launch(_ kind: Kind, random: inout SplitMix) {
        guard connections.count < 24 else { return }
        guard let descriptor = try? UnixSocket.connect(to: socketPath) else {
            connectFailures += 1
            return
        }
        _ = fcntl(descriptor.rawValue, F_SETFL, fcntl(descriptor.rawValue, F_GETFL) | O_NONBLOCK)
        launched[kind, default: 0] += 1
        let now = Monotonic.now()
        var connection = Connection(
            descriptor: descriptor, kind: kind, opened: now, lastWrite: now, closeAt: now + 14, mustBeClosedByDrover: true,
            expectsRefusal: false)
        switch kind {
        case .randomBytes:
            let count = Int.random(in: 1...4096, using: &random)
            send((0..<count).map { _ in UInt8.random(in: 0...255, using: &random) }, on: descriptor)
            if Bool.random(using: &random) { shutdown(descriptor.rawValue, Int32(SHUT_WR)) }
        case .halfRequest:
            let request = Array(#"{"version":1,"command":"scale","counts":{"alpha":2}}"#.utf8)
            send(Array(request.prefix(Int.random(in: 1..<request.count, using: &random))), on: descriptor)
            if Bool.random(using: &random) {
                connection.closeAt = now + Double.random(in: 0.05...3, using: &random)
                connection.mustBeClosedByDrover = false
            }
        case .overlongLine:
            send(Array(#"{"version":1,"command":"ps","pad":""#.utf8) + [UInt8](repeating: 0x61, count: 70_000), on: descriptor)
        case .idle:
            let hold = Double.random(in: 0.5...13, using: &random)
            connection.mustBeClosedByDrover = hold > 11.5
            connection.closeAt = connection.mustBeClosedByDrover ? now + 14 : now + hold
        case .badRequest:
            let lines = [
                #"{"version":2,"command":"ps"}"#,
                #"{"version":1,"command":"frobnicate"}"#,
                #"{"version":1,"command":"scale","counts":{"alpha":-1}}"#,
                #"{"version":1,"command":"scale","counts":{"alpha":20000}}"#,
                #"{"version":1,"command":"scale","counts":{"nosuchtype":1}}"#,
                #"{"version":1,"command":"restart","targets":["alpha.99"]}"#,
                #"{"version":1,"command":"stop","targets":[17]}"#,
                #"{"version":1,"command":"ps""#,
                #"[1,2,3]"#,
                "\u{FEFF}{}",
            ]
            send(Array((lines.randomElement(using: &random)! + "\n").utf8), on: descriptor)
            connection.expectsRefusal = true
        }
        connections.append(connection)
    }

    /// Reads what drover sent, notices its closes, closes the driver's ends that are due.
    func poll(now: Double) {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 4096, alignment: 16)
        defer { buffer.deallocate() }
        var index = 0
        while index < connections.count {
            var connection = connections[index]
            var closedByPeer = false
            reading: while true {
                let count = read(connection.descriptor.rawValue, buffer.baseAddress, buffer.count)
                if count > 0 {
                    if connection.received.count < 4096 { connection.received += buffer[0..<count] }
                } else if count == 0 || (errno != EAGAIN && errno != EINTR) {
                    closedByPeer = true
                    break reading
                } else {
                    break reading
                }
            }
            if closedByPeer {
                closedByDrover += 1
                if now - connection.lastWrite >= 9.5 { closedAtLimit += 1 }
                finish(connection)
                connections.remove(at: index)
                continue
            }
            if now >= connection.closeAt {
                if connection.mustBeClosedByDrover {
                    violations.append(
                        "\(connection.kind.rawValue): still open \(Stats.format(now - connection.opened)) s after connecting")
                }
                finish(connection)
                connections.remove(at: index)
                continue
            }
            connections[index] = connection
            index += 1
        }
    }

    /// Closes the connections drover owes nothing to; the others are left to drover's
    /// 10 s limit (a checkpoint waits for them, so that limit is tested, not pre-empted).
    func closeUnowed() {
        for connection in connections where !connection.mustBeClosedByDrover { finish(connection) }
        connections.removeAll { !$0.mustBeClosedByDrover }
    }

    /// Closes every connection now (at the end, or when the soak stops early).
    func closeAll() {
        for connection in connections { connection.descriptor.close() }
        connections.removeAll()
    }

    private func finish(_ connection: Connection) {
        let reply = String(decoding: connection.received, as: UTF8.self)
        if connection.expectsRefusal {
            if reply.contains(#""ok":false"#) {
                refusalsSeen += 1
            } else if violations.count < 20 {
                violations.append("bad request not refused; reply: \(reply.prefix(120))")
            }
        }
        connection.descriptor.close()
    }

    private func send(_ bytes: [UInt8], on descriptor: FileDescriptor) {
        bytes.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let written = write(descriptor.rawValue, raw.baseAddress! + offset, raw.count - offset)
                if written <= 0 { return }
                offset += written
            }
        }
    }
}
