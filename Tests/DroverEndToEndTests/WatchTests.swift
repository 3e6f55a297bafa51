import DroverSystem
import Foundation
import Testing

/// `--watch` against the built binary: editors' save patterns, the ignore list, new
/// and moved directories, the debounce, the kernel's limits, and no idle wake-ups.
///
/// The debounce is raised to a second where a test makes several changes that must
/// count as one burst, so a loaded machine cannot split them.
@Suite struct WatchTests {
    static let procfile = """
        web: echo "run $$"; exec sleep 120
        other: echo "other $$"; exec sleep 120
        """

    struct Watched {
        let sandbox: Sandbox
        let drover: RunningDrover

        init(_ arguments: [String], files: [String: String] = [:], procfile: String = WatchTests.procfile) throws {
            sandbox = try Sandbox()
            try sandbox.write("Procfile", procfile)
            for (name, contents) in files { try sandbox.write(name, contents) }
            drover = try RunningDrover(["start", "--no-timestamp"] + arguments, in: sandbox.path)
            drover.waitForOutput("web.1   | run")
            drover.waitForOutput("other.1 | other")
        }

        func path(_ name: String) -> String { "\(sandbox.path)/\(name)" }

        /// The `restarting` line for a change, then the new run's first line.
        func expectRestart(_ line: String, run: Int, sourceLocation: SourceLocation = #_sourceLocation) {
            drover.waitForOutput("system  | web: restarting (\(line))\n", timeout: 30)
            drover.waitForOutput("web.1   | run", times: run, timeout: 30)
        }

        var restartLines: [Substring] {
            drover.stdout.split(separator: "\n").filter { $0.contains(": restarting (") }
        }

        func finish() throws {
            drover.signal(SIGTERM)
            let outcome = try drover.finish()
            #expect(outcome.code == 0, "\(outcome.stdout)\n\(outcome.stderr)")
            #expect(!outcome.stdout.contains("other: restarting"), "other is not watched")
            #expect(outcome.stdout.components(separatedBy: "other.1 | other").count == 2, "other ran once")
        }
    }

    @Test func editorsSavePatternsEachRestartTheType() throws {
        let watched = try Watched(["--watch", "web=app", "--watch-debounce", "1"], files: ["app/main.py": "v1\n"])
        let main = watched.path("app/main.py")

        // In place: the file is opened and written.
        let handle = try #require(FileHandle(forWritingAtPath: main))
        handle.seekToEndOfFile()
        handle.write(Data("v2\n".utf8))
        handle.closeFile()
        watched.expectRestart("app/main.py changed", run: 2)

        // vim: a 4913 write test, the old file renamed to a backup, a new file, the backup removed.
        try watched.sandbox.write("app/4913", "")
        try FileManager.default.removeItem(atPath: watched.path("app/4913"))
        try FileManager.default.moveItem(atPath: main, toPath: main + "~")
        try watched.sandbox.write("app/main.py", "v3\n")
        try FileManager.default.removeItem(atPath: main + "~")
        watched.expectRestart("app/main.py changed", run: 3)

        // A temporary file renamed over the old one.
        try watched.sandbox.write("app/.main.py.tmp", "v4\n")
        #expect(rename(watched.path("app/.main.py.tmp"), main) == 0)
        watched.expectRestart("app/.main.py.tmp and 1 more changed", run: 4)

        // Deleted, then created again.
        try FileManager.default.removeItem(atPath: main)
        try watched.sandbox.write("app/main.py", "v5\n")
        watched.expectRestart("app/main.py changed", run: 5)

        // Outside the watched path: nothing.
        try watched.sandbox.write("elsewhere.py", "x\n")
        try watched.sandbox.write("app/last.py", "x\n")
        watched.expectRestart("app/last.py changed", run: 6)
        #expect(watched.restartLines.count == 5, "\(watched.restartLines)")
        try watched.finish()
    }

    @Test func aBurstIsOneRestartAndIgnoredFilesDoNotCount() throws {
        let watched = try Watched(
            ["--watch", "web", "--watch-debounce", "1", "--watch-ignore", "*.log", "--watch-ignore", "tmp/cache"],
            files: [".git/HEAD": "ref\n", "src/a.py": "a\n"])
        // Every ignored kind first, then five real changes: one restart naming the first real one.
        for name in [
            ".git/HEAD", ".git/new", "node_modules/left-pad/index.js", "src/.a.py.swp", "src/a.py~", "src/.#a.py", "src/4913",
            ".hg/x", ".svn/x", ".build/debug/x", "src/__pycache__/a.pyc", "server.log", "src/deep/trace.log", "tmp/cache/blob",
        ] {
            try watched.sandbox.write(name, "ignored\n")
        }
        for name in ["src/a.py", "src/b.py", "c.py", "src/d/e.py", "src/a.py"] { try watched.sandbox.write(name, "real\n") }
        try watched.sandbox.write("src/f.py", "real\n")
        watched.expectRestart("src/a.py and 4 more changed", run: 2)
        // The socket drover itself made and anything a client does on it: nothing.
        #expect(try DroverProcess.run(["ps"], in: watched.sandbox.path).code == 0)
        try watched.sandbox.write("tmp/other", "counts\n")
        watched.expectRestart("tmp/other changed", run: 3)
        #expect(watched.restartLines.count == 2, "\(watched.restartLines)")
        try watched.finish()
    }

    @Test func newAndMovedDirectoriesAreWatchedAndWhatIsInThemCounts() throws {
        let watched = try Watched(
            ["--watch", "web=src", "--watch-debounce", "0.5"], files: ["src/a.py": "a\n", "staging/mod/x.py": "x\n"])
        // A directory and a file in it, made at once: the file can come before the watch.
        try FileManager.default.createDirectory(atPath: watched.path("src/pkg/deep"), withIntermediateDirectories: true)
        try watched.sandbox.write("src/pkg/deep/m.py", "m\n")
        watched.drover.waitForOutput("system  | web: restarting (src/pkg", timeout: 30)
        watched.drover.waitForOutput("web.1   | run", times: 2)
        try watched.sandbox.write("src/pkg/deep/m.py", "m2\n")
        watched.expectRestart("src/pkg/deep/m.py changed", run: 3)

        // Moved in: a change itself, and watched from then on.
        #expect(rename(watched.path("staging/mod"), watched.path("src/mod")) == 0)
        watched.expectRestart("src/mod and 1 more changed", run: 4)
        try watched.sandbox.write("src/mod/x.py", "x2\n")
        watched.expectRestart("src/mod/x.py changed", run: 5)

        // Moved away: a change there is no longer one under src.
        #expect(rename(watched.path("src/mod"), watched.path("staging/gone")) == 0)
        watched.expectRestart("src/mod changed", run: 6)
        try watched.sandbox.write("staging/gone/x.py", "x3\n")
        try watched.sandbox.write("src/a.py", "a2\n")
        watched.expectRestart("src/a.py changed", run: 7)
        #expect(watched.restartLines.count == 6, "\(watched.restartLines)")
        try watched.finish()
    }

    @Test func aTargetRemovedAndMadeAgainIsWatchedAgain() throws {
        let watched = try Watched(["--watch", "web=src/app:src/lone.py"], files: ["src/app/a.py": "a\n", "src/lone.py": "l\n"])
        try FileManager.default.removeItem(atPath: watched.path("src"))
        watched.drover.waitForOutput("system  | web: restarting (", timeout: 30)
        watched.drover.waitForOutput("web.1   | run", times: 2)
        // Back, a step at a time: src, then src/app (a change), then files in it.
        try FileManager.default.createDirectory(atPath: watched.path("src"), withIntermediateDirectories: false)
        try FileManager.default.createDirectory(atPath: watched.path("src/app"), withIntermediateDirectories: false)
        watched.expectRestart("src/app changed", run: 3)
        try watched.sandbox.write("src/app/b.py", "b\n")
        watched.expectRestart("src/app/b.py changed", run: 4)
        try watched.sandbox.write("src/lone.py", "l2\n")
        watched.expectRestart("src/lone.py changed", run: 5)
        try watched.finish()
    }

    /// A tree is walked a slice of directories per loop turn: all of it ends up watched.
    @Test func aLargeTreeIsWatchedToItsLastDirectory() throws {
        let sandbox = try Sandbox()
        for index in 0..<1_500 {
            try FileManager.default.createDirectory(
                atPath: sandbox.path + "/tree/d\(index % 30)/e\(index)", withIntermediateDirectories: true)
        }
        try sandbox.write("Procfile", WatchTests.procfile)
        let drover = try RunningDrover(["start", "--no-timestamp", "--watch", "web=tree"], in: sandbox.path)
        drover.waitForOutput("web.1   | run")
        // The walk's end is not announced: write until all three are seen at once (each
        // round waits out the debounce; one while the walk is on sees fewer).
        let deadline = Date().addingTimeInterval(30)
        var attempt = 0
        let whole = "web: restarting (tree/d0/e0/f.py and 2 more changed)"
        while !drover.stdout.contains(whole), Date() < deadline {
            attempt += 1
            for index in [0, 749, 1_499] { try sandbox.write("tree/d\(index % 30)/e\(index)/f.py", "\(attempt)\n") }
            usleep(700_000)
        }
        drover.waitForOutput(whole, timeout: 1)
        #expect(try DroverProcess.run(["ps"], in: sandbox.path).code == 0)
        drover.signal(SIGTERM)
        #expect(try drover.finish().code == 0)
    }

    @Test func aStoppedInstanceStaysStoppedAndAListenTypeIsHandedOver() throws {
        let port = FreePorts.base(types: 2)
        let watched = try Watched(
            ["--watch", "all=app", "--listen", "web", "-p", "\(port)", "-m", "web=1,other=1", "--watch-ignore", "other"],
            files: ["app/x": "x\n"])
        #expect(try DroverProcess.run(["stop", "other"], in: watched.sandbox.path).code == 0)
        watched.drover.waitForOutput("other.1 terminated by SIGTERM")
        try watched.sandbox.write("app/x", "x2\n")
        watched.expectRestart("app/x changed", run: 2)
        watched.drover.waitForOutput("web.1 restarting: a new run starts beside pid")
        let list = try DroverProcess.run(["ps", "--json"], in: watched.sandbox.path).stdout
        let other: [String: Any]? = ProcessList.rows(fromJSON: list).first { $0["name"] as? String == "other.1" }
        #expect(other?["state"] as? String == "stopped")
        #expect(!watched.drover.stdout.contains("other: restarting"), "nothing of other's to restart, so no line")
        watched.drover.signal(SIGTERM)
        #expect(try watched.drover.finish().code == 0)
    }

    @Test func aDaemonWatchingItsRootIgnoresItsOwnLogFile() throws {
        let sandbox = try Sandbox()
        try sandbox.write("Procfile", WatchTests.procfile)
        let started = try DroverProcess.run(["start", "-D", "--log", "drover.log", "--watch", "web"], in: sandbox.path)
        #expect(started.code == 0, "\(started.stderr)")
        let daemon = try #require(DaemonTests.daemonPid(started.stdout))
        defer { _ = ProcessTable.killSurvivors([daemon]) }
        func waitForLog(_ text: String, times: Int = 1) {
            let deadline = Date().addingTimeInterval(30)
            while sandbox.text("drover.log").components(separatedBy: text).count <= times, Date() < deadline { usleep(20_000) }
            #expect(sandbox.text("drover.log").components(separatedBy: text).count > times, "\(text):\n\(sandbox.text("drover.log"))")
        }
        waitForLog("web.1   | run")
        // Each line drover appends to its log is a change in the root: were it counted,
        // every restart would cause the next.
        try sandbox.write("a.py", "a\n")
        waitForLog("system  | web: restarting (a.py changed)")
        waitForLog("web.1   | run", times: 2)
        try sandbox.write("b.py", "b\n")
        waitForLog("system  | web: restarting (b.py changed)")
        waitForLog("web.1   | run", times: 3)
        #expect(sandbox.text("drover.log").components(separatedBy: ": restarting (").count == 3)

        // Rotated as logrotate does: renamed, written to under the new name, reopened.
        // The old file is still drover's own, whatever it is called now.
        #expect(rename(sandbox.path + "/drover.log", sandbox.path + "/drover.log.1") == 0)
        #expect(try DroverProcess.run(["scale", "other=2"], in: sandbox.path).code == 0)
        let deadline = Date().addingTimeInterval(30)
        while !sandbox.text("drover.log.1").contains("other.2 | other"), Date() < deadline { usleep(20_000) }
        #expect(try DroverProcess.run(["reopen-logs"], in: sandbox.path).code == 0)
        waitForLog("reopened")
        try sandbox.write("c.py", "c\n")
        waitForLog("system  | web: restarting (c.py changed)")
        waitForLog("web.1   | run")
        let restarts = (sandbox.text("drover.log.1") + sandbox.text("drover.log")).components(separatedBy: ": restarting (")
        #expect(restarts.count == 4, "a.py, b.py and c.py only: \(restarts.dropFirst().map { $0.prefix(40) })")
        #expect(try DroverProcess.run(["stop"], in: sandbox.path).code == 0)
        DaemonTests.expectGone([daemon])
    }

    @Test func badWatchSettingsAreRefusedWhereTheyAreWritten() throws {
        let sandbox = try Sandbox()
        try sandbox.write("Procfile", WatchTests.procfile)
        try FileManager.default.createDirectory(atPath: "\(sandbox.path)/app", withIntermediateDirectories: true)
        let cases: [([String], String)] = [
            (
                ["--watch", "nope"],
                "drover: invalid value \"nope\" for --watch: unknown process type \"nope\" (the Procfile has: web, other)"
            ),
            (
                ["--watch", "web=app::lib"],
                "drover: invalid value \"web=app::lib\" for --watch: empty path in \"app::lib\" (paths are separated by ':')"
            ),
            (["--watch", "web", "--watch", "web=app"], "drover: invalid value \"web=app\" for --watch: \"web\" is given twice"),
            (["--watch-ignore", "[ab"], "drover: invalid value \"[ab\" for --watch-ignore: \"[ab\" has a '[' without its ']'"),
            (["--watch-debounce", "soon"], "drover: invalid value \"soon\" for --watch-debounce: must be a number of seconds such as 0.3"),
        ]
        for (arguments, message) in cases {
            let outcome = try DroverProcess.run(["check"] + arguments, in: sandbox.path)
            #expect(outcome.code == 64, "\(arguments)")
            #expect(outcome.stderr == message + "\n", "\(arguments)")
        }
        try sandbox.write(".drover", "[web]\nwatch=app:\n")
        let section = try DroverProcess.run(["check"], in: sandbox.path)
        #expect(section.code == 1)
        #expect(
            section.stderr == "drover: .drover:2: invalid value \"app:\" for watch: empty path in \"app:\" (paths are separated by ':')\n")

        // A path that does not exist (or cannot be reached) stops the start before anything
        // runs, and check says so too: at the flag (a usage error) or the file's line.
        try sandbox.write(".drover", "[web]\nwatch=app:missing\n")
        let root = URL(fileURLWithPath: sandbox.path).resolvingSymlinksInPath().path
        for command in ["start", "check"] {
            let missing = try DroverProcess.run([command], in: sandbox.path)
            #expect(missing.code == 1)
            #expect(missing.stderr == "drover: .drover:2: invalid value \"app:missing\" for watch: \(root)/missing does not exist\n")
            #expect(!missing.stdout.contains("started"))
        }
        try FileManager.default.removeItem(atPath: sandbox.path + "/.drover")
        #expect(symlink("loop", sandbox.path + "/loop") == 0)
        let loop = try DroverProcess.run(["start", "--watch", "web=loop"], in: sandbox.path)
        #expect(loop.code == 64)
        #expect(loop.stderr.hasPrefix("drover: invalid value \"web=loop\" for --watch: \(root)/loop cannot be reached ("), "\(loop.stderr)")
        #expect(loop.stderr.split(separator: "\n").count == 1)
    }

    @Test func aDefaultsFileSectionWatchesAndWatchFalseOverrulesAll() throws {
        let watched = try Watched(
            [], files: [".drover": "watch=all=lib\n[web]\nwatch=app\n[other]\nwatch=false\n", "app/x": "x\n", "lib/y": "y\n"])
        try watched.sandbox.write("lib/y", "y2\n")
        try watched.sandbox.write("app/x", "x2\n")
        watched.expectRestart("app/x changed", run: 2)
        #expect(watched.restartLines == ["system  | web: restarting (app/x changed)"])
        try watched.finish()
    }

    /// Context switches of every thread of `pid`: a sleeping loop makes none.
    static func contextSwitches(of pid: Int32) -> Int {
        let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task")) ?? []
        return tasks.reduce(0) { total, task in
            let status = (try? String(contentsOfFile: "/proc/\(pid)/task/\(task)/status", encoding: .utf8)) ?? ""
            return total
                + status.split(separator: "\n").filter { $0.contains("ctxt_switches:") }.compactMap {
                    Int($0.split(separator: "\t").last ?? "")
                }.reduce(0, +)
        }
    }

    @Test func watchingWakesNothingWhileNothingChanges() throws {
        var files: [String: String] = [:]
        for index in 0..<50 { files["tree/d\(index % 7)/e\(index)/f.py"] = "f\n" }
        let watched = try Watched(["--watch", "all=tree"], files: files)
        let before = Self.contextSwitches(of: watched.drover.pid)
        #expect(before > 0, "the counters are readable")
        usleep(1_500_000)
        #expect(Self.contextSwitches(of: watched.drover.pid) == before, "no wake-up in 1.5 s of quiet")
        try watched.finish()
    }

    @Test func theWatchLimitIsReportedAndTheFormationRunsOn() throws {
        // A user namespace has inotify limits of its own, which it may lower.
        guard (try? DroverProcess.runProgram("/usr/bin/unshare", ["unshare", "-Ur", "true"], in: "/").code) == 0 else {
            Issue.record("needs unshare (util-linux) and unprivileged user namespaces (sysctl kernel.unprivileged_userns_clone=1)")
            return
        }
        let sandbox = try Sandbox()
        try sandbox.write("Procfile", WatchTests.procfile)
        for index in 0..<10 { try sandbox.write("d\(index)/f", "f\n") }
        let drover = try RunningDrover(
            program: "/usr/bin/unshare",
            [
                "unshare", "-Ur", "/bin/sh", "-c",
                "echo 4 > /proc/sys/user/max_inotify_watches && exec \"$0\" start --no-timestamp --watch web",
                DroverProcess.binary,
            ], in: sandbox.path)
        drover.waitForOutput("system  | cannot watch 7 directories under .: the inotify watch limit (fs.inotify.max_user_watches")
        drover.waitForOutput(") is reached, so changes there are not seen; raise it (sysctl fs.inotify.max_user_watches=524288)")
        drover.waitForOutput("web.1   | run")
        try sandbox.write("top.py", "x\n")
        drover.waitForOutput("system  | web: restarting (top.py changed)")
        drover.waitForOutput("web.1   | run", times: 2)
        drover.signal(SIGTERM)
        #expect(try drover.finish().code == 0)
    }

    @Test func aQueueOverflowIsReportedAndEveryWatchedTypeRestarts() throws {
        let queue = try #require(
            Int(try String(contentsOfFile: "/proc/sys/fs/inotify/max_queued_events", encoding: .utf8).filter(\.isNumber)))
        let watched = try Watched(["--watch", "all=flood", "--watch-debounce", "0.5"], files: ["flood/.keep": ""])
        // Stopped, drover reads nothing; each new file queues at least two events.
        watched.drover.signal(SIGSTOP)
        for index in 0..<(queue / 2 + 100) {
            let descriptor = open(watched.path("flood/f\(index)"), O_CREAT | O_WRONLY | O_CLOEXEC, 0o644)
            #expect(descriptor >= 0)
            close(descriptor)
        }
        watched.drover.signal(SIGCONT)
        watched.drover.waitForOutput(
            "system  | too many file changes at once: the kernel's queue (fs.inotify.max_queued_events = \(queue)) overflowed")
        watched.drover.waitForOutput("system  | web: restarting (file changes were lost)")
        watched.drover.waitForOutput("system  | other: restarting (file changes were lost)")
        watched.drover.waitForOutput("web.1   | run", times: 2)
        watched.drover.waitForOutput("other.1 | other", times: 2)
        watched.drover.signal(SIGTERM)
        #expect(try watched.drover.finish().code == 0)
    }
}
