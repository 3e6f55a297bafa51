import DroverCore
import DroverSystem

/// One instance's place in the log stream: its prefixes and its recent lines.
///
/// Outlives a run: every pipe the instance had (a restarted instance's old pipe may
/// still be draining) writes through the same source, so prefixes, history and
/// followers stay one.
final class LogSource {
    let name: String
    let type: String
    let number: Int
    let colorIndex: Int?
    /// The foreground prefix for `prefixSecond`; rendered when a line arrives in a new second.
    var prefix: [UInt8] = []
    var prefixSecond = Int.min
    /// `logs -f` prefixes without and with color, for `followerSecond`.
    var followerPrefixes: (plain: [UInt8], colored: [UInt8]) = ([], [])
    var followerSecond = Int.min
    var ring = LogRing()

    init(name: String, type: String, number: Int, colorIndex: Int?) {
        self.name = name
        self.type = type
        self.number = number
        self.colorIndex = colorIndex
    }

    convenience init(_ instance: PlannedInstance) {
        self.init(name: instance.name, type: instance.type, number: instance.number, colorIndex: instance.entryIndex)
    }
}

/// One pipe (or pseudo-terminal master) being read: an instance's stdout and stderr
/// during one run.
final class OutputStream {
    let descriptor: FileDescriptor
    let token: UInt64
    let source: LogSource
    var framer: LineFramer
    /// With `--tty`: the run's terminal, whose master `descriptor` is.
    let terminal: TerminalSession?
    /// The run's process, once spawned (the stream is opened first).
    var pid: Int32?
    /// The JSON prefix, for `jsonPrefixTime` (a millisecond) and `jsonPrefixPid`.
    var jsonPrefix: [UInt8] = []
    var jsonPrefixTime = Int.min
    var jsonPrefixPid: Int32?

    init(descriptor: FileDescriptor, token: UInt64, source: LogSource, terminal: TerminalSession?) {
        self.descriptor = descriptor
        self.token = token
        self.source = source
        self.terminal = terminal
        framer = LineFramer(lineEnds: terminal == nil ? .newline : .terminal)
    }
}
