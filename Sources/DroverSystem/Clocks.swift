#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Time as drover needs it: a monotonic clock for deadlines, the wall clock for log lines.
public enum Clocks {
    /// Milliseconds on CLOCK_MONOTONIC: never jumps with the wall clock.
    public static func monotonicMilliseconds() -> Int64 {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return Int64(now.tv_sec) * 1000 + Int64(now.tv_nsec) / 1_000_000
    }

    /// Whole seconds of wall-clock time; cheap (vDSO), so it may be read per batch of output.
    public static func wallSeconds() -> Int {
        wallMilliseconds() / 1000
    }

    /// Milliseconds since the epoch (the JSON log format's time).
    public static func wallMilliseconds() -> Int {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return Int(now.tv_sec) * 1000 + Int(now.tv_nsec) / 1_000_000
    }

    /// Local hour, minute and second of `seconds` since the epoch.
    public static func localTime(_ seconds: Int) -> (hour: Int, minute: Int, second: Int) {
        var time = time_t(seconds)
        var parts = tm()
        localtime_r(&time, &parts)
        return (Int(parts.tm_hour), Int(parts.tm_min), Int(parts.tm_sec))
    }
}
