import DroverCore

/// drover's own recent lines: their text in a ring like an instance's, and the events
/// behind them, so a JSON `logs` replay gives them their `event` and fields too.
final class SystemHistory {
    let source = LogSource(name: "system", type: "system", number: 0, colorIndex: nil)
    /// By sequence, oldest first; as many as the ring holds lines.
    private var events: [(sequence: UInt64, event: SystemEvent)] = []

    func append(_ line: UnsafeRawBufferPointer, _ event: SystemEvent, time: Int, sequence: UInt64) {
        source.ring.append(line, time: time, sequence: sequence)
        events.append((sequence, event))
        let limit = source.ring.maximumLines
        if events.count > limit { events.removeFirst(events.count - limit) }
    }

    /// The event of the line at `sequence`; a bare notice if it is no longer kept.
    func event(at sequence: UInt64) -> SystemEvent {
        events.first { $0.sequence == sequence }?.event ?? .notice("")
    }

    /// A whole JSON line of drover's; `text` is the text format's (escaped) line.
    func json(_ event: SystemEvent, text: String, time: String) -> [UInt8] {
        JSONLogLine.system(event, time: time, text: text)
    }
}
