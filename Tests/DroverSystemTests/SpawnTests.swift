import DroverCore
import DroverSystem
import Foundation
import Testing

@Suite struct SpawnTests {
    /// Runs `script` under /bin/sh with stdout captured to a file; bounded by `timeout`.
    static func shell(
        _ script: String, grouping: Spawn.Grouping = .newProcessGroup, directory: String? = nil,
        timeout: Double = 20
    ) throws -> (Termination, String, Int32) {
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("spawn-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: output) }
        var request = Spawn.Request(
            path: "/bin/sh", arguments: ["sh", "-c", script], environment: ["PATH=/usr/bin:/bin"],
            workingDirectory: directory)
        request.standardOutput = .file(output)
        request.grouping = grouping
        let pid = try Spawn.run(request)
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            if let status = try Children.reapIfExited(pid) {
                let text = (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
                return (status, text, pid)
            }
            if Date() > deadline {
                Children.signalGroup(pid, SIGKILL)
                _ = try? Children.reapIfExited(pid)
                throw SystemError("timeout", code: ETIMEDOUT)
            }
            usleep(2000)
        }
    }

    @Test func childLeadsItsOwnProcessGroup() throws {
        let (status, output, pid) = try Self.shell("ps -o pgid= -p $$")
        #expect(status == .exited(code: 0))
        #expect(Int32(output.trimmingCharacters(in: .whitespacesAndNewlines)) == pid)
    }

    @Test func newSessionMakesTheChildASessionLeader() throws {
        let (_, output, pid) = try Self.shell("ps -o sid= -p $$", grouping: .newSession)
        #expect(Int32(output.trimmingCharacters(in: .whitespacesAndNewlines)) == pid)
    }

    @Test func signalMaskAndDispositionsAreReset() throws {
        // Block and ignore in this (the parent) thread; the child must see neither.
        var blocked = sigset_t()
        sigemptyset(&blocked)
        sigaddset(&blocked, SIGUSR1)
        var previous = sigset_t()
        pthread_sigmask(SIG_BLOCK, &blocked, &previous)
        let oldHandler = signal(SIGPIPE, SIG_IGN)
        defer {
            pthread_sigmask(SIG_SETMASK, &previous, nil)
            signal(SIGPIPE, oldHandler)
        }
        // grep reads its own status; glibc's internal signals 32 and 33 are outside
        // sigfillset and NPTL resets them in every program, so only 1...31 count.
        let (_, output, _) = try Self.shell("exec grep -E '^(SigBlk|SigIgn)' /proc/self/status")
        var masks: [String: UInt64] = [:]
        for line in output.split(separator: "\n") {
            let parts = line.split(separator: "\t")
            masks[String(parts[0])] = UInt64(parts[1], radix: 16)
        }
        let standardSignals: UInt64 = 0x7fff_ffff
        #expect(masks["SigBlk:"].map { $0 & standardSignals } == 0)
        #expect(masks["SigIgn:"].map { $0 & standardSignals } == 0)
    }

    @Test func onlyTheStandardDescriptorsAreInherited() throws {
        // A descriptor opened without CLOEXEC in the parent must still not leak.
        let leaky = open("/dev/null", O_RDONLY)
        defer { close(leaky) }
        // Look from outside at a program that opens nothing itself (a shell would
        // show its own pipeline descriptors).
        let pid = try Spawn.run(Spawn.Request(path: "/bin/sleep", arguments: ["sleep", "30"], environment: []))
        defer {
            Children.signalGroup(pid, SIGKILL)
            while (try? Children.reapIfExited(pid)) == .some(nil) { usleep(1000) }
        }
        // Right after exec the dynamic loader briefly holds files of its own; an
        // inherited descriptor would stay, so wait for the list to settle.
        let deadline = Date().addingTimeInterval(20)
        var descriptors: [String] = []
        repeat {
            descriptors = try FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd").sorted()
            if descriptors == ["0", "1", "2"] { break }
            usleep(10_000)
        } while Date() < deadline
        #expect(descriptors == ["0", "1", "2"])
    }

    @Test func runsInTheRequestedDirectory() throws {
        let (_, output, _) = try Self.shell("pwd", directory: "/usr")
        #expect(output == "/usr\n")
    }

    @Test func failuresAreTypedErrors() {
        let request = Spawn.Request(path: "/nonexistent/x", arguments: ["x"], environment: [])
        #expect(throws: SystemError("posix_spawn", code: ENOENT)) { try Spawn.run(request) }
    }

    @Test func exitStatusDecodes() throws {
        #expect(try Self.shell("exit 3").0 == .exited(code: 3))
        #expect(try Self.shell("kill -KILL $$").0 == .signaled(signal: SIGKILL, name: "SIGKILL"))
        #expect(Termination.signaled(signal: SIGKILL, name: "SIGKILL").description == "terminated by SIGKILL")
        #expect(Termination.exited(code: 3).description == "exited with code 3")
        #expect(Termination.signaled(signal: 15, name: "SIGTERM").shellCode == 143)
    }
}
