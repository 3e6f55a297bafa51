import DroverCore
import DroverSystem

#if canImport(Glibc)
    import Glibc
#endif

/// Everything that becomes a log line: instances' pipes, drover's own lines, the
/// merged stream on stdout (or `--log`), each instance's history, and `logs -f`.
///
/// Each readable pipe gets one 64 KiB read per turn, so a chatty process cannot
/// starve the others. When the output's reader is slow the output buffer fills to
/// its high-water mark and the router stops reading every pipe until it drains:
/// children block on their own pipes and memory stays bounded.
final class LogRouter {
    private static let readChunk = 65_536

    /// Where the merged stream goes.
    enum OutputTarget {
        /// drover's stdout: when it cannot be written the formation stops.
        case standardOutput
        /// `--log FILE`: when it cannot be written lines are dropped (and counted) until
        /// it can; `reopen-logs` opens the path again.
        case logFile(path: String, descriptor: FileDescriptor)

        var descriptor: FileDescriptor {
            switch self {
            case .standardOutput: .standardOutput
            case let .logFile(_, descriptor): descriptor
            }
        }
    }

    private let poller: EventPoller
    private let output: OutputBuffer?
    private var target: OutputTarget?
    private var logFileOutage: LogFileOutage?
    /// stdout, when a pipe or socket, stays registered (with no interest while nothing
    /// waits): epoll reports its reader's hang-up even when the formation is quiet.
    private let watchesHangUp: Bool
    private let prefixes: LinePrefixes
    /// `--log-format json` for the stream (followers choose their own).
    private let json: Bool
    private let readBuffer: UnsafeMutableRawBufferPointer
    private var streams: [UInt64: OutputStream] = [:]
    /// `log:TEXT` readiness probes: a stream's awaited text, and who to tell once a line
    /// has it. Checked only for streams in here, so other lines cost nothing more.
    private var awaitedText: [UInt64: (text: [UInt8], found: () -> Void)] = [:]
    private var nextStreamToken = EventSource.streamBase
    /// Runs' pseudo-terminals by stream token, until their exit is reported (the
    /// stream may close before or after that).
    private var terminals: [UInt64: TerminalSession] = [:]
    /// drover's own terminal's size, which new pseudo-terminals get.
    private(set) var ownWindowSize: WindowSize?
    /// A `logs -f` connection and what it asked for.
    private struct Follower {
        let client: ControlClient
        let targets: [InstanceSelector]
        let colored: Bool
        let format: LogFormat
    }

    private var followers: [Follower] = []
    private let system = SystemHistory()
    /// Position of each line in the whole stream, to merge histories in order.
    private var sequence: UInt64 = 0
    private var outputWasNonblocking: Bool?
    private var watchingOutput = false
    private var readingPaused = false
    private var lastFlush: Int64 = 0
    /// JSON followers' lines are escaped here first (grown to the longest line).
    private var escaped: [UInt8] = []

    /// stdout cannot be written any more (why): called once.
    var onOutputLost: (String) -> Void = { _ in }
    /// Lines were queued for these followers; write them out (the control server's job).
    var flushFollowers: ([ControlClient]) -> Void = { _ in }
    /// A run whose terminal these clients were attached to exited with this code: tell
    /// them and close them (the control server's job).
    var terminalEnded: ([ControlClient], Int32) -> Void = { _, _ in }

    init(output target: OutputTarget?, style: LogStyle, poller: EventPoller, ownWindowSize: WindowSize?) {
        self.poller = poller
        self.ownWindowSize = ownWindowSize
        prefixes = LinePrefixes(style: style)
        json = style.format == .json
        self.target = target
        output = target.map { OutputBuffer(descriptor: $0.descriptor) }
        readBuffer = .allocate(byteCount: Self.readChunk, alignment: 16)
        var watchesHangUp = false
        if let output, output.descriptor.kind == .pipeOrSocket {
            outputWasNonblocking = try? output.descriptor.setNonblocking(true)
            if case .standardOutput = target {
                watchesHangUp = (try? poller.add(output.descriptor, token: EventSource.output.token, interest: .none)) != nil
            }
        }
        self.watchesHangUp = watchesHangUp
    }

    deinit {
        readBuffer.deallocate()
    }

    var openStreams: Int { streams.count }

    // MARK: Pipes

    /// Starts reading one run's pipe, or its terminal's master; returns its token.
    @discardableResult
    func open(_ descriptor: FileDescriptor, for source: LogSource, terminal: TerminalSession? = nil) throws(SystemError)
        -> UInt64
    {
        let token = nextStreamToken
        nextStreamToken += 1
        let stream = OutputStream(descriptor: descriptor, token: token, source: source, terminal: terminal)
        try poller.add(descriptor, token: token, interest: interest(of: stream))
        streams[token] = stream
        if let terminal { terminals[token] = terminal }
        return token
    }

    /// Read while the output keeps up; write too while keys wait for a terminal.
    private func interest(of stream: OutputStream) -> EventPoller.Interest {
        var interest: EventPoller.Interest = readingPaused ? .none : .readable
        if stream.terminal?.hasPendingInput == true { interest.insert(.writable) }
        return interest
    }

    private func updateInterest(of stream: OutputStream) {
        try? poller.modify(stream.descriptor, token: stream.token, interest: interest(of: stream))
    }

    /// A pipe (or master) is readable, hung up, or (a terminal with keys waiting) writable.
    func streamEvent(_ event: EventPoller.Event) {
        guard let stream = streams[event.token] else { return }
        if event.writable, let terminal = stream.terminal {
            terminal.flushInput()
            if !terminal.hasPendingInput { updateInterest(of: stream) }
        }
        if event.readable || event.closed { readChunks(of: stream, budget: 0) }
    }

    /// What the pipe holds now, up to `limit` bytes (its capacity): a process's last
    /// words come before the news of its exit. Bounded, because what is left of its
    /// group may keep writing, and the loop must get back to its signals and deadlines.
    func drain(_ token: UInt64?, atMost limit: Int) {
        guard let token, let stream = streams[token] else { return }
        readChunks(of: stream, budget: limit)
    }

    /// Closes a pipe (or terminal) whose child could not be started.
    func discard(_ token: UInt64) {
        if let stream = streams[token] { close(stream) }
        terminals[token] = nil
    }

    /// Closes every pipe still open (their writers outlived the formation's grace).
    func closeAllStreams() {
        for stream in Array(streams.values) { close(stream) }
    }

    /// One read, then more while `budget` bytes remain and the pipe has them.
    private func readChunks(of stream: OutputStream, budget: Int) {
        let followers = self.followers(of: stream.source)
        renderPrefix(of: stream)
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
        if let terminal = stream.terminal, !terminal.clients.isEmpty {
            for client in terminal.clients { client.queueOutput(bytes) }
            flushFollowers(terminal.clients)
        }
        if let awaited = awaitedText[stream.token] {
            var found = false
            outputPrefix(of: stream).withUnsafeBytes { prefix in
                stream.framer.feed(bytes) { line in
                    deliver(line, of: stream, prefix: prefix, followers: followers)
                    if !found, Self.line(line, contains: awaited.text) { found = true }
                }
            }
            if found {
                awaitedText[stream.token] = nil
                awaited.found()
            }
        } else {
            outputPrefix(of: stream).withUnsafeBytes { prefix in
                stream.framer.feed(bytes) { deliver($0, of: stream, prefix: prefix, followers: followers) }
            }
        }
        if !followers.isEmpty { flushFollowers(followers.map(\.client)) }
    }

    /// Calls `found` once a line of the stream contains `text` (lines from now on).
    func await(_ text: [UInt8], on token: UInt64, found: @escaping () -> Void) {
        awaitedText[token] = (text, found)
    }

    func stopAwaiting(_ token: UInt64) {
        awaitedText[token] = nil
    }

    private static func line(_ line: UnsafeRawBufferPointer, contains text: [UInt8]) -> Bool {
        guard let first = text.first, line.count >= text.count else { return false }
        var start = 0
        while start + text.count <= line.count {
            if line[start] == first, text.indices.allSatisfy({ line[start + $0] == text[$0] }) { return true }
            start += 1
        }
        return false
    }

    /// One line of an instance: to the stream, to its history, to its followers.
    @inline(__always)
    private func deliver(
        _ line: UnsafeRawBufferPointer, of stream: OutputStream, prefix: UnsafeRawBufferPointer, followers: [Follower]
    ) {
        if json { output?.appendJSONLine(prefix: prefix, line: line) } else { output?.appendLine(prefix: prefix, line: line) }
        stream.source.ring.append(line, time: prefixes.currentMillisecond, sequence: sequence, pid: stream.pid ?? 0)
        sequence += 1
        for follower in followers { send(line, of: stream, to: follower) }
    }

    /// The stream's run was spawned as `pid`, which its JSON lines carry.
    func started(_ token: UInt64, pid: Int32) {
        streams[token]?.pid = pid
    }

    private func close(_ stream: OutputStream) {
        let followers = self.followers(of: stream.source)
        renderPrefix(of: stream)
        outputPrefix(of: stream).withUnsafeBytes { prefix in
            stream.framer.finish { deliver($0, of: stream, prefix: prefix, followers: followers) }
        }
        if !followers.isEmpty { flushFollowers(followers.map(\.client)) }
        poller.remove(stream.descriptor)
        stream.terminal?.masterClosed()
        stream.descriptor.close()
        streams[stream.token] = nil
        awaitedText[stream.token] = nil
    }

    // MARK: Terminals

    /// Whether the run whose stream this is has a terminal and its exit is not reported.
    func hasTerminal(_ token: UInt64?) -> Bool {
        token.map { terminals[$0] != nil } ?? false
    }

    /// From now on `client` gets the terminal's output, and its keys and size count.
    /// The line being written (a prompt, most often) comes first, so the client sees
    /// where the process stands instead of nothing until its next output.
    func attach(_ client: ControlClient, toTerminal token: UInt64, size: WindowSize?) {
        terminals[token]?.attach(client, size: size)
        if let partial = streams[token]?.framer.partialLine, !partial.isEmpty {
            partial.withUnsafeBytes { client.queueOutput($0) }
        }
    }

    func detach(_ client: ControlClient, fromTerminal token: UInt64) {
        terminals[token]?.detach(client)
    }

    func resize(_ token: UInt64, for client: ControlClient, _ size: WindowSize) {
        terminals[token]?.resize(for: client, size)
    }

    /// Keys for a run's terminal; false when too many wait already.
    func type(_ bytes: [UInt8], intoTerminal token: UInt64) -> Bool {
        guard let terminal = terminals[token] else { return true }
        let hadPending = terminal.hasPendingInput
        guard terminal.type(bytes) else { return false }
        if terminal.hasPendingInput != hadPending, let stream = streams[token] { updateInterest(of: stream) }
        return true
    }

    /// The run exited with `code`: its attached clients are told and let go.
    func endTerminal(_ token: UInt64?, code: Int32) {
        guard let token, let terminal = terminals.removeValue(forKey: token) else { return }
        let clients = terminal.clients
        for client in clients { terminal.detach(client) }
        if !clients.isEmpty { terminalEnded(clients, code) }
    }

    /// drover's own terminal changed size (SIGWINCH): every terminal not following an
    /// attached client follows it.
    func ownWindowChanged(_ size: WindowSize?) {
        ownWindowSize = size
        for terminal in terminals.values { terminal.ownResized(size) }
    }

    // MARK: The output

    /// Flushes unless the last flush is more recent than `milliseconds`.
    func flush(ifOlderThan milliseconds: Int64) {
        if Clocks.monotonicMilliseconds() - lastFlush >= milliseconds { flush() }
    }

    /// Writes what it can; pauses or resumes reading the pipes around the water marks.
    func flush() {
        guard let output else { return }
        let now = Clocks.monotonicMilliseconds()
        lastFlush = now
        if var outage = logFileOutage, !outage.mayTry(now: now) {
            outage.drop(output.discardPending())
            logFileOutage = outage
            return
        }
        switch output.flush() {
        case .done:
            setWatchingOutput(false)
            setReadingPaused(false)
            if logFileOutage != nil { logFileWritable() }
        case .wouldBlock:
            setWatchingOutput(true)
            if output.pendingCount >= OutputBuffer.highWater { setReadingPaused(true) }
            if output.pendingCount <= OutputBuffer.lowWater { setReadingPaused(false) }
        case let .failed(error):
            writeFailed(error, now: now)
        }
    }

    /// An event on stdout: writable, or its reader hung up (as good as EPIPE).
    func outputEvent(_ event: EventPoller.Event) {
        if event.closed {
            writeFailed(SystemError("write", code: EPIPE), now: Clocks.monotonicMilliseconds())
        } else {
            flush()
        }
    }

    /// stdout lost stops the formation; a `--log` file that cannot be written drops
    /// lines, as `LogFileOutage` says.
    private func writeFailed(_ error: SystemError, now: Int64) {
        guard let output, let target else { return }
        setWatchingOutput(false)
        setReadingPaused(false)
        switch target {
        case .standardOutput:
            output.close()
            if watchesHangUp { poller.remove(output.descriptor) }
            self.target = nil
            warn("cannot write to stdout (\(error.reason)); stopping the formation")
            onOutputLost("stdout: \(error.reason)")
        case let .logFile(path, _):
            let dropped = output.discardPending()
            if var outage = logFileOutage {
                outage.failedAgain(dropping: dropped, now: now)
                logFileOutage = outage
                return
            }
            logFileOutage = LogFileOutage(path: path, since: prefixes.currentTime, dropped: dropped, now: now)
            let report = SystemEvent.logFileFailed(path: path, reason: error.reason)
            warn(report.text)
            log(report, toOutput: false)
        }
    }

    /// The `--log` file took a write again: say how much it missed.
    private func logFileWritable() {
        guard let outage = logFileOutage else { return }
        logFileOutage = nil
        log(.logFileRecovered(outage))
        flush()
    }

    /// The regular file drover's lines go to (the `--log` file, or a file stdout was sent
    /// to), which `--watch` must not take for a change, whatever it is renamed to.
    var outputFile: FileIdentity? {
        guard let output, let identity = FileIdentity.of(output.descriptor), identity.isPlainFile else { return nil }
        return identity
    }

    /// `reopen-logs`: opens the `--log` path again, as logrotate's `postrotate` asks
    /// after renaming the file. What waits is written to the old file first, so every
    /// line lands in one or the other; if the path cannot be opened the old file stays.
    func reopenLogFile() throws(InvalidValue) -> String {
        guard let output, case let .logFile(path, old) = target else {
            throw InvalidValue("this drover has no log file to reopen (start it with --daemon --log FILE)")
        }
        let descriptor: FileDescriptor
        switch FileSystem.openForAppending(path) {
        case let .success(opened): descriptor = opened
        case let .failure(error): throw InvalidValue("cannot reopen \(path): \(error.reason); still writing to the old file")
        }
        flush()
        // The daemon's own stdout and stderr were pointed at the log file (Daemon.reportReady).
        try? descriptor.duplicate(onto: .standardOutput)
        try? descriptor.duplicate(onto: .standardError)
        output.descriptor = descriptor
        target = .logFile(path: path, descriptor: descriptor)
        old.close()
        // A file that could not be written may have been rotated away: try the new one now.
        if var outage = logFileOutage {
            outage.reopened()
            logFileOutage = outage
        }
        log(.logFileReopened(path: path))
        return path
    }

    /// One line on drover's stderr, best effort: it may be gone too.
    private func warn(_ message: String) {
        try? FileDescriptor.standardError.writeAll("drover: \(message)\n")
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
        if watchesHangUp {
            try? poller.modify(output.descriptor, token: EventSource.output.token, interest: on ? .writable : .none)
        } else if on {
            try? poller.add(output.descriptor, token: EventSource.output.token, interest: .writable)
        } else {
            poller.remove(output.descriptor)
        }
    }

    private func setReadingPaused(_ paused: Bool) {
        guard paused != readingPaused else { return }
        readingPaused = paused
        for stream in streams.values { updateInterest(of: stream) }
    }

    // MARK: drover's own lines and the clock

    /// Call after every wait: prefixes carry the time of day.
    func refreshClock() {
        prefixes.refresh()
    }

    private func renderPrefix(of stream: OutputStream) {
        if json { prefixes.renderJSON(stream) } else { prefixes.renderText(stream.source) }
    }

    /// What `renderPrefix` rendered: the output's prefix for the stream's lines.
    @inline(__always)
    private func outputPrefix(of stream: OutputStream) -> [UInt8] {
        json ? stream.jsonPrefix : stream.source.prefix
    }

    /// A `system` line: to the stream (unless `toOutput` is false: the stream cannot
    /// take it), to drover's history, to followers of everything.
    func log(_ event: SystemEvent, toOutput: Bool = true) {
        var message = TerminalText.escaped(event.text) // drover's own words quote paths and commands
        let source = system.source
        let everything = followers.filter(\.targets.isEmpty)
        let jsonLine = json || everything.contains { $0.format == .json } ? system.json(event, text: message, time: prefixes.timestamp) : []
        if !json { prefixes.renderText(source) }
        message.withUTF8 { text in
            let line = UnsafeRawBufferPointer(text)
            if toOutput, let output {
                if json {
                    jsonLine.withUnsafeBytes { output.appendLine(prefix: UnsafeRawBufferPointer(start: nil, count: 0), line: $0) }
                } else {
                    source.prefix.withUnsafeBytes { output.appendLine(prefix: $0, line: line) }
                }
            }
            system.append(line, event, time: prefixes.currentMillisecond, sequence: sequence)
            sequence += 1
            for follower in everything {
                if follower.format == .json {
                    jsonLine.withUnsafeBytes { follower.client.queue(prefix: UnsafeRawBufferPointer(start: nil, count: 0), line: $0) }
                } else {
                    send(line, of: source, to: follower)
                }
            }
        }
        if !everything.isEmpty { flushFollowers(everything.map(\.client)) }
    }

    // MARK: History and followers

    /// The `logs -f` clients that want this source's lines.
    private func followers(of source: LogSource) -> [Follower] {
        guard !followers.isEmpty else { return [] }
        return followers.filter { $0.targets.selects(type: source.type, number: source.number) }
    }

    /// A text line of `source` to a follower, in its colors.
    private func send(_ line: UnsafeRawBufferPointer, of source: LogSource, to follower: Follower) {
        prefixes.renderFollower(source)
        (follower.colored ? source.followerPrefixes.colored : source.followerPrefixes.plain).withUnsafeBytes {
            follower.client.queue(prefix: $0, line: line)
        }
    }

    /// An instance's line to a follower, in the follower's format.
    private func send(_ line: UnsafeRawBufferPointer, of stream: OutputStream, to follower: Follower) {
        guard follower.format == .json else { return send(line, of: stream.source, to: follower) }
        prefixes.renderJSON(stream)
        stream.jsonPrefix.withUnsafeBytes { follower.client.queueJSON(prefix: $0, line: line, scratch: &escaped) }
    }

    /// Queues the last `lines` lines of `sources` (and of drover's own, when asked),
    /// merged in the order they arrived, in the client's format.
    func replay(
        _ sources: [LogSource], includingSystem: Bool, lines: Int, colored: Bool, format: LogFormat, to client: ControlClient
    ) {
        var replay = LogReplay(style: prefixes.followerStyle(colored: colored), format: format, system: system)
        replay.queue(sources, includingSystem: includingSystem, lines: lines, to: client)
    }

    /// From now on `client` gets the lines of `targets` (none: everything, drover's own included).
    func follow(_ client: ControlClient, targets: [InstanceSelector], colored: Bool, format: LogFormat) {
        followers.append(Follower(client: client, targets: targets, colored: colored, format: format))
    }

    func unfollow(_ client: ControlClient) {
        followers.removeAll { $0.client === client }
    }
}
