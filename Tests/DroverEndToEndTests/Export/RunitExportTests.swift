import Foundation
import Testing

/// The runit export, run by a real runsvdir.
@Suite struct RunitExportTests {
    static let installed = ExternalTool.has("runsvdir", "runsv", "sv", "chpst", "svlogd")

    @Test(.enabled(if: installed, "runit is not installed: apt-get install runit"))
    func runsvdirRunsEveryInstanceAndSvDownStopsTheWholeGroupWithinTheTimeout() throws {
        let fixture = try ExportFixture()
        let services = "\(fixture.sandbox.path)/service"
        _ = try fixture.export("runit", to: services, ["-t", "1"])
        let runsvdir = try Runsvdir(services)
        let dumps = fixture.waitForDumps()
        fixture.verify(dumps)
        let pids = dumps.values.map(\.pid)
        let names = ExportFixture.instances.map { "\(services)/app-\($0.name.replacingOccurrences(of: ".", with: "-"))" }

        // control/t: SIGTERM to the group, SIGKILL after -t for stubborn.
        let down = try ExternalTool.run("sv", ["-w", "10", "down"] + names, in: services)
        #expect(down.code == 0, "\(down.stdout) \(down.stderr)")
        fixture.expectGone(pids, within: 10, "after sv down")
        let status = try ExternalTool.run("sv", ["status"] + names, in: services)
        #expect(status.stdout.components(separatedBy: "down: ").count == names.count + 1, "\(status.stdout)")

        // The log service got the output: svlogd wrote each instance's lines.
        for (name, _) in ExportFixture.instances {
            let log = fixture.sandbox.text("service/app-\(name.replacingOccurrences(of: ".", with: "-"))/log/main/current")
            #expect(log.contains(" \(name) is up\n"), "\(name)'s log: \(log)")
        }
        try runsvdir.stop()
        // The services' directory must outlive runsv.
        withExtendedLifetime(fixture) {}
    }

    /// runsv restarts whatever ends; the export's `finish` keeps `no` and a successful
    /// `on-failure` down, while a failing `on-failure` comes back.
    @Test(.enabled(if: installed, "runit is not installed: apt-get install runit"))
    func restartPoliciesAreKeptByFinish() throws {
        let sandbox = try Sandbox()
        try sandbox.write(
            "app/Procfile",
            """
            once: echo ran >> ../once.log
            done: echo ran >> ../done.log
            fails: echo ran >> ../fails.log; exit 3

            """)
        let services = "\(sandbox.path)/service"
        // As nobody (chpst -u, svlogd's directory chowned to it), which must write the logs.
        try FileManager.default.setAttributes([.posixPermissions: 0o777], ofItemAtPath: sandbox.path)
        let export = try DroverProcess.run(
            [
                "export", "runit", services, "-r", "once=no,done=on-failure,fails=on-failure", "-u", "nobody",
                "-l", "\(sandbox.path)/logs",
            ],
            in: "\(sandbox.path)/app")
        #expect(export.code == 0, "\(export.stderr)")
        let runsvdir = try Runsvdir(services)

        func runs(_ name: String) -> Int { sandbox.text("\(name).log").components(separatedBy: "ran\n").count - 1 }
        func status(_ name: String) -> String {
            (try? ExternalTool.run("sv", ["status", "\(services)/app-\(name)-1"], in: services).stdout) ?? ""
        }
        let deadline = Date().addingTimeInterval(30)
        // Down, and not wanted up: runsv has been told not to start it again.
        func settled(_ name: String) -> Bool {
            let line = status(name)
            return line.hasPrefix("down: ") && !line.contains("want up")
        }
        while Date() < deadline && !(runs("fails") >= 2 && settled("once") && settled("done")) { usleep(50_000) }
        #expect(runs("fails") >= 2, "fails is started again after exit 3")
        #expect(settled("once"), "\(status("once"))")
        #expect(settled("done"), "\(status("done"))")
        #expect(runs("once") == 1 && runs("done") == 1)
        let owner = try FileManager.default.attributesOfItem(atPath: "\(sandbox.path)/once.log")[.ownerAccountName] as? String
        #expect(owner == "nobody", "chpst -u nobody ran it")
        #expect(FileManager.default.fileExists(atPath: "\(sandbox.path)/logs/app-fails-1/current"), "svlogd under -l")
        try runsvdir.stop()
        withExtendedLifetime(sandbox) {}
    }
}

/// `runsvdir -P` over an export's services: each runsv leads its own session, so
/// `stop` can check that every one of them, and what it ran, is gone.
final class Runsvdir {
    let services: String
    private let process: RunningDrover
    private var runsv: [Int32] = []

    init(_ services: String) throws {
        self.services = services
        process = try RunningDrover(program: ExternalTool.find("runsvdir") ?? "runsvdir", ["runsvdir", "-P", services], in: services)
        // runsvdir starts a runsv per directory within a second or two.
        let count = (try FileManager.default.contentsOfDirectory(atPath: services)).count
        let deadline = Date().addingTimeInterval(20)
        while runsv.count < count && Date() < deadline {
            runsv = ProcessTable.children(of: process.pid).map(\.pid)
            usleep(20_000)
        }
        #expect(runsv.count == count, "runsvdir started \(runsv.count) of \(count) runsv")
    }

    /// A test that failed before `stop` still leaves nothing running: each service leads
    /// its own group (chpst -P), each runsv its own session (-P).
    deinit {
        guard !stopped else { return }
        let names = (try? FileManager.default.contentsOfDirectory(atPath: services)) ?? []
        for name in names {
            let text = (try? String(contentsOfFile: "\(services)/\(name)/supervise/pid", encoding: .utf8)) ?? ""
            if let pid = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)), pid > 1 { kill(-pid, SIGKILL) }
        }
        for pid in runsv where ProcessTable.isAlive(pid) { kill(-pid, SIGKILL) }
    }

    private var stopped = false

    /// `sv exit` for every service and its log, then runsvdir's end; a runsv still
    /// there after that has its session killed and fails the test.
    func stop(sourceLocation: SourceLocation = #_sourceLocation) throws {
        stopped = true
        let directories = try FileManager.default.contentsOfDirectory(atPath: services).sorted()
            .flatMap { ["\(services)/\($0)", "\(services)/\($0)/log"] }
        let exit = try ExternalTool.run("sv", ["-w", "10", "exit"] + directories, in: services)
        #expect(exit.code == 0, "\(exit.stdout) \(exit.stderr)", sourceLocation: sourceLocation)
        process.signal(SIGTERM)
        _ = try process.finish(timeout: 20)
        let deadline = Date().addingTimeInterval(10)
        while runsv.contains(where: ProcessTable.isAlive) && Date() < deadline { usleep(20_000) }
        let left = runsv.filter(ProcessTable.isAlive)
        for pid in left { kill(-pid, SIGKILL) }
        #expect(left.isEmpty, "runsv still running after sv exit: \(left)", sourceLocation: sourceLocation)
    }
}
