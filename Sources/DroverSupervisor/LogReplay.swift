import DroverCore

/// `drover logs`: the last lines of some instances (and of drover's own), merged in
/// the order they arrived and written in the client's format. Not on the hot path:
/// each line's prefix is rendered for it.
struct LogReplay {
    let style: LogStyle
    let format: LogFormat
    let system: SystemHistory
    private var escaped: [UInt8] = []

    init(style: LogStyle, format: LogFormat, system: SystemHistory) {
        self.style = style
        self.format = format
        self.system = system
    }

    mutating func queue(_ sources: [LogSource], includingSystem: Bool, lines: Int, to client: ControlClient) {
        var entries: [(entry: LogRing.Entry, source: LogSource)] = []
        for source in sources + (includingSystem ? [system.source] : []) {
            entries += source.ring.last(lines).map { ($0, source) }
        }
        entries.sort { $0.entry.sequence < $1.entry.sequence }
        for (entry, source) in entries.suffix(lines) {
            queue(entry, of: source, to: client)
        }
    }

    private mutating func queue(_ entry: LogRing.Entry, of source: LogSource, to client: ControlClient) {
        guard format == .json else {
            let time = LinePrefixes.timeOfDay(entry.time / 1000)
            let prefix = style.prefix(name: source.name, colorIndex: source.colorIndex, time: time)
            prefix.withUnsafeBytes { prefix in entry.bytes.withUnsafeBytes { client.queue(prefix: prefix, line: $0) } }
            return
        }
        let time = JSONLogLine.timestamp(milliseconds: entry.time)
        if source === system.source {
            let text = String(decoding: entry.bytes, as: UTF8.self)
            client.queue(system.json(system.event(at: entry.sequence), text: text, time: time) + [10])
            return
        }
        let prefix = LinePrefixes.jsonPrefix(of: source, pid: entry.pid == 0 ? nil : entry.pid, time: time)
        prefix.withUnsafeBytes { prefix in
            entry.bytes.withUnsafeBytes { client.queueJSON(prefix: prefix, line: $0, scratch: &escaped) }
        }
    }
}
