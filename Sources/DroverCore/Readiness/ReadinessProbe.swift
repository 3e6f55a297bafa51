/// How drover tells that an instance is ready to serve (`--ready TYPE=PROBE`).
public enum ReadinessProbe: Equatable, Sendable {
    /// A TCP connect succeeds; nil address: 127.0.0.1 on the instance's `$PORT`.
    case tcp(IPv4Endpoint?)
    /// `GET path` on 127.0.0.1:`$PORT` answers 2xx or 3xx.
    case http(path: String)
    /// A line of the instance's output contains the text.
    case log(String)
    /// `/bin/sh -c COMMAND`, with the instance's environment, exits 0.
    case exec(String)

    public static let forms = "tcp, tcp:PORT, tcp:HOST:PORT, http:PATH, log:TEXT, exec:COMMAND"

    public static func parse(_ text: String) throws(InvalidValue) -> ReadinessProbe {
        let kind = text.prefix { $0 != ":" }
        let rest = text.dropFirst(kind.count + 1)
        let hasArgument = kind.count < text.count
        switch kind {
        case "tcp":
            guard hasArgument else { return .tcp(nil) }
            if let port = PortNumber.parse(rest) { return .tcp(IPv4Endpoint(host: .loopback, port: port)) }
            guard let colon = rest.lastIndex(of: ":"), let port = PortNumber.parse(rest[rest.index(after: colon)...]) else {
                throw InvalidValue("\"\(text)\": a tcp probe takes PORT or HOST:PORT, with a port from 1 to 65535")
            }
            let host = rest[..<colon]
            guard let address = IPv4Address.parse(host) else {
                throw InvalidValue("\"\(host)\" is not an IPv4 address such as 127.0.0.1 (names are not looked up)")
            }
            return .tcp(IPv4Endpoint(host: address, port: port))
        case "http":
            guard rest.hasPrefix("/"), !rest.contains(where: { $0.isWhitespace || $0.asciiValue.map { $0 < 32 } ?? false }) else {
                throw InvalidValue("\"\(text)\": an http probe takes a path such as http:/health")
            }
            return .http(path: String(rest))
        case "log":
            guard !rest.isEmpty else { throw InvalidValue("\"\(text)\": a log probe needs the text to wait for") }
            return .log(String(rest))
        case "exec":
            guard !rest.trimmingBlanks().isEmpty else { throw InvalidValue("\"\(text)\": an exec probe needs a command") }
            return .exec(String(rest))
        default:
            throw InvalidValue("unknown readiness probe \"\(text)\" (probes: \(forms))")
        }
    }

    /// Whether it reaches the instance through its own `$PORT`.
    public var usesOwnPort: Bool {
        switch self {
        case .tcp(nil), .http: true
        case .tcp, .log, .exec: false
        }
    }

    /// `web.1 ready after 0.42s (tcp 127.0.0.1:5000)`.
    public func readyLine(_ instance: PlannedInstance, after elapsed: String) -> SystemEvent {
        .ready(instance.name, probe: description(port: instance.port), elapsed: elapsed)
    }

    /// `web.1 not ready after 60s (tcp 127.0.0.1:5000: connection refused)`.
    public func notReadyLine(_ instance: PlannedInstance, timeoutMilliseconds: Int, why: String) -> SystemEvent {
        .notReady(instance.name, probe: description(port: instance.port), timeoutMilliseconds: timeoutMilliseconds, why: why)
    }

    /// What the probe checks for an instance on `port`, for messages: `tcp 127.0.0.1:5000`.
    public func description(port: Int) -> String {
        switch self {
        case let .tcp(endpoint): "tcp \(endpoint ?? IPv4Endpoint(host: .loopback, port: port))"
        case let .http(path): "http 127.0.0.1:\(port)\(path)"
        case let .log(text): "log \"\(text)\""
        case let .exec(command): "exec \(command)"
        }
    }
}

/// A dotted-quad IPv4 address; drover looks no names up, so its loop never blocks on DNS.
public struct IPv4Address: Equatable, Sendable, CustomStringConvertible {
    public var octets: (UInt8, UInt8, UInt8, UInt8)

    public static let loopback = IPv4Address(octets: (127, 0, 0, 1))

    public init(octets: (UInt8, UInt8, UInt8, UInt8)) {
        self.octets = octets
    }

    /// `127.0.0.1`, `0.0.0.0`; `localhost` is 127.0.0.1.
    public static func parse(_ text: some StringProtocol) -> IPv4Address? {
        if text == "localhost" { return .loopback }
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var values: [UInt8] = []
        for part in parts {
            guard (1...3).contains(part.count), let value = WholeNumber.parse(part), value <= 255 else { return nil }
            values.append(UInt8(value))
        }
        return IPv4Address(octets: (values[0], values[1], values[2], values[3]))
    }

    public var description: String { "\(octets.0).\(octets.1).\(octets.2).\(octets.3)" }

    public static func == (lhs: IPv4Address, rhs: IPv4Address) -> Bool {
        lhs.octets == rhs.octets
    }
}

public struct IPv4Endpoint: Equatable, Sendable, CustomStringConvertible {
    public var host: IPv4Address
    public var port: Int

    public init(host: IPv4Address, port: Int) {
        self.host = host
        self.port = port
    }

    public var description: String { "\(host):\(port)" }
}

enum PortNumber {
    static func parse(_ text: some StringProtocol) -> Int? {
        guard text.count <= 5, let value = WholeNumber.parse(text), (1...65_535).contains(value) else { return nil }
        return value
    }
}

/// The one HTTP exchange an `http:` probe makes: HTTP/1.0 with `Connection: close`,
/// so no server holds the connection open waiting for more.
public enum HTTPProbe {
    public static func request(path: String, port: Int) -> [UInt8] {
        Array("GET \(path) HTTP/1.0\r\nHost: 127.0.0.1:\(port)\r\nUser-Agent: drover\r\nConnection: close\r\n\r\n".utf8)
    }

    public enum Answer: Equatable, Sendable {
        /// Not enough bytes yet for a status line.
        case incomplete
        case status(Int)
        case malformed
    }

    /// The status code of a response's first bytes: `HTTP/1.1 204 No Content`.
    public static func answer(_ bytes: some Collection<UInt8>) -> Answer {
        let head = Array(bytes.prefix(12))
        let prefix = Array("HTTP/".utf8)
        for (index, byte) in head.prefix(prefix.count).enumerated() where byte != prefix[index] { return .malformed }
        guard head.count >= 12 else { return .incomplete }
        // "HTTP/x.y NNN": the code is bytes 9 to 11.
        let digits = head[9..<12]
        guard head[8] == UInt8(ascii: " "), digits.allSatisfy({ (48...57).contains($0) }) else { return .malformed }
        return .status(digits.reduce(0) { $0 * 10 + Int($1 - 48) })
    }

    /// 2xx and 3xx count as ready.
    public static func isReady(_ status: Int) -> Bool {
        (200..<400).contains(status)
    }
}
