import Dispatch
import Foundation
import Synchronization

/// What the verifier found in drover's output: counts, and the first few examples of
/// each kind of problem (the whole stream is far too large to keep).
struct OutputSummary: Sendable {
    var bytes = 0
    var instanceLines = 0
    var systemLines = 0
    var soakLines = 0
    var runs = 0
    var startsLogged = 0
    var exitsLogged = 0
    var restartsLogged = 0
    var killsAfterTimeout = 0
    var guardianRestarts = 0
    /// Lines that do not parse as `HH:MM:SS name | text`.
    var badPrefixes = 0
    /// Instance lines that are not whole soak lines: torn, merged or foreign text.
    var torn = 0
    /// Whole soak lines shown under another instance's name.
    var misattributed = 0
    /// Within one run: a sequence number skipped, repeated or going back, or a run whose
    /// first line shown is not its first.
    var gaps = 0
    var reorders = 0
    var missingHeads = 0
    /// System lines drover should never print in this soak (giving up, spawn failures...).
    var alarmingSystemLines = 0
    var unknownSystemLines = 0
    /// A last line without its newline when the stream ended.
    var unterminatedTail = 0
    /// dash's own "Killed"/"Terminated" on stderr when beta's writer is killed under it.
    var shellNotices = 0
    var examples: [String] = []
    var unknownExamples: [String] = []
    /// The most recent system lines, for a report on a failed run.
    var recentSystemLines: [String] = []

    var problems: Int { badPrefixes + torn + misattributed + gaps + reorders + missingHeads + alarmingSystemLines + unterminatedTail }
}

/// Checks drover's merged output line by line (see `SoakLine`). Owned by the reader thread.
struct OutputVerifier {
    private(set) var summary = OutputSummary()
    /// Every instance pid drover announced ("started with pid"): each is a process group.
    private(set) var announcedGroups: [Int32] = []
    private var pending: [UInt8] = []
    /// Per run (pid and nonce), the last sequence number shown.
    private var lastSequence: [UInt64: Int] = [:]

    mutating func feed(_ chunk: UnsafeRawBufferPointer) {
        summary.bytes += chunk.count
        var start = 0
        for index in 0..<chunk.count where chunk[index] == 0x0A {
            if pending.isEmpty {
                check(Array(chunk[start..<index])[...])
            } else {
                pending += chunk[start..<index]
                check(pending[...])
                pending.removeAll(keepingCapacity: true)
            }
            start = index + 1
        }
        if start < chunk.count { pending += chunk[start..<chunk.count] }
    }

    mutating func finish() {
        if !pending.isEmpty {
            summary.unterminatedTail += 1
            note("unterminated last line: \(String(decoding: pending.prefix(160), as: UTF8.self))")
        }
    }

    private mutating func check(_ line: ArraySlice<UInt8>) {
        guard let (name, text) = Self.split(line) else {
            summary.badPrefixes += 1
            note("bad prefix: \(String(decoding: line.prefix(160), as: UTF8.self))")
            return
        }
        if name.elementsEqual("system".utf8) {
            system(String(decoding: text, as: UTF8.self))
            return
        }
        summary.instanceLines += 1
        if text.elementsEqual("Killed".utf8) || text.elementsEqual("Terminated".utf8) {
            summary.shellNotices += 1
            return
        }
        switch SoakLine.parse(text) {
        case let .failure(problem):
            summary.torn += 1
            note(
                "torn (\(problem.rawValue)) under \(String(decoding: name, as: UTF8.self)): \(String(decoding: text.prefix(160), as: UTF8.self))"
            )
        case let .success(parsed):
            summary.soakLines += 1
            if !parsed.name.elementsEqual(name) {
                summary.misattributed += 1
                note(
                    "line of \(String(decoding: parsed.name, as: UTF8.self)) (pid \(parsed.pid)) shown as \(String(decoding: name, as: UTF8.self))"
                )
            }
            let run = UInt64(UInt32(bitPattern: parsed.pid)) << 32 | UInt64(parsed.nonce)
            if let last = lastSequence[run] {
                if parsed.sequence != last + 1 {
                    if parsed.sequence > last + 1 { summary.gaps += 1 } else { summary.reorders += 1 }
                    note(
                        "run \(parsed.pid)/\(String(decoding: SoakLine.hex(parsed.nonce), as: UTF8.self)) of \(String(decoding: name, as: UTF8.self)): line \(parsed.sequence) after \(last)"
                    )
                }
            } else {
                summary.runs += 1
                if parsed.sequence != 1 {
                    summary.missingHeads += 1
                    note("run \(parsed.pid) of \(String(decoding: name, as: UTF8.self)) starts at line \(parsed.sequence)")
                }
            }
            lastSequence[run] = parsed.sequence
        }
    }

    /// Sorts drover's own lines; the ones that must not happen in this soak count as problems.
    private mutating func system(_ text: String) {
        summary.systemLines += 1
        summary.recentSystemLines.append(text)
        if summary.recentSystemLines.count > 40 { summary.recentSystemLines.removeFirst() }
        if let range = text.range(of: " started with pid ") {
            summary.startsLogged += 1
            let digits = text[range.upperBound...].prefix { $0.isNumber }
            if let pid = Int32(digits) { announcedGroups.append(pid) }
        } else if text.contains(" exited with code ") || text.contains(" terminated by ") {
            summary.exitsLogged += 1
            if text.contains("; restarting in ") { summary.restartsLogged += 1 }
            if text.contains("; giving up after ") { alarming(text) }
        } else if text.hasPrefix("sending SIGKILL to ") {
            summary.killsAfterTimeout += 1
        } else if text.hasPrefix("the guardian process ") {
            summary.guardianRestarts += 1
            if text.contains("cannot be restarted") { alarming(text) }
        } else if text.contains(" could not start") || text.contains("cannot watch its output")
            || text.hasPrefix("event loop failed") || text.hasPrefix("cannot become")
        {
            alarming(text)
        } else if text == "sending SIGTERM to all processes" || text.hasSuffix(", stopping all processes")
            || text == "every process has ended"
        {
            // The final stop.
        } else {
            summary.unknownSystemLines += 1
            if summary.unknownExamples.count < 8 { summary.unknownExamples.append(text) }
        }
    }

    private mutating func alarming(_ text: String) {
        summary.alarmingSystemLines += 1
        note("system: \(text)")
    }

    private mutating func note(_ text: String) {
        if summary.examples.count < 20 { summary.examples.append(text) }
    }

    /// `HH:MM:SS name<padding> | text` into the name and the text.
    static func split(_ line: ArraySlice<UInt8>) -> (ArraySlice<UInt8>, ArraySlice<UInt8>)? {
        let base = line.startIndex
        guard line.count >= 12 else { return nil }
        for (offset, byte) in line.prefix(8).enumerated() {
            let isColon = offset == 2 || offset == 5
            guard isColon ? byte == 0x3A : (byte >= 0x30 && byte <= 0x39) else { return nil }
        }
        guard line[base + 8] == 0x20 else { return nil }
        let rest = line[(base + 9)...]
        guard let nameEnd = rest.firstIndex(of: 0x20), nameEnd > rest.startIndex else { return nil }
        var index = nameEnd
        while index < line.endIndex, line[index] == 0x20 { index += 1 }
        guard index + 1 < line.endIndex, line[index] == 0x7C, line[index + 1] == 0x20 else { return nil }
        return (line[rest.startIndex..<nameEnd], line[(index + 2)...])
    }
}

/// What the reader thread shares with the driver while it runs.
struct LiveOutput: Sendable {
    var lines = 0
    var restartsLogged = 0
    var problems = 0
    var announcedGroups: [Int32] = []
    var final: OutputSummary?
}

/// Reads drover's stdout on its own thread, so the pipe never fills however long an
/// action or a check keeps the driver busy, and feeds every byte to an `OutputVerifier`.
final class OutputReader: Sendable {
    private let descriptor: Int32
    private let live = Mutex(LiveOutput())
    private let done = DispatchSemaphore(value: 0)
    private let abandon = Atomic<Bool>(false)

    init(descriptor: Int32) {
        self.descriptor = descriptor
    }

    func start() {
        let thread = Thread { [self] in self.run() }
        thread.start()
    }

    var snapshot: LiveOutput { live.withLock { $0 } }

    /// Waits for end of file; nil if it does not come in time (something still holds
    /// drover's stdout open), after which the thread is told to give up.
    func finish(timeout: Double) -> OutputSummary? {
        if done.wait(timeout: .now() + timeout) == .timedOut {
            abandon.store(true, ordering: .relaxed)
            _ = done.wait(timeout: .now() + 1)
        }
        return live.withLock { $0.final }
    }

    private func run() {
        var verifier = OutputVerifier()
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 16, alignment: 16)
        defer { buffer.deallocate() }
        var published = 0
        var ended = false
        while !ended, !abandon.load(ordering: .relaxed) {
            var poller = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
            if poll(&poller, 1, 200) <= 0 { continue }
            let count = read(descriptor, buffer.baseAddress, buffer.count)
            if count < 0 {
                if errno == EINTR || errno == EAGAIN { continue }
                ended = true
            } else if count == 0 {
                ended = true
            } else {
                verifier.feed(UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
            }
            let summary = verifier.summary
            let groups = verifier.announcedGroups
            live.withLock { state in
                state.lines = summary.instanceLines + summary.systemLines
                state.restartsLogged = summary.restartsLogged
                state.problems = summary.problems
                if groups.count > published { state.announcedGroups += groups[published...] }
            }
            published = groups.count
        }
        if ended { verifier.finish() }
        let summary = verifier.summary
        live.withLock { $0.final = summary }
        done.signal()
    }
}
