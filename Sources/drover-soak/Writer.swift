import DroverSystem
import Foundation

/// `drover-soak writer ...`: what every instance of the soak formation runs (the driver
/// re-executes itself, so the soak needs nothing but the toolchain).
///
/// It prints checksummed, numbered `SoakLine`s, each with one write(2), in bursts every
/// 10 ms. With `--children N` it keeps N copies of itself running in its own process
/// group (grandchildren of drover, which the driver kills at random and drover must tear
/// down); `--stubborn-children` makes them ignore SIGTERM, so only drover's SIGKILL after
/// the timeout ends them. `--lines N` makes a one-shot that exits 0 after N lines.
struct Writer {
    var rate = 1000
    var children = 0
    var stubbornChildren = false
    var stubborn = false
    var lineLimit: Int?

    init(arguments: [String]) {
        var index = 0
        func value() -> Int {
            index += 1
            return index < arguments.count ? Int(arguments[index]) ?? 0 : 0
        }
        while index < arguments.count {
            switch arguments[index] {
            case "--rate": rate = max(1, value())
            case "--children": children = max(0, value())
            case "--lines": lineLimit = value()
            case "--stubborn-children": stubbornChildren = true
            case "--stubborn": stubborn = true
            default: break
            }
            index += 1
        }
    }

    func run() -> Never {
        if stubborn { signal(SIGTERM, SIG_IGN) }
        let pid = getpid()
        var random = SplitMix(seed: UInt64(UInt32(bitPattern: pid)) << 32 ^ UInt64(Monotonic.now() * 1e9))
        let nonce = UInt32(truncatingIfNeeded: random.next())
        let name = Array((ProcessInfo.processInfo.environment["PS"] ?? "unknown").utf8)
        let burst = max(1, rate / 100)
        var kids: Set<Int32> = []
        var sequence = 0
        while true {
            for _ in 0..<burst {
                if let lineLimit, sequence >= lineLimit { exit(0) }
                sequence += 1
                let line = SoakLine.make(
                    name: name, pid: pid, nonce: nonce, sequence: sequence, payload: Self.payload(&random))
                // One write(2) per line: at most PIPE_BUF bytes, so the pipe keeps it whole.
                let written = line.withUnsafeBytes { Glibc.write(1, $0.baseAddress, $0.count) }
                if written != line.count { exit(written < 0 && errno == EPIPE ? 0 : 3) }
            }
            if children > 0 { keep(&kids) }
            usleep(10_000)
        }
    }

    /// Mostly short payloads, some long, a few near the longest, all without blanks.
    private static func payload(_ random: inout SplitMix) -> [UInt8] {
        let roll = random.next() % 100
        let length: Int
        if roll < 90 {
            length = Int(random.next() % 121)
        } else if roll < 99 {
            length = 120 + Int(random.next() % 880)
        } else {
            length = 1000 + Int(random.next() % UInt64(SoakLine.longestPayload - 999))
        }
        var bytes = [UInt8](repeating: 0, count: length)
        var word: UInt64 = 0
        for index in 0..<length {
            if index % 8 == 0 { word = random.next() }
            bytes[index] = 0x21 + UInt8(word % 94)
            word >>= 8
        }
        return bytes
    }

    /// Reaps whatever died (children, and in `sleep &` shapes any orphan the shell left)
    /// and starts children until there are `children` of them again.
    private func keep(_ kids: inout Set<Int32>) {
        var status: Int32 = 0
        while true {
            let reaped = waitpid(-1, &status, WNOHANG)
            if reaped <= 0 { break }
            kids.remove(reaped)
        }
        while kids.count < children {
            var request = Spawn.Request(
                path: "/proc/self/exe",
                arguments: ["drover-soak", "writer", "--rate", String(max(1, rate / 4))]
                    + (stubbornChildren ? ["--stubborn"] : []),
                environment: ProcessInfo.processInfo.environment.map { "\($0.key)=\($0.value)" })
            // Same group as the leader: drover must find and stop them through it.
            request.grouping = .inherit
            guard let pid = try? Spawn.run(request) else { return }
            kids.insert(pid)
        }
    }
}
