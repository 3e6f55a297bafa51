import Foundation
import Testing

/// The systemd export: verified by systemd-analyze, and run by a real systemd
/// (PID 1 of private namespaces, with only the exported units and a few stubs).
@Suite struct SystemdExportTests {
    static let analyzer = ExternalTool.has("systemd-analyze")

    @Test(.enabled(if: analyzer, "systemd-analyze is not installed: apt-get install systemd"))
    func systemdAnalyzeVerifiesEveryUnitWithoutAWarning() throws {
        let fixture = try ExportFixture()
        let units = "\(fixture.sandbox.path)/units"
        let outcome = try fixture.export("systemd", to: units, ["-u", "nobody", "-l", "\(fixture.sandbox.path)/logs"])
        let files = outcome.stdout.split(separator: "\n").map { String($0.dropFirst("wrote ".count)) }
        #expect(
            files.map { ($0 as NSString).lastPathComponent } == [
                "app.target", "app-web.1.service", "app-web.2.service", "app-worker.1.service", "app-stubborn.1.service",
            ])
        // verify exits 0 on many problems (a dropped Environment= line among them) and
        // only warns: anything it prints but the note about User=nobody is a failure.
        let verify = try ExternalTool.run("systemd-analyze", ["verify", "--man=no"] + files, in: units)
        #expect(verify.code == 0)
        let complaints = (verify.stdout + verify.stderr).split(separator: "\n").filter { !$0.contains("Special user nobody configured") }
        #expect(complaints.isEmpty, "systemd-analyze verify: \(complaints.joined(separator: "\n"))")
    }

    static var canRunSystemd: Bool { PrivateSystemd.isPossible }

    @Test(
        .enabled(if: canRunSystemd, "needs root, unshare, nsenter, cgroup2 and /lib/systemd/systemd (apt-get install systemd util-linux)"))
    func aPrivateSystemdRunsTheTargetAndStopsItWithinTheTimeout() throws {
        let fixture = try ExportFixture()
        let units = "\(fixture.sandbox.path)/units"
        _ = try fixture.export("systemd", to: units, ["-t", "1", "-u", "nobody", "-r", "worker=on-failure"])
        let systemd = try PrivateSystemd(units: units, sandbox: fixture.sandbox, starting: "app.target")
        // The units' directory must outlive the systemd that reads it.
        defer { withExtendedLifetime(fixture) { systemd.destroy() } }
        let dumps = fixture.waitForDumps()
        fixture.verify(dumps)
        for (name, dump) in dumps { #expect(dump.environment["USER"] == Array("nobody".utf8), "\(name) runs as nobody") }
        // Right after its dump an instance may still be running its mv: wait for one each.
        var processes = systemd.processes()
        let settled = Date().addingTimeInterval(30)
        while processes.count != ExportFixture.instances.count && Date() < settled {
            usleep(20_000)
            processes = systemd.processes()
        }
        #expect(processes.count == ExportFixture.instances.count, "one process per unit: \(processes)")

        // on-failure restarts after a death by SIGTERM, as under start (systemd alone
        // counts it clean): the worker's dump comes again, from another process.
        let worker = "\(fixture.dump)/worker.1.env"
        let first = dumps["worker.1"]?.pid
        try FileManager.default.removeItem(atPath: worker)
        for pid in systemd.processes(of: "app-worker.1.service") { kill(pid, SIGTERM) }
        let again = Date().addingTimeInterval(60)
        while !FileManager.default.fileExists(atPath: worker) && Date() < again { usleep(20_000) }
        #expect(FileManager.default.fileExists(atPath: worker), "worker.1 was not started again after SIGTERM")
        let restarted = fixture.waitForDumps()["worker.1"]?.pid
        #expect(restarted != nil && restarted != first)
        processes = systemd.processes()

        // KillMode=control-group and TimeoutStopSec=1s: stubborn ignores SIGTERM and gets SIGKILL.
        let stop = try systemd.systemctl(["stop", "app.target"])
        #expect(stop.code == 0, "\(stop.stderr)")
        fixture.expectGone(processes, within: 10, "after systemctl stop app.target")
        let shown = try systemd.systemctl(
            ["show", "-p", "Id,ActiveState,Result"] + ExportFixture.instances.map { "app-\($0.name).service" })
        var states: [String: String] = [:]
        for block in shown.stdout.components(separatedBy: "\n\n") {
            let fields = Dictionary(
                block.split(separator: "\n").map { line in
                    let parts = line.split(separator: "=", maxSplits: 1).map(String.init)
                    return (parts[0], parts.count > 1 ? parts[1] : "")
                }, uniquingKeysWith: { _, last in last })
            if let id = fields["Id"] { states[id] = "\(fields["ActiveState"] ?? "?") \(fields["Result"] ?? "?")" }
        }
        #expect(
            states == [
                "app-web.1.service": "inactive success", "app-web.2.service": "inactive success",
                "app-worker.1.service": "inactive success",
                // The stop timed out and systemd sent SIGKILL, as drover would after -t.
                "app-stubborn.1.service": "failed timeout",
            ])
    }
}

/// A systemd of our own: PID 1 of new pid, mount, cgroup, uts and ipc namespaces, in
/// a cgroup made for it, seeing only the exported units (and stub targets), its
/// console /dev/null (never this machine's). Destroyed by SIGKILL to its PID 1,
/// which ends the namespace.
final class PrivateSystemd {
    static let binary = "/lib/systemd/systemd"

    /// Where the cgroup2 hierarchy is mounted here (unified, or hybrid's `unified`).
    static var cgroupRoot: String? {
        let mounts = (try? String(contentsOfFile: "/proc/self/mounts", encoding: .utf8)) ?? ""
        for line in mounts.split(separator: "\n") {
            let fields = line.split(separator: " ")
            if fields.count > 2 && fields[2] == "cgroup2" { return String(fields[1]) }
        }
        return nil
    }

    static var isPossible: Bool {
        guard getuid() == 0, ExternalTool.has("unshare", "nsenter"), FileManager.default.isExecutableFile(atPath: binary),
            let root = cgroupRoot
        else { return false }
        // Creating a cgroup is the one step a confined container may refuse.
        let probe = "\(root)/drover-test-probe-\(getpid())"
        guard mkdir(probe, 0o755) == 0 else { return false }
        rmdir(probe)
        return true
    }

    private let launcher: RunningDrover
    private(set) var pidOne: Int32 = 0
    private let cgroup: String

    init(units: String, sandbox: Sandbox, starting unit: String) throws {
        let stubs = "\(sandbox.path)/stub-units"
        // Empty stand-ins for the targets systemd pulls in at boot, so no unit of this
        // machine's (tmpfiles, sysctl...) runs; the default target wants the app.
        for target in [
            "sysinit.target", "basic.target", "shutdown.target", "multi-user.target", "sockets.target",
            "timers.target", "paths.target", "slices.target", "local-fs.target", "network.target",
        ] {
            try sandbox.write("stub-units/\(target)", "[Unit]\nDefaultDependencies=no\n")
        }
        try sandbox.write("stub-units/default.target", "[Unit]\nDefaultDependencies=no\nWants=\(unit)\n")
        cgroup = "\(Self.cgroupRoot!)/drover-test-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        // The shell joins the new cgroup, which the cgroup namespace then makes its root;
        // inside, the mounts are private: cgroup2 over /sys/fs/cgroup, /dev/null as console.
        let inner = """
            mount --make-rprivate / && mount -t cgroup2 cgroup2 /sys/fs/cgroup && mount --bind /dev/null /dev/console \
            && exec env -i container=drover-test SYSTEMD_UNIT_PATH="$1:$2" PATH=/usr/sbin:/usr/bin:/sbin:/bin \
            \(Self.binary) --system --unit=default.target --show-status=no
            """
        let outer = """
            mkdir "$1" && echo $$ > "$1/cgroup.procs" || exit 1
            exec unshare --cgroup --pid --fork --mount --mount-proc --uts --ipc /bin/sh -c '\(inner)' inner "$2" "$3"
            """
        launcher = try RunningDrover(program: "/bin/sh", ["sh", "-c", outer, "outer", cgroup, stubs, units], in: "/")
        // PID 1 is the process systemd moves into init.scope: not the first child seen,
        // which may still be the shell's mkdir.
        let deadline = Date().addingTimeInterval(60)
        var found: Int32?
        while found == nil && Date() < deadline {
            let procs = (try? String(contentsOfFile: "\(cgroup)/init.scope/cgroup.procs", encoding: .utf8)) ?? ""
            found = procs.split(separator: "\n").first.flatMap { Int32($0) }
            if found == nil { usleep(10_000) }
        }
        guard let found else {
            Issue.record("no systemd started: \(launcher.stderr)")
            destroy()
            throw CocoaError(.executableLoad)
        }
        pidOne = found
    }

    /// `systemctl ARGS` inside, talking to this systemd.
    func systemctl(_ arguments: [String]) throws -> Outcome {
        try ExternalTool.run(
            "nsenter", ["-t", String(pidOne), "-m", "-p", "systemctl", "--no-pager"] + arguments, in: "/", timeout: 30)
    }

    /// The pids (as seen here) in the units' cgroups.
    func processes() -> [Int32] {
        let units = (try? FileManager.default.contentsOfDirectory(atPath: "\(cgroup)/system.slice")) ?? []
        return units.filter { $0.hasSuffix(".service") }.flatMap(processes(of:))
    }

    /// The pids (as seen here) of one unit.
    func processes(of unit: String) -> [Int32] {
        let procs = (try? String(contentsOfFile: "\(cgroup)/system.slice/\(unit)/cgroup.procs", encoding: .utf8)) ?? ""
        return procs.split(separator: "\n").compactMap { Int32($0) }
    }

    /// SIGKILL to every process in the test's cgroups (PID 1 first: its end ends the
    /// namespace), then the cgroups go; one that cannot means something still runs.
    func destroy() {
        let deadline = Date().addingTimeInterval(30)
        var left = Self.processes(below: cgroup)
        while !left.isEmpty && Date() < deadline {
            for pid in left { kill(pid, SIGKILL) }
            usleep(20_000)
            left = Self.processes(below: cgroup)
        }
        _ = try? launcher.finish(timeout: 20)
        let enumerator = FileManager.default.enumerator(atPath: cgroup)
        var directories: [String] = []
        while let path = enumerator?.nextObject() as? String {
            if enumerator?.fileAttributes?[.type] as? FileAttributeType == .typeDirectory { directories.append(path) }
        }
        for path in directories.sorted(by: { $0.count > $1.count }) { rmdir("\(cgroup)/\(path)") }
        #expect(rmdir(cgroup) == 0 || errno == ENOENT, "the test's cgroup \(cgroup) could not be removed: something still runs in it")
    }

    /// Every pid in a cgroup and the cgroups below it.
    static func processes(below cgroup: String) -> [Int32] {
        var pids: [Int32] = []
        let enumerator = FileManager.default.enumerator(atPath: cgroup)
        var files = ["cgroup.procs"]
        while let path = enumerator?.nextObject() as? String {
            if path.hasSuffix("/cgroup.procs") { files.append(path) }
        }
        for file in files {
            let text = (try? String(contentsOfFile: "\(cgroup)/\(file)", encoding: .utf8)) ?? ""
            pids += text.split(separator: "\n").compactMap { Int32($0) }
        }
        return pids
    }
}
