import Foundation

/// Seconds on CLOCK_MONOTONIC: the soak's deadlines must not jump with the wall clock.
enum Monotonic {
    static func now() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }
}

/// SplitMix64: seedable, so a failing run's action sequence can be replayed with `--seed`,
/// and cheap, so writers can fill payloads without a `getrandom` call per byte.
struct SplitMix: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var value = state
        value = (value ^ (value >> 30)) &* 0xBF58_476D_1CE4_E5B9
        value = (value ^ (value >> 27)) &* 0x94D0_49BB_1331_11EB
        return value ^ (value >> 31)
    }
}

/// SIGINT, SIGTERM and SIGHUP are blocked and only looked at while the driver sleeps, so
/// Ctrl-C during `make soak` lands in one place and the clean-up still runs.
enum Interruption {
    static func blockTerminationSignals() {
        var set = terminationSignals()
        pthread_sigmask(SIG_BLOCK, &set, nil)
        // Writes to a control connection drover already closed must fail, not kill the driver.
        signal(SIGPIPE, SIG_IGN)
    }

    /// Sleeps `seconds`; true when a termination signal arrived instead.
    static func sleep(_ seconds: Double) -> Bool {
        var set = terminationSignals()
        let whole = max(0, seconds)
        var timeout = timespec(tv_sec: Int(whole), tv_nsec: Int((whole - Double(Int(whole))) * 1e9))
        while true {
            let result = sigtimedwait(&set, nil, &timeout)
            if result > 0 { return true }
            if errno == EINTR { continue }
            return false
        }
    }

    private static func terminationSignals() -> sigset_t {
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, SIGINT)
        sigaddset(&set, SIGTERM)
        sigaddset(&set, SIGHUP)
        return set
    }
}

/// Small statistics for the report.
enum Stats {
    static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        guard !sorted.isEmpty else { return .nan }
        let middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }

    static func format(_ value: Double, digits: Int = 1) -> String {
        value.isNaN ? "-" : String(format: "%.\(digits)f", value)
    }
}

/// Everything the driver prints goes through here: straight to fd 1, unbuffered, so a
/// progress line is visible at once under `make` and never interleaves with a child's.
enum Console {
    static func say(_ text: String) {
        let bytes = Array((text + "\n").utf8)
        bytes.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let written = write(1, raw.baseAddress! + offset, raw.count - offset)
                if written <= 0 { if errno == EINTR { continue } else { return } }
                offset += written
            }
        }
    }
}
