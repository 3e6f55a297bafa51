import DroverCore
import DroverSystem
import Foundation

/// What one short-lived command did.
struct CommandResult {
    var termination: Termination?
    var output: [UInt8]
    var errors: [UInt8]
    var timedOut: Bool
    var seconds: Double

    var succeeded: Bool { termination == .exited(code: 0) }
    var errorText: String {
        let text = String(decoding: errors.isEmpty ? output : errors, as: UTF8.self)
        return text.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

/// Runs a command with both outputs read as they come (a `logs` reply can outgrow a pipe)
/// and a deadline: past it the command's process group is killed, so nothing the soak
/// starts can outstay it.
enum Command {
    static func run(_ arguments: [String], in directory: String, timeout: Double) -> CommandResult {
        let start = Monotonic.now()
        guard let out = try? Pipe.make(nonblockingReadEnd: true) else {
            return CommandResult(output: [], errors: Array("pipe failed".utf8), timedOut: false, seconds: 0)
        }
        guard let err = try? Pipe.make(nonblockingReadEnd: true) else {
            out.readEnd.close()
            out.writeEnd.close()
            return CommandResult(output: [], errors: Array("pipe failed".utf8), timedOut: false, seconds: 0)
        }
        var request = Spawn.Request(
            path: arguments[0], arguments: arguments,
            environment: ["PATH=\(ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")", "HOME=/tmp"],
            workingDirectory: directory)
        request.standardOutput = .descriptor(out.writeEnd)
        request.standardError = .descriptor(err.writeEnd)
        request.grouping = .newProcessGroup
        let spawned = try? Spawn.run(request)
        out.writeEnd.close()
        err.writeEnd.close()
        defer {
            out.readEnd.close()
            err.readEnd.close()
        }
        guard let pid = spawned else {
            return CommandResult(output: [], errors: Array("spawn failed".utf8), timedOut: false, seconds: 0)
        }
        var output: [UInt8] = []
        var errors: [UInt8] = []
        var open = [out.readEnd, err.readEnd]
        let deadline = start + timeout
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 16, alignment: 16)
        defer { buffer.deallocate() }
        var timedOut = false
        while !open.isEmpty {
            let remaining = deadline - Monotonic.now()
            if remaining <= 0 {
                timedOut = true
                break
            }
            var polls = open.map { pollfd(fd: $0.rawValue, events: Int16(POLLIN), revents: 0) }
            _ = poll(&polls, nfds_t(polls.count), Int32(min(remaining, 0.2) * 1000) + 1)
            for (index, descriptor) in open.enumerated().reversed() where polls[index].revents != 0 {
                switch (try? descriptor.read(into: buffer)) ?? .endOfFile {
                case let .bytes(count):
                    if descriptor == out.readEnd {
                        output += buffer[0..<count]
                    } else {
                        errors += buffer[0..<count]
                    }
                case .wouldBlock: break
                case .endOfFile: open.remove(at: index)
                }
            }
        }
        var termination: Termination?
        while termination == nil {
            if let ended = try? Children.reapIfExited(pid) {
                termination = ended
                break
            }
            if timedOut || Monotonic.now() > deadline {
                timedOut = true
                Children.signalGroup(pid, SIGKILL)
                Children.signal(pid, SIGKILL)
                if case let .exited(_, ended) = Children.wait(for: pid) { termination = ended }
                break
            }
            usleep(2000)
        }
        return CommandResult(
            termination: termination, output: output, errors: errors, timedOut: timedOut, seconds: Monotonic.now() - start)
    }
}

/// One row of `drover ps --json`.
struct PsRow {
    var name: String
    var type: String
    var number: Int
    var pid: Int32?
    var state: String
    var restarts: Int
    var exitCode: Int?

    /// nil when the text is not the JSON array `ps --json` documents.
    static func parse(_ bytes: [UInt8]) -> [PsRow]? {
        guard let object = try? JSONSerialization.jsonObject(with: Data(bytes)),
            let array = object as? [[String: Any]]
        else { return nil }
        var rows: [PsRow] = []
        for item in array {
            guard let name = item["name"] as? String, let type = item["type"] as? String,
                let number = item["number"] as? Int, let state = item["state"] as? String
            else { return nil }
            rows.append(
                PsRow(
                    name: name, type: type, number: number, pid: (item["pid"] as? Int).map { Int32($0) }, state: state,
                    restarts: item["restarts"] as? Int ?? 0, exitCode: item["exit_code"] as? Int))
        }
        return rows
    }
}
