import DroverCore
import DroverSystem

/// The clock of the log stream and the prefixes it puts in front of each line, in
/// either format. A prefix is rendered when its time changes, not per line: a text
/// prefix once a second, a JSON prefix's 24 time bytes rewritten in place once a
/// millisecond (so neither format allocates per line).
final class LinePrefixes {
    let style: LogStyle
    private(set) var currentSecond = -1
    /// `HH:MM:SS`, local time.
    private(set) var currentTime = ""
    private(set) var currentMillisecond = -1
    /// The JSON format's time for `currentMillisecond`.
    private var stamp = [UInt8](repeating: 0, count: JSONLogLine.timestampCount)

    init(style: LogStyle) {
        self.style = style
        refresh()
    }

    var json: Bool { style.format == .json }

    /// Call after every wait.
    func refresh() {
        let millisecond = Clocks.wallMilliseconds()
        guard millisecond != currentMillisecond else { return }
        currentMillisecond = millisecond
        stamp.withUnsafeMutableBytes { JSONLogLine.writeTimestamp(milliseconds: millisecond, into: $0.baseAddress!) }
        let second = millisecond / 1000
        guard second != currentSecond else { return }
        currentSecond = second
        currentTime = Self.timeOfDay(second)
    }

    static func timeOfDay(_ second: Int) -> String {
        let local = Clocks.localTime(second)
        return ClockTime.format(hour: local.hour, minute: local.minute, second: local.second)
    }

    /// The JSON format's time now, as text.
    var timestamp: String { String(decoding: stamp, as: UTF8.self) }

    /// The output's text prefix of `source`, for this second.
    func renderText(_ source: LogSource) {
        guard source.prefixSecond != currentSecond else { return }
        source.prefixSecond = currentSecond
        source.prefix = style.prefix(name: source.name, colorIndex: source.colorIndex, time: currentTime)
    }

    /// `logs -f` text prefixes of `source`, without and with color, for this second.
    func renderFollower(_ source: LogSource) {
        guard source.followerSecond != currentSecond else { return }
        source.followerSecond = currentSecond
        source.followerPrefixes = (
            followerStyle(colored: false).prefix(name: source.name, colorIndex: source.colorIndex, time: currentTime),
            followerStyle(colored: true).prefix(name: source.name, colorIndex: source.colorIndex, time: currentTime)
        )
    }

    /// The JSON prefix of one run's stream (output and followers alike), for this millisecond.
    func renderJSON(_ stream: OutputStream) {
        guard stream.jsonPrefixTime != currentMillisecond else { return }
        if stream.jsonPrefix.isEmpty || stream.jsonPrefixPid != stream.pid {
            stream.jsonPrefix = Self.jsonPrefix(of: stream.source, pid: stream.pid, time: timestamp)
            stream.jsonPrefixPid = stream.pid
        } else {
            stream.jsonPrefix.withUnsafeMutableBytes { prefix in
                stamp.withUnsafeBytes {
                    (prefix.baseAddress! + JSONLogLine.timestampOffset).copyMemory(from: $0.baseAddress!, byteCount: $0.count)
                }
            }
        }
        stream.jsonPrefixTime = currentMillisecond
    }

    static func jsonPrefix(of source: LogSource, pid: Int32?, time: String) -> [UInt8] {
        JSONLogLine.prefix(time: time, name: source.name, type: source.type, number: source.number, pid: pid)
    }

    /// `logs` clients get the foreground text format; color is their choice.
    func followerStyle(colored: Bool) -> LogStyle {
        LogStyle(colors: colored, timestamps: true, prefixes: true, nameWidth: style.nameWidth)
    }
}
