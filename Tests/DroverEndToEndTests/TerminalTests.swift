import DroverCore
import DroverSystem
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// `--tty`: instances on pseudo-terminals of their own, driven from a terminal of the
/// test's own, as a user's would be.
@Suite struct TerminalTests {
    /// Says what the process sees of its terminal, then again on every SIGWINCH; python
    /// without PYTHONUNBUFFERED (the test environment has none), so its lines show up at
    /// once only if stdout is a terminal.
    static let probe = #"""
        import os, signal, sys, time
        def size():
            try:
                s = os.get_terminal_size(1)
                return "%d %d" % (s.lines, s.columns)
            except OSError:
                return "none"
        def report(*_):
            print("size", size())
        tty = all(os.isatty(fd) for fd in (0, 1, 2))
        leader = os.getsid(0) == os.getpid() == os.getpgid(0)
        controlling = tty and os.tcgetpgrp(0) == os.getpgid(0)
        print("probe tty=%s leader=%s controlling=%s term=%s" % (tty, leader, controlling, os.environ.get("TERM")))
        report()
        signal.signal(signal.SIGWINCH, report)
        print("\x1b[31mred\x1b[0m")
        print("step 1\rstep 2\rdone")
        if sys.argv[1:] == ["partial"]:
            sys.stdout.flush()
            os.write(1, b"no newline at the end")
        while True:
            time.sleep(1)
        """#

    static func sandbox() throws -> Sandbox {
        let sandbox = try Sandbox()
        try sandbox.write("probe.py", probe)
        try sandbox.write("Procfile", "probe: exec python3 probe.py\nplain: exec python3 probe.py\n")
        return sandbox
    }

    static func rows(in sandbox: Sandbox) throws -> [[String: Any]] {
        ProcessList.rows(fromJSON: try DroverProcess.run(["ps", "--json"], in: sandbox.path).stdout)
    }

    @Test func aTTYInstanceHasATerminalOfItsOwnSizedLikeDroversAndResizedWithIt() throws {
        let sandbox = try Self.sandbox()
        let drover = try TestTerminal(
            ["start", "--tty", "probe", "--color", "never", "--no-timestamp"], in: sandbox.path,
            size: WindowSize(rows: 37, columns: 101))
        drover.waitFor("probe.1 | done\r\n")
        #expect(drover.text.contains("probe.1 | probe tty=True leader=True controlling=True term=xterm-256color\r\n"))
        #expect(drover.text.contains("probe.1 | size 37 101\r\n"))
        // A pipe for the other type: python buffers it, so nothing shows until it exits.
        #expect(!drover.text.contains("plain.1 | probe"))
        // Colors pass through; \r-drawn progress is a line per step.
        #expect(drover.text.contains("probe.1 | \u{1b}[31mred\u{1b}[0m\r\n"))
        #expect(drover.text.contains("probe.1 | step 1\r\nprobe.1 | step 2\r\nprobe.1 | done\r\n"))

        let rows = try Self.rows(in: sandbox)
        #expect(rows.map { $0["tty"] as? Bool } == [true, false])
        let pids = ProcessList.pids(fromJSON: try DroverProcess.run(["ps", "--json"], in: sandbox.path).stdout)

        // drover's terminal resized: drover gets SIGWINCH and resizes the instance's.
        try drover.resize(WindowSize(rows: 50, columns: 132))
        #expect(drover.waitFor("probe.1 | size 50 132"))

        Children.signal(drover.pid, SIGTERM)
        let (status, text) = try drover.finish()
        #expect(status == .exited(code: 0), "\(text)")
        // The pipe's python was killed before it flushed: what --tty is for.
        #expect(!text.contains("plain.1 | probe"))
        #expect(ProcessTable.killSurvivors(pids) == [], "instances outlived drover")
    }

    @Test func withoutATerminalDroverGivesTheVT100SizeAndKeepsTERM() throws {
        let sandbox = try Self.sandbox()
        try sandbox.write(".drover", "[probe]\ntty=true\n")
        try sandbox.write("Procfile", "probe: exec python3 probe.py partial\n")
        let drover = try RunningDrover(
            ["start", "probe", "--no-timestamp"], in: sandbox.path, environment: DroverProcess.environment(["TERM": "screen"]))
        drover.waitForOutput("probe.1 | probe tty=True leader=True controlling=True term=screen")
        drover.waitForOutput("probe.1 | size 24 80")
        #expect(try Self.rows(in: sandbox).map { $0["tty"] as? Bool } == [true])
        let instances = try AttachTests.pids(in: sandbox)
        drover.signal(SIGTERM)
        let outcome = try drover.finish(checking: instances)
        #expect(outcome.code == 0)
        #expect(outcome.stdout.contains("probe.1 | done\n"))
        // A partial last line is flushed when the terminal closes (EIO on the master).
        #expect(outcome.stdout.contains("probe.1 | no newline at the end\n"), "\(outcome.stdout)")
    }
}

extension TerminalTests {
    @Test func checkNamesABadTTYSettingByItsFlagOrLine() throws {
        let sandbox = try Self.sandbox()
        let flag = try DroverProcess.run(["check", "--tty", "probe,ghost"], in: sandbox.path)
        #expect(flag.code == 64)
        #expect(
            flag.stderr.hasPrefix(
                #"drover: invalid value "probe,ghost" for --tty: unknown process type "ghost" (the Procfile has: probe, plain)"#))
        try sandbox.write(".drover", "[plain]\ntty=maybe\n")
        let file = try DroverProcess.run(["check"], in: sandbox.path)
        #expect(file.code == 1)
        #expect(file.stderr == "drover: .drover:2: invalid value \"maybe\" for tty: must be true or false\n")
        try sandbox.write(".drover", "[plain]\ntty=true\n")
        #expect(try DroverProcess.run(["check", "--tty", "all"], in: sandbox.path).code == 0)
    }
}

extension RunningDrover {
    /// `finish`, then a check that none of `instances` (in sessions of their own, so
    /// outside drover's group) outlived drover.
    func finish(checking instances: [Int32], sourceLocation: SourceLocation = #_sourceLocation) throws -> Outcome {
        let outcome = try finish()
        #expect(ProcessTable.killSurvivors(instances) == [], "instances outlived drover", sourceLocation: sourceLocation)
        return outcome
    }
}

/// `drover attach`: a user's terminal joined to an instance's.
@Suite struct AttachTests {
    /// An interactive shell and a pipe type; `-t 1` because an interactive shell
    /// ignores SIGTERM, as on any terminal.
    static func formation(_ extra: [String] = []) throws -> (Sandbox, RunningDrover) {
        let sandbox = try Sandbox()
        try sandbox.write("Procfile", "console: exec sh -i\nweb: exec sleep 100\n")
        let drover = try RunningDrover(["start", "--tty", "console", "-t", "1", "--no-timestamp"] + extra, in: sandbox.path)
        drover.waitForOutput("console.1 started")
        drover.waitForOutput("web.1 started")
        return (sandbox, drover)
    }

    static func pids(in sandbox: Sandbox) throws -> [Int32] {
        ProcessList.pids(fromJSON: try DroverProcess.run(["ps", "--json"], in: sandbox.path).stdout)
    }

    static func pid(of name: String, in sandbox: Sandbox) throws -> Int? {
        ProcessList.rows(fromJSON: try DroverProcess.run(["ps", "--json"], in: sandbox.path).stdout)
            .first { $0["name"] as? String == name }?["pid"] as? Int
    }

    @Test func typeResizeDetachAndTheInstanceRunsOn() throws {
        let (sandbox, drover) = try Self.formation()
        let shell = try Self.pid(of: "console.1", in: sandbox)
        let instances = try Self.pids(in: sandbox)
        let user = try TestTerminal(size: WindowSize(rows: 33, columns: 111))
        let before = try user.modes()
        try user.start(["attach", "console"], in: sandbox.path)
        user.waitFor("[attached to console.1; Ctrl-\\ detaches]\r\n# ")
        // Each command waits for the next prompt: a line typed before it is echoed
        // ahead of the prompt, and the output no longer starts a line.
        try user.type("echo $((6*7))\r")
        #expect(user.waitFor("\r\n42\r\n# "))
        try user.type("stty size\r")
        #expect(user.waitFor("\r\n33 111\r\n# "))
        try user.resize(WindowSize(rows: 40, columns: 100))
        try user.type("stty size\r")
        #expect(user.waitFor("\r\n40 100\r\n"))
        #expect(try user.modes() != before, "raw while attached")
        try user.type(bytes: [0x1C])
        let (status, text) = try user.finish()
        #expect(status == .exited(code: 0))
        #expect(text.hasSuffix("[detached from console.1]\r\n"), "\(text)")
        #expect(try user.modes() == before, "the terminal's modes are restored")
        // Still running, the same process; what it wrote went to the log stream as well.
        #expect(try Self.pid(of: "console.1", in: sandbox) == shell)
        #expect(drover.stdout.contains("console.1 | 42\n"))
        #expect(try DroverProcess.run(["logs", "console.1"], in: sandbox.path).stdout.contains("console.1 | 42\n"))

        // Without a terminal on stdin: bytes in, bytes out, and no window size sent,
        // so the terminal is back at drover's (none here: 80x24) now nobody is attached.
        let script = try Pipe.make(nonblockingReadEnd: false)
        let attach = try RunningDrover(
            program: DroverProcess.binary, ["drover", "attach", "console.1"], in: sandbox.path,
            standardInput: .descriptor(script.readEnd))
        script.readEnd.close()
        try script.writeEnd.writeAll("stty size\n")
        #expect(attach.waitForOutput("24 80"))
        try script.writeEnd.writeAll("exit 3\n")
        script.writeEnd.close()
        let end = try attach.finish()
        #expect(end.code == 0)
        #expect(end.stderr == "[console.1 exited with code 3]\n")
        #expect(try drover.finish(checking: instances).code == 3)
    }

    @Test func twoClientsSeeTheSameOutputAndBothType() throws {
        let (sandbox, drover) = try Self.formation()
        let instances = try Self.pids(in: sandbox)
        let first = try TestTerminal(["attach", "console"], in: sandbox.path)
        let second = try TestTerminal(["attach", "console", "--detach-key", "ctrl-a"], in: sandbox.path)
        first.waitFor("detaches]")
        #expect(second.waitFor("[attached to console.1; Ctrl-A detaches]"))
        try first.type("echo from-$((1+1))-first\r")
        #expect(first.waitFor("from-2-first"))
        #expect(second.waitFor("from-2-first"))
        try second.type("echo from-$((2+2))-second\r")
        #expect(first.waitFor("from-4-second"))
        #expect(second.waitFor("from-4-second"))
        try second.type(bytes: [0x01])
        #expect(try second.finish().status == .exited(code: 0))
        // drover stops: the shell ignores SIGTERM, is killed after -t 1, and the
        // client still attached says so.
        drover.signal(SIGTERM)
        let (status, text) = try first.finish()
        #expect(status == .exited(code: 0))
        #expect(text.hasSuffix("# \r\n[console.1 exited with code 137]\r\n"), "\(text)")
        #expect(try drover.finish(checking: instances).code == 1)
    }

    /// A process that puts its terminal in raw mode and prints every byte it reads.
    @Test func theDetachKeyPressedTwiceGoesThroughOnce() throws {
        let sandbox = try Sandbox()
        try sandbox.write(
            "keys.py",
            """
            import os, sys, tty
            tty.setraw(0)
            os.write(1, b"ready\\r\\n")
            while True:
                for byte in os.read(0, 100):
                    os.write(1, b"key %02x\\r\\n" % byte)
            """)
        try sandbox.write("Procfile", "keys: exec python3 keys.py\n")
        let drover = try RunningDrover(["start", "--tty", "keys", "--no-timestamp"], in: sandbox.path)
        drover.waitForOutput("keys.1 | ready")
        let instances = try Self.pids(in: sandbox)
        let user = try TestTerminal(["attach", "keys"], in: sandbox.path)
        user.waitFor("detaches]")
        try user.type("a")
        #expect(user.waitFor("key 61\r\n"))
        try user.type(bytes: [0x1C, 0x1C])
        #expect(user.waitFor("key 1c\r\n"))
        try user.type(bytes: [0x1C])
        usleep(100_000)
        try user.type(bytes: [0x1C])
        #expect(user.waitFor("key 1c\r\n", times: 2), "two presses apart, within the half second")
        // One press, then another key: detached at once, and the key is not sent.
        try user.type(bytes: [0x1C] + Array("z".utf8))
        let (status, text) = try user.finish()
        #expect(status == .exited(code: 0))
        #expect(text.hasSuffix("[detached from keys.1]\r\n"))
        #expect(!text.contains("key 7a"))
        drover.signal(SIGTERM)
        let outcome = try drover.finish(checking: instances)
        let lines = outcome.stdout.split(separator: "\n").filter { $0.hasPrefix("keys.1 | ") }
        #expect(lines == ["keys.1 | ready", "keys.1 | key 61", "keys.1 | key 1c", "keys.1 | key 1c"], "\(outcome.stdout)")
    }

    @Test func aPythonREPL() throws {
        let sandbox = try Sandbox()
        try sandbox.write("Procfile", "repl: exec python3 -q\n")
        let drover = try RunningDrover(["start", "--tty", "all", "--no-timestamp"], in: sandbox.path)
        drover.waitForOutput("repl.1 started")
        let instances = try Self.pids(in: sandbox)
        let user = try TestTerminal(["attach", "repl"], in: sandbox.path)
        user.waitFor(">>> ")
        try user.type("print(6 * 7)\r")
        #expect(user.waitFor("\r\n42\r\n>>> "))
        try user.type(bytes: [0x1C])
        #expect(try user.finish().status == .exited(code: 0))
        drover.signal(SIGTERM)
        let outcome = try drover.finish(checking: instances)
        #expect(outcome.stdout.contains("repl.1 | 42\n"))
    }

    /// SIGINT, SIGTERM and SIGHUP to the client detach it, with the terminal restored.
    @Test(arguments: [SIGINT, SIGTERM, SIGHUP])
    func aSignalToTheClientDetachesIt(_ signal: Int32) throws {
        let (sandbox, drover) = try Self.formation()
        let instances = try Self.pids(in: sandbox)
        let user = try TestTerminal()
        let before = try user.modes()
        try user.start(["attach", "console"], in: sandbox.path)
        user.waitFor("detaches]\r\n# ")
        Children.signal(user.pid, signal)
        let (status, text) = try user.finish()
        #expect(status == .exited(code: 0))
        #expect(text.hasSuffix("[detached from console.1]\r\n"), "\(text)")
        #expect(try user.modes() == before)
        #expect(try Self.pids(in: sandbox) == instances, "the instance runs on")
        drover.signal(SIGTERM)
        _ = try drover.finish(checking: instances)
    }

    @Test func whatCannotBeAttached() throws {
        let (sandbox, drover) = try Self.formation()
        let instances = try Self.pids(in: sandbox)
        let pipe = try DroverProcess.run(["attach", "web.1"], in: sandbox.path)
        #expect(pipe.code == 1)
        #expect(pipe.stderr == "drover: web.1 has no terminal (start it with --tty web)\n")
        let unknown = try DroverProcess.run(["attach", "console.2"], in: sandbox.path)
        #expect(unknown.code == 1)
        #expect(unknown.stderr == "drover: no instance matches \"console.2\"\n")
        for (arguments, message) in [
            (["attach"], "attach takes one instance name, such as web or web.1"),
            (["attach", "web", "console"], "attach takes one instance name, such as web or web.1"),
            (
                ["attach", "console", "--detach-key", "ctrl-ab"],
                #"invalid value "ctrl-ab" for --detach-key: not a key: use ctrl-X (X a letter or one of @[\]^_?) or one printable character"#
            ),
        ] {
            let outcome = try DroverProcess.run(arguments, in: sandbox.path)
            #expect(outcome.code == 64)
            #expect(outcome.stderr == "drover: \(message)\n")
        }
        drover.signal(SIGTERM)
        _ = try drover.finish(checking: instances)
    }

    @Test func whenDroverGoesAwayTheClientSaysSoAndRestoresTheTerminal() throws {
        let (sandbox, drover) = try Self.formation()
        let shell = try #require(try Self.pid(of: "console.1", in: sandbox))
        let user = try TestTerminal()
        let before = try user.modes()
        try user.start(["attach", "console"], in: sandbox.path)
        user.waitFor("detaches]")
        drover.signal(SIGKILL)
        let (status, text) = try user.finish()
        #expect(status == .exited(code: 1))
        #expect(text.contains("drover: lost drover at "), "\(text)")
        #expect(try user.modes() == before)
        _ = try drover.finish()
        // The guardian stops what drover left: SIGTERM, then SIGKILL after -t 1.
        let deadline = Date().addingTimeInterval(20)
        while ProcessTable.isAlive(Int32(shell)) && Date() < deadline { usleep(20_000) }
        #expect(ProcessTable.killSurvivors([Int32(shell)]) == [])
    }
}
