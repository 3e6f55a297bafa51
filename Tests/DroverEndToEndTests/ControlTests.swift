import Foundation
import Testing

/// Talking to a running drover: scale, ps, restart, stop, start, logs, the socket's rules.
@Suite struct ControlTests {
    static let procfile = """
        web: echo "web $PS port=$PORT pid=$$"; exec sleep 120
        worker: echo "worker $PS port=$PORT pid=$$"; exec sleep 120
        """

    /// A foreground drover with its control socket, and `drover` as a client in the same directory.
    struct Formation {
        let sandbox: Sandbox
        let drover: RunningDrover

        init(_ procfile: String = ControlTests.procfile, arguments: [String] = []) throws {
            sandbox = try Sandbox()
            try sandbox.write("Procfile", procfile)
            drover = try RunningDrover(["start", "--no-timestamp"] + arguments, in: sandbox.path)
        }

        func client(_ arguments: [String]) throws -> Outcome {
            try DroverProcess.run(arguments, in: sandbox.path)
        }

        func rows() throws -> [[String: Any]] {
            ProcessList.rows(fromJSON: try client(["ps", "--json"]).stdout)
        }

        func row(_ name: String) throws -> [String: Any]? {
            try rows().first { $0["name"] as? String == name }
        }

        /// Polls `ps` until `condition` holds (state changes are asynchronous).
        func waitFor(_ what: String, timeout: Double = 20, _ condition: ([[String: Any]]) -> Bool) throws {
            let deadline = Date().addingTimeInterval(timeout)
            while Date() < deadline {
                if condition(try rows()) { return }
                usleep(20_000)
            }
            Issue.record("timed out waiting for \(what): \(try rows())")
        }

        func finish() throws -> Outcome {
            drover.signal(SIGTERM)
            return try drover.finish()
        }
    }

    static func pid(_ row: [String: Any]?) -> Int32? {
        (row?["pid"] as? Int).map(Int32.init)
    }

    @Test func scalesUpAndDownWhileTheRestKeepsRunning() throws {
        let formation = try Formation()
        formation.drover.waitForOutput("worker worker.1")
        let webPid = Self.pid(try formation.row("web.1"))
        let workerPid = Self.pid(try formation.row("worker.1"))

        let up = try formation.client(["scale", "worker=3"])
        #expect(up.code == 0)
        #expect(up.stdout == "formation: web=1 worker=3\n")
        formation.drover.waitForOutput("worker worker.3 port=5102")
        formation.drover.waitForOutput("worker worker.2 port=5101")
        let names = try formation.rows().map { $0["name"] as? String }
        #expect(names == ["web.1", "worker.1", "worker.2", "worker.3"])

        let down = try formation.client(["scale", "worker=1", "web=0"])
        #expect(down.stdout == "formation: web=0 worker=1\n")
        try formation.waitFor("worker.2, worker.3 and web.1 gone") { $0.count == 1 }
        #expect(Self.pid(try formation.row("worker.1")) == workerPid, "the survivor is untouched")
        // ps drops scaled-down instances at once; their exit comes a little later.
        formation.drover.waitForOutput("web.1 terminated by SIGTERM")
        #expect(ProcessTable.isAlive(workerPid!))
        #expect(!ProcessTable.isAlive(webPid!))
        let outcome = try formation.finish()
        #expect(outcome.code == 0, "scaling never stops the formation; SIGTERM did")
    }

    @Test func scalesATypeUpFromZero() throws {
        let formation = try Formation(arguments: ["-m", "web=1,worker=0"])
        formation.drover.waitForOutput("web web.1")
        #expect(try formation.rows().count == 1)
        #expect(try formation.client(["scale", "worker=2"]).stdout == "formation: web=1 worker=2\n")
        // Two processes: their lines may come in either order.
        formation.drover.waitForOutput("worker worker.2 port=5101")
        formation.drover.waitForOutput("worker worker.1 port=5100")
        _ = try formation.finish()
    }

    @Test func restartsOneInstanceWithANewPidAndTheSamePort() throws {
        let formation = try Formation(arguments: ["-m", "web=1,worker=2"])
        formation.drover.waitForOutput("worker worker.2")
        let before = try formation.rows()
        let restarted = try formation.client(["restart", "worker.2"])
        #expect(restarted.code == 0)
        #expect(restarted.stdout == "restarting worker.2\n")
        try formation.waitFor("worker.2 restarted") { rows in
            rows.first { $0["name"] as? String == "worker.2" }?["restarts"] as? Int == 1
                && rows.first { $0["name"] as? String == "worker.2" }?["state"] as? String == "running"
        }
        let after = try formation.rows()
        let old = before.first { $0["name"] as? String == "worker.2" }
        let new = after.first { $0["name"] as? String == "worker.2" }
        #expect(Self.pid(new) != Self.pid(old))
        #expect(new?["port"] as? Int == 5101)
        #expect(
            Self.pid(after.first { $0["name"] as? String == "worker.1" }) == Self.pid(before.first { $0["name"] as? String == "worker.1" }))
        #expect(formation.drover.stdout.components(separatedBy: "worker worker.2 port=5101").count == 3, "printed twice")
        #expect(try formation.finish().code == 0)
    }

    @Test func stopsOneAndStartsItAgain() throws {
        let formation = try Formation()
        formation.drover.waitForOutput("worker worker.1")
        #expect(try formation.client(["stop", "web"]).stdout == "stopping web.1\n")
        try formation.waitFor("web.1 stopped") { $0.first?["state"] as? String == "stopped" }
        let stopped = try formation.client(["ps"])
        let webRow = stopped.stdout.split(separator: "\n").first { $0.hasPrefix("web.1 ") }?.split(separator: " ")
        #expect(webRow.map { Array($0.prefix(3)) } == ["web.1", "-", "stopped"])
        let started = try formation.client(["start", "web"])
        #expect(started.code == 0)
        #expect(started.stdout == "started web.1\n")
        try formation.waitFor("web.1 running") { $0.first?["state"] as? String == "running" }
        #expect(try formation.finish().code == 0)
    }

    @Test func aStoppedInstanceThatIgnoresSIGTERMIsKilledAfterTheTimeout() throws {
        let formation = try Formation(
            """
            stubborn: trap '' TERM; echo "ready pid=$$"; while true; do sleep 0.05; done
            calm: exec sleep 120
            """, arguments: ["-t", "1"])
        formation.drover.waitForOutput("stubborn.1 | ready")
        let calmPid = Self.pid(try formation.row("calm.1"))
        #expect(try formation.client(["stop", "stubborn"]).code == 0)
        formation.drover.waitForOutput("sending SIGKILL to stubborn.1, still running after 1s")
        formation.drover.waitForOutput("stubborn.1 terminated by SIGKILL")
        try formation.waitFor("stubborn.1 stopped") { $0.first?["state"] as? String == "stopped" }
        #expect(Self.pid(try formation.row("calm.1")) == calmPid, "the rest keeps running")
        #expect(try formation.finish().code == 0)
    }

    @Test func psShowsATableAndJSON() throws {
        let formation = try Formation()
        formation.drover.waitForOutput("worker worker.1")
        let table = try formation.client(["ps"])
        #expect(table.code == 0)
        let lines = table.stdout.split(separator: "\n")
        #expect(lines.first == "NAME      PID    STATE    UPTIME  PORT  RESTARTS  EXIT" || lines.first?.hasPrefix("NAME") == true)
        #expect(lines.count == 3)
        #expect(lines[1].hasPrefix("web.1 ") && lines[1].contains(" running ") && lines[1].contains(" 5000 "))
        let rows = try formation.rows()
        #expect(rows.count == 2)
        for key in ["name", "type", "number", "pid", "state", "port", "uptime_s", "restarts", "exit_code"] {
            #expect(rows[0].keys.contains(key), "\(key)")
        }
        #expect(rows[1]["name"] as? String == "worker.1")
        #expect(rows[1]["type"] as? String == "worker")
        #expect(rows[1]["number"] as? Int == 1)
        #expect(rows[1]["port"] as? Int == 5100)
        _ = try formation.finish()
    }

    @Test func logsReplayAndFollow() throws {
        let formation = try Formation(
            """
            talker: i=0; while [ $i -lt 5 ]; do i=$((i+1)); echo "line $i"; done; exec sleep 120
            other: echo other-line; exec sleep 120
            """)
        formation.drover.waitForOutput("talker.1 | line 5")
        formation.drover.waitForOutput("other.1  | other-line")
        let replay = try formation.client(["logs", "-n", "3", "talker"])
        #expect(replay.code == 0)
        let lines = replay.stdout.split(separator: "\n").map(String.init)
        #expect(lines.count == 3)
        #expect(lines.map { $0.dropFirst(9) } == ["talker.1 | line 3", "talker.1 | line 4", "talker.1 | line 5"])
        #expect(lines.allSatisfy { $0.wholeMatch(of: #/\d\d:\d\d:\d\d .*/#) != nil })

        // Follow: a running `logs -f` sees lines that appear later. Nothing shows when
        // it has registered, so restart `other` (which prints a line) until one arrives.
        let follower = try RunningDrover(["logs", "-f", "-n", "0", "other"], in: formation.sandbox.path)
        var seen = false
        for _ in 0..<40 where !seen {
            #expect(try formation.client(["restart", "other"]).code == 0)
            let deadline = Date().addingTimeInterval(0.5)
            while !seen && Date() < deadline {
                seen = follower.stdout.contains("other.1  | other-line")
                usleep(10_000)
            }
        }
        #expect(seen, "logs -f never showed a new line: \(follower.stdout)")
        #expect(!follower.stdout.contains("talker"))
        follower.signal(SIGTERM)
        _ = try follower.finish()
        #expect(try formation.finish().code == 0)
    }

    @Test func logsTakesItsColorFromTheDefaultsFile() throws {
        let formation = try Formation()
        formation.drover.waitForOutput("web web.1")
        try formation.sandbox.write(".drover", "color=always\n")
        let colored = try formation.client(["logs", "-n", "5", "web"])
        #expect(colored.stdout.contains("\u{1B}[36m"), "\(colored.stdout)")
        #expect(try formation.client(["logs", "-n", "5", "web", "--color=never"]).stdout.contains("\u{1B}[") == false)
        try formation.sandbox.write(".drover", "color=sometimes\n")
        let bad = try formation.client(["logs"])
        #expect(bad.code == 1)
        #expect(bad.stderr == "drover: .drover:1: invalid value \"sometimes\" for color: must be auto, always or never\n")
        try formation.sandbox.write(".drover", "")
        _ = try formation.finish()
    }

    @Test func errorsFromTheDaemonAreOneLine() throws {
        let formation = try Formation()
        formation.drover.waitForOutput("worker worker.1")
        let unknown = try formation.client(["scale", "db=2"])
        #expect(unknown.code == 1)
        #expect(unknown.stderr == "drover: unknown process type \"db\" (the Procfile has: web, worker)\n")
        let nothing = try formation.client(["restart", "worker.7"])
        #expect(nothing.stderr == "drover: no instance matches \"worker.7\"\n")
        let badName = try formation.client(["stop", "web..1"])
        #expect(badName.code == 64)
        let badScale = try formation.client(["scale", "worker=many"])
        #expect(badScale.code == 64)
        #expect(badScale.stderr == "drover: invalid scale: count for \"worker\" must be a whole number from 0 to 10000, got \"many\"\n")
        let hugeScale = try formation.client(["scale", "worker=99999999999"])
        #expect(hugeScale.code == 64)
        #expect(hugeScale.stderr == "drover: invalid scale: count for \"worker\" is above the limit of 10000, got \"99999999999\"\n")
        // web's 101st instance would take worker.1's port: refused, nothing started.
        let collide = try formation.client(["scale", "web=101"])
        #expect(collide.code == 1)
        #expect(collide.stderr.hasPrefix("drover: web.101 would get port "), "\(collide.stderr)")
        #expect(collide.stderr.hasSuffix(", which worker.1 has (each type owns a block of 100 ports)\n"))
        #expect(try formation.client(["ps"]).stdout.contains("web.2") == false)
        _ = try formation.finish()
    }

    @Test func aLiveSocketIsRefusedAndAStaleOneCleaned() throws {
        let formation = try Formation()
        formation.drover.waitForOutput("worker worker.1")
        let second = try formation.client(["start"])
        #expect(second.code == 1)
        #expect(second.stderr == "drover: drover is already running here (pid \(formation.drover.pid)); use 'drover stop' or -s PATH\n")
        _ = try formation.finish()
        #expect(!FileManager.default.fileExists(atPath: formation.sandbox.path + "/.drover.sock"), "removed on exit")

        // A socket file nobody listens on, as a killed drover leaves it.
        let sandbox = try Sandbox()
        try sandbox.write("Procfile", "web: echo up; exec sleep 60\n")
        let stale = try UnixSocketFixture.leaveStaleSocket(at: sandbox.path + "/.drover.sock")
        #expect(stale)
        let fresh = try RunningDrover(["start"], in: sandbox.path)
        fresh.waitForOutput("web.1  | up")
        #expect(try DroverProcess.run(["ps"], in: sandbox.path).code == 0)
        fresh.signal(SIGTERM)
        #expect(try fresh.finish().code == 0)
    }

    @Test func theSocketIsPrivateAndOtherUsersAreRefused() throws {
        let formation = try Formation()
        formation.drover.waitForOutput("worker worker.1")
        let socket = formation.sandbox.path + "/.drover.sock"
        let attributes = try FileManager.default.attributesOfItem(atPath: socket)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)

        // As nobody: the mode alone keeps it out.
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: formation.sandbox.path)
        let nobody = try DroverProcess.runProgram(
            "/usr/bin/setpriv", ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", DroverProcess.binary, "ps"],
            in: formation.sandbox.path)
        #expect(nobody.code == 1)
        #expect(nobody.stderr.contains("permission denied"), "\(nobody.stderr)")
        // With the mode opened by hand, the peer-credential check still refuses it.
        try FileManager.default.setAttributes([.posixPermissions: 0o666], ofItemAtPath: socket)
        let peer = try DroverProcess.runProgram(
            "/usr/bin/setpriv", ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", DroverProcess.binary, "ps"],
            in: formation.sandbox.path)
        #expect(peer.code == 1)
        #expect(peer.stderr == "drover: permission denied: this drover belongs to another user\n")
        _ = try formation.finish()
    }
}

enum UnixSocketFixture {
    /// Binds a socket file and closes it without listening: what a killed drover leaves.
    static func leaveStaleSocket(at path: String) throws -> Bool {
        let descriptor = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(descriptor) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: Array(path.utf8) + [0])
        }
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        return result == 0
    }
}
