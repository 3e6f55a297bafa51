import DroverSystem
import Foundation

/// Talks to a control socket byte by byte, for tests that misbehave on purpose.
final class RawControlClient {
    let descriptor: FileDescriptor

    init(_ path: String) throws {
        // drover hangs up on clients that send too much; the test must see EPIPE, not die.
        signal(SIGPIPE, SIG_IGN)
        descriptor = try UnixSocket.connect(to: path)
    }

    deinit {
        descriptor.close()
    }

    func send(_ bytes: [UInt8]) {
        try? descriptor.writeAll(bytes)
    }

    /// Everything until the daemon closes the connection (or `timeout` seconds pass).
    func readAll(timeout: Double = 20) -> String {
        var data: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65_536)
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            guard Readiness.waitReadable(descriptor, timeoutMilliseconds: 100) else { continue }
            let count = chunk.withUnsafeMutableBytes { read(descriptor.rawValue, $0.baseAddress, $0.count) }
            if count <= 0 { break }
            data += chunk[0..<count]
        }
        return String(decoding: data, as: UTF8.self)
    }
}

/// Pids listed by `drover ps --json`, for cleaning up after a daemon test.
enum ProcessList {
    static func pids(fromJSON text: String) -> [Int32] {
        guard let data = text.data(using: .utf8),
            let rows = try? JSONSerialization.jsonObject(with: data) as? [[String: Any]]
        else { return [] }
        return rows.compactMap { ($0["pid"] as? Int).map(Int32.init) }
    }

    static func rows(fromJSON text: String) -> [[String: Any]] {
        guard let data = text.data(using: .utf8) else { return [] }
        return (try? JSONSerialization.jsonObject(with: data) as? [[String: Any]]) ?? []
    }
}
