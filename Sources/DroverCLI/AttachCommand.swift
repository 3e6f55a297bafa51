import DroverCore
import DroverSystem

#if canImport(Glibc)
    import Glibc
#endif

/// `drover attach NAME[.N]`: the user's terminal joined to one `--tty` instance's
/// pseudo-terminal through the control socket, until detach, the run's end, or
/// drover's.
enum AttachCommand {
    static func run(options: LaunchOptions, local: [String: String], names: [String]) throws(Diagnostics) -> ExitCode {
        guard names.count == 1 else {
            throw Diagnostics([Diagnostic("attach takes one instance name, such as web or web.1", kind: .usage)])
        }
        let selector = try ClientContext.selectors(names)[0]
        var key = DetachKey.standard
        if let text = local["detach-key"] {
            do { key = try DetachKey.parse(text) } catch {
                throw Diagnostics([Diagnostic("invalid value \"\(text)\" for --detach-key: \(error.reason)", kind: .usage)])
            }
        }
        let client = try ClientContext.current(options)
        let interactive = FileDescriptor.standardInput.isTerminal
        let connection = try client.channel.connect()
        defer { connection.close() }
        let reader = LineReader(connection)
        let window = interactive ? PseudoTerminal.windowSize(of: .standardInput) : nil
        guard case let .attached(name) = try client.channel.exchange(.attach(selector, window: window), over: connection, reader: reader)
        else { throw client.channel.unexpected("no attach reply") }
        // Blocked from here on, so each of these becomes a readable event of the loop.
        let signals: SignalReceiver
        do { signals = try SignalReceiver.open([PseudoTerminal.windowChangeSignal, SIGINT, SIGTERM, SIGHUP]) } catch {
            throw Diagnostics([Diagnostic("cannot attach: \(error)")])
        }
        UnixSocket.clearSendTimeout(connection)
        _ = try? connection.setNonblocking(false)

        var modes: TerminalModes?
        if interactive {
            do { modes = try TerminalModes.makeRaw(.standardInput) } catch {
                throw Diagnostics([Diagnostic("cannot put the terminal in raw mode: \(error.reason)")])
            }
            note("[attached to \(name); \(key.name) detaches]", interactive: true, raw: true)
        }
        var session = Session(
            connection: connection, signals: signals, filter: DetachFilter(key: key), interactive: interactive)
        session.frames.append(reader.takeBuffered())
        let end = session.run()
        modes?.restore()
        switch end {
        case .detached:
            note("[detached from \(name)]", interactive: interactive)
            return .success
        case let .exited(code):
            note("[\(name) exited with code \(code)]", interactive: interactive)
            return .success
        case let .lost(why):
            throw Diagnostics([Diagnostic("lost drover at \(client.channel.path) (\(why)); \(name) is gone with it")])
        }
    }

    /// drover's own words, on stderr; on a terminal on a line of their own (the
    /// process's output may have left the cursor mid-line), and in raw mode with the
    /// `\r` the terminal does not add.
    private static func note(_ text: String, interactive: Bool, raw: Bool = false) {
        let line = raw ? "\r\n\(text)\r\n" : interactive ? "\n\(text)\n" : "\(text)\n"
        try? FileDescriptor.standardError.writeAll(line)
    }

    enum End: Equatable {
        case detached
        case exited(code: Int32)
        case lost(String)
    }

    /// The loop: keys to drover, output to stdout, window sizes on SIGWINCH.
    struct Session {
        let connection: FileDescriptor
        let signals: SignalReceiver
        var filter: DetachFilter
        let interactive: Bool
        var frames = AttachFrameReader()
        private var inputOpen = true
        private var buffer = [UInt8](repeating: 0, count: 65_536)

        init(connection: FileDescriptor, signals: SignalReceiver, filter: DetachFilter, interactive: Bool) {
            self.connection = connection
            self.signals = signals
            self.filter = filter
            self.interactive = interactive
        }

        mutating func run() -> End {
            while true {
                // Frames that came with the reply, or with the last read.
                if let end = writeFrames() { return end }
                let now = Clocks.monotonicMilliseconds()
                if filter.detachesAt(now) { return .detached }
                let watched = [connection, signals.descriptor] + (inputOpen ? [FileDescriptor.standardInput] : [])
                let ready = Readiness.waitReadable(watched, timeoutMilliseconds: filter.deadline.map { Int(max(0, $0 - now)) })
                if ready[1], let end = takeSignals() { return end }
                if ready[0] {
                    switch read(connection) {
                    case let .some(bytes): frames.append(bytes)
                    case .none: return writeFrames() ?? .lost("it closed the connection")
                    }
                }
                if ready.count > 2, ready[2], let end = takeKeys() { return end }
            }
        }

        /// Output to stdout; the end of the run when it comes.
        private mutating func writeFrames() -> End? {
            while true {
                let frame: AttachFrame?
                do { frame = try frames.next() } catch { return .lost(error.reason) }
                switch frame {
                case nil: return nil
                case let .output(bytes)?:
                    do { try FileDescriptor.standardOutput.writeAll(bytes) } catch { return .detached }
                case let .exited(code)?: return .exited(code: code)
                case .input?, .resize?: return .lost("it sent a frame only clients send")
                }
            }
        }

        private mutating func takeSignals() -> End? {
            while let signal = try? signals.next() {
                if signal == PseudoTerminal.windowChangeSignal {
                    if interactive, let size = PseudoTerminal.windowSize(of: .standardInput) {
                        if let end = send(.resize(size)) { return end }
                    }
                } else {
                    return .detached
                }
            }
            return nil
        }

        private mutating func takeKeys() -> End? {
            guard let bytes = read(.standardInput) else {
                // The end of a script's input: what it sent stays sent; the output goes on.
                inputOpen = false
                return nil
            }
            let outcome = filter.feed(bytes, now: Clocks.monotonicMilliseconds())
            if !outcome.forward.isEmpty, let end = send(.input(outcome.forward)) { return end }
            return outcome.detach ? .detached : nil
        }

        private func send(_ frame: AttachFrame) -> End? {
            do { try connection.writeAll(frame.encoded) } catch { return .lost(error.reason) }
            return nil
        }

        /// One read; nil at end of file or on an error.
        private mutating func read(_ descriptor: FileDescriptor) -> [UInt8]? {
            let result = buffer.withUnsafeMutableBytes { raw in
                Result { () throws(SystemError) in try descriptor.read(into: raw) }
            }
            switch result {
            case let .success(.bytes(count)): return Array(buffer[0..<count])
            case .success(.wouldBlock): return []
            default: return nil
            }
        }
    }
}
