import DroverCore
import DroverSystem

/// Everything that becomes a log line: instances' pipes, drover's own lines, the
/// merged stream on stdout (or `--log`), each instance's history, and `logs -f`.
///
/// Each readable pipe gets one 64 KiB read per turn, so a chatty process cannot
/// starve the others. When the output's reader is slow the output buffer fills to
/// its high-water mark and the router stops reading every pipe until it drains:
/// children block on their own pipes and memory stays bounded.
final class LogRouter {
    private static let readChunk = 65_536

    private let poller: EventPoller
    private let output: OutputBuffer?
    private let style: LogStyle
    private let readBuffer: UnsafeMutableRawBufferPointer
    private var streams: [UInt64: OutputStream] = [:]
    private var nextStreamToken = EventSource.streamBase
    /// A `logs -f` connection and what it asked for.
    private struct Follower {
        let client: ControlClient
        let targets: [InstanceSelector]
        let colored: Bool
    }

    private var followers: [Follower] = []
    private let systemSource = LogSource(name: "system", type: "system", number: 0, colorIndex: nil)
    /// Position of each line in the whole stream, to merge histories in order.
    private var sequence: UInt64 = 0
    private var outputWasNonblocking: Bool?
    private var watchingOutput = false
    private var readingPaused = false
    private var outputLost = false
    private var lastFlush: Int64 = 0
    private var currentSecond = -1
    private var currentTime = ""

    /// The output's reader went away: called once.
    var onOutputClosed: () -> Void = {}
    /// Lines were queued for these followers; write them out (the control server's job).
    var flushFollowers: ([ControlClient]) -> Void = { _ in }

    init(output: FileDescriptor?, style: LogStyle, poller: EventPoller) {
        self.poller = poller
        self.style = style
        self.output = output.map(OutputBuffer.init)
        readBuffer = .allocate(byteCount: Self.readChunk, alignment: 16)
        if let output, output.kind == .pipeOrSocket {
            outputWasNonblocking = try? output.setNonblocking(true)
        }
        refreshClock()
    }

    deinit {
        readBuffer.deallocate()
    }

    var openStreams: Int { streams.count }

    // MARK: Pipes

    /// Starts reading one run's pipe; returns its token.
    @discardableResult
    func open(_ descriptor: FileDescriptor, for source: LogSource) throws(SystemError) -> UInt64 {
        let token = nextStreamToken
        nextStreamToken += 1
        try poller.add(descriptor, token: token, interest: readingPaused ? .none : .readable)
        streams[token] = OutputStream(descriptor: descriptor, token: token, source: source)
        return token
    }

    /// One chunk from a readable pipe.
    func read(_ token: UInt64) {
        guard let stream = streams[token] else { return }
        readChunks(of: stream, budget: 0)
    }

    /// What the pipe holds now, up to `limit` bytes (its capacity): a process's last
    /// words come before the news of its exit. Bounded, because what is left of its
    /// group may keep writing, and the loop must get back to its signals and deadlines.
    func drain(_ token: UInt64?, atMost limit: Int) {
        guard let token, let stream = streams[token] else { return }
        readChunks(of: stream, budget: limit)
    }

    /// Closes a pipe whose child could not be started.
    func discard(_ token: UInt64) {
        if let stream = streams[token] { close(stream) }
    }

    /// Closes every pipe still open (their writers outlived the formation's grace).
    func closeAllStreams() {
        for stream in Array(streams.values) { close(stream) }
    }

    /// One read, then more while `budget` bytes remain and the pipe has them.
    private func readChunks(of stream: OutputStream, budget: Int) {
        let followers = self.followers(of: stream.source)
        renderPrefix(of: stream.source)
        var remaining = budget
        repeat {
            let result: FileDescriptor.ReadResult
            do {
                result = try stream.descriptor.read(into: readBuffer)
            } catch {
                result = .endOfFile
            }
            switch result {
            case let .bytes(count):
                emit(UnsafeRawBufferPointer(rebasing: readBuffer[0..<count]), of: stream, followers: followers)
                if let output, output.pendingCount >= OutputBuffer.flushThreshold { flush() }
                remaining -= count
            case .wouldBlock:
                return
            case .endOfFile:
                close(stream)
                return
            }
        } while remaining > 0
    }

    private func emit(_ bytes: UnsafeRawBufferPointer, of stream: OutputStream, followers: [Follower]) {
        let source = stream.source
        source.prefix.withUnsafeBytes { prefix in
            stream.framer.feed(bytes) { deliver($0, of: source, prefix: prefix, followers: followers) }
        }
        if !followers.isEmpty { flushFollowers(followers.map(\.client)) }
    }

    /// One line of an instance: to the stream, to its history, to its followers.
    @inline(__always)
    private func deliver(
        _ line: UnsafeRawBufferPointer, of source: LogSource, prefix: UnsafeRawBufferPointer, followers: [Follower]
    ) {
        output?.appendLine(prefix: prefix, line: line)
        source.ring.append(line, time: currentSecond, sequence: sequence)
        sequence += 1
        for follower in followers { send(line, of: source, to: follower) }
    }

    private func close(_ stream: OutputStream) {
        let source = stream.source
        let followers = self.followers(of: source)
        renderPrefix(of: source)
        source.prefix.withUnsafeBytes { prefix in
            stream.framer.finish { deliver($0, of: source, prefix: prefix, followers: followers) }
        }
        if !followers.isEmpty { flushFollowers(followers.map(\.client)) }
        poller.remove(stream.descriptor)
        stream.descriptor.close()
        streams[stream.token] = nil
    }

    // MARK: The output

    /// Flushes unless the last flush is more recent than `milliseconds`.
    func flush(ifOlderThan milliseconds: Int64) {
        if Clocks.monotonicMilliseconds() - lastFlush >= milliseconds { flush() }
    }

    /// Writes what it can; pauses or resumes reading the pipes around the water marks.
    func flush() {
        guard let output else { return }
        lastFlush = Clocks.monotonicMilliseconds()
        switch output.flush() {
        case .done:
            setWatchingOutput(false)
            setReadingPaused(false)
        case .wouldBlock:
            setWatchingOutput(true)
            if output.pendingCount >= OutputBuffer.highWater { setReadingPaused(true) }
            if output.pendingCount <= OutputBuffer.lowWater { setReadingPaused(false) }
        case .closed:
            setWatchingOutput(false)
            setReadingPaused(false)
            if !outputLost {
                outputLost = true
                onOutputClosed()
            }
        }
    }

    /// Everything still buffered is written before drover exits, however slow the
    /// reader: with the formation gone, blocking here holds nothing else up.
    func finish() {
        guard let output else { return }
        if outputWasNonblocking != nil { _ = try? output.descriptor.setNonblocking(false) }
        while case .wouldBlock = output.flush() {}
        if let wasNonblocking = outputWasNonblocking { _ = try? output.descriptor.setNonblocking(wasNonblocking) }
    }

    private func setWatchingOutput(_ on: Bool) {
        guard on != watchingOutput, let output else { return }
        watchingOutput = on
        if on {
            try? poller.add(output.descriptor, token: EventSource.output.token, interest: .writable)
        } else {
            poller.remove(output.descriptor)
        }
    }

    private func setReadingPaused(_ paused: Bool) {
        guard paused != readingPaused else { return }
        readingPaused = paused
        for stream in streams.values {
            try? poller.modify(stream.descriptor, token: stream.token, interest: paused ? .none : .readable)
        }
    }

    // MARK: drover's own lines and the clock

    /// Call after every wait: prefixes carry the time of day.
    func refreshClock() {
        let second = Clocks.wallSeconds()
        guard second != currentSecond else { return }
        currentSecond = second
        currentTime = Self.timeOfDay(second)
    }

    static func timeOfDay(_ second: Int) -> String {
        let local = Clocks.localTime(second)
        return ClockTime.format(hour: local.hour, minute: local.minute, second: local.second)
    }

    private func renderPrefix(of source: LogSource) {
        guard source.prefixSecond != currentSecond else { return }
        source.prefixSecond = currentSecond
        source.prefix = style.prefix(name: source.name, colorIndex: source.colorIndex, time: currentTime)
    }

    private func renderFollowerPrefixes(of source: LogSource) {
        guard source.followerSecond != currentSecond else { return }
        source.followerSecond = currentSecond
        source.followerPrefixes = (
            followerStyle(colored: false).prefix(name: source.name, colorIndex: source.colorIndex, time: currentTime),
            followerStyle(colored: true).prefix(name: source.name, colorIndex: source.colorIndex, time: currentTime)
        )
    }

    /// `logs` clients get the foreground format; color is their choice.
    private func followerStyle(colored: Bool) -> LogStyle {
        LogStyle(colors: colored, timestamps: true, prefixes: true, nameWidth: style.nameWidth)
    }

    /// A `system` line: to the stream, to drover's history, to followers of everything.
    func log(_ message: String) {
        var message = TerminalText.escaped(message)  // drover's own words quote paths and commands
        let source = systemSource
        renderPrefix(of: source)
        let everything = followers.filter(\.targets.isEmpty)
        message.withUTF8 { text in
            let line = UnsafeRawBufferPointer(text)
            source.prefix.withUnsafeBytes { output?.appendLine(prefix: $0, line: line) }
            source.ring.append(line, time: currentSecond, sequence: sequence)
            sequence += 1
            for client in everything { send(line, of: source, to: client) }
        }
        if !everything.isEmpty { flushFollowers(everything.map(\.client)) }
    }

    // MARK: History and followers

    /// The `logs -f` clients that want this source's lines.
    private func followers(of source: LogSource) -> [Follower] {
        guard !followers.isEmpty else { return [] }
        return followers.filter { $0.targets.selects(type: source.type, number: source.number) }
    }

    private func send(_ line: UnsafeRawBufferPointer, of source: LogSource, to follower: Follower) {
        renderFollowerPrefixes(of: source)
        (follower.colored ? source.followerPrefixes.colored : source.followerPrefixes.plain).withUnsafeBytes {
            follower.client.queue(prefix: $0, line: line)
        }
    }

    /// Queues the last `lines` lines of `sources` (and of drover's own, when asked),
    /// merged in the order they arrived.
    func replay(_ sources: [LogSource], includingSystem: Bool, lines: Int, colored: Bool, to client: ControlClient) {
        var entries: [(entry: LogRing.Entry, source: LogSource)] = []
        for source in sources + (includingSystem ? [systemSource] : []) {
            entries += source.ring.last(lines).map { ($0, source) }
        }
        entries.sort { $0.entry.sequence < $1.entry.sequence }
        let style = followerStyle(colored: colored)
        for (entry, source) in entries.suffix(lines) {
            let prefix = style.prefix(name: source.name, colorIndex: source.colorIndex, time: Self.timeOfDay(entry.time))
            prefix.withUnsafeBytes { prefixBytes in
                entry.bytes.withUnsafeBytes { client.queue(prefix: prefixBytes, line: $0) }
            }
        }
    }

    /// From now on `client` gets the lines of `targets` (none: everything, drover's own included).
    func follow(_ client: ControlClient, targets: [InstanceSelector], colored: Bool) {
        followers.append(Follower(client: client, targets: targets, colored: colored))
    }

    func unfollow(_ client: ControlClient) {
        followers.removeAll { $0.client === client }
    }
}
