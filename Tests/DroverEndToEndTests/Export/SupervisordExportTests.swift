import Foundation
import Testing

/// The supervisord export, run by a real supervisord.
@Suite struct SupervisordExportTests {
    static let installed = ExternalTool.has("supervisord", "supervisorctl")

    @Test(.enabled(if: installed, "supervisord is not installed: pip install supervisor"))
    func supervisordRunsEveryInstanceWithItsEnvironmentAndStopsTheGroups() throws {
        let fixture = try ExportFixture()
        let base = fixture.sandbox.path
        let outcome = try fixture.export("supervisord", to: "\(base)/conf.d", ["-t", "1", "-l", "\(base)/logs", "-u", "nobody"])
        try FileManager.default.createDirectory(atPath: "\(base)/logs", withIntermediateDirectories: true)
        #expect(outcome.stdout == "wrote \(base)/conf.d/app.conf\n")
        let supervisord = try PrivateSupervisord(in: fixture.sandbox, including: "conf.d/*.conf")
        let dumps = fixture.waitForDumps()
        let pids = dumps.values.map(\.pid)
        // Its programs lead their own groups: whatever happens below, none outlives the test.
        defer { _ = ProcessTable.killSurvivors(pids) }
        fixture.verify(dumps)
        for (name, dump) in dumps {
            #expect(ProcessTable.user(of: dump.pid) == 65534, "\(name) runs as nobody (-u)")
        }

        let status = try supervisord.control(["status"])
        for name in ["app-web-1", "app-web-2", "app-worker-1", "app-stubborn-1"] {
            #expect(status.stdout.contains("app:\(name) "), "\(status.stdout)")
        }
        // stopwaitsecs=1 (from -t 1): stubborn ignores SIGTERM and gets SIGKILL.
        let stop = try supervisord.control(["stop", "app:*"])
        #expect(stop.stdout.contains("app:app-stubborn-1: stopped"), "\(stop.stdout) \(stop.stderr)")
        fixture.expectGone(pids, within: 10, "after supervisorctl stop app:*")
        try supervisord.stop()
        for (name, _) in ExportFixture.instances {
            let log = fixture.sandbox.text("logs/app-\(name.replacingOccurrences(of: ".", with: "-")).log")
            #expect(log.contains("\(name) is up\n"), "\(name)'s log: \(log)")
        }
        let log = fixture.sandbox.text("supervisord.log")
        #expect(log.contains("app-stubborn-1 (terminated by SIGKILL)"), "\(log)")
        withExtendedLifetime(fixture) {}
    }
}

/// A supervisord of the test's own: its socket, pid file and logs in the sandbox, the
/// export's files included; in the foreground, in its own process group.
final class PrivateSupervisord {
    private let process: RunningDrover
    private let configuration: String
    private let directory: String

    init(in sandbox: Sandbox, including pattern: String) throws {
        directory = sandbox.path
        configuration = "\(sandbox.path)/supervisord.conf"
        try sandbox.write(
            "supervisord.conf",
            """
            [unix_http_server]
            file=\(directory)/supervisor.sock

            [supervisord]
            logfile=\(directory)/supervisord.log
            pidfile=\(directory)/supervisord.pid
            childlogdir=\(directory)

            [rpcinterface:supervisor]
            supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface

            [supervisorctl]
            serverurl=unix://\(directory)/supervisor.sock

            [include]
            files = \(pattern)

            """)
        process = try RunningDrover(
            program: ExternalTool.find("supervisord") ?? "supervisord", ["supervisord", "-n", "-c", configuration],
            in: directory)
    }

    /// `supervisorctl ARGS` against this supervisord.
    func control(_ arguments: [String]) throws -> Outcome {
        try ExternalTool.run("supervisorctl", ["-c", configuration] + arguments, in: directory)
    }

    private var stopped = false

    /// SIGTERM, which stops every program, then supervisord's end.
    func stop() throws {
        stopped = true
        process.signal(SIGTERM)
        _ = try process.finish(timeout: 30)
    }

    /// A test that failed before `stop` still has supervisord stop its programs, which
    /// lead their own process groups and would outlive a SIGKILL to its group.
    deinit {
        if !stopped { try? stop() }
    }
}
