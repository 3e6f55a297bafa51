import Foundation
import Testing

/// The supervisord export, run by a real supervisord.
@Suite struct SupervisordExportTests {
    static let installed = ExternalTool.has("supervisord", "supervisorctl")

    @Test(.enabled(if: installed, "supervisord is not installed: pip install supervisor"))
    func supervisordRunsEveryInstanceWithItsEnvironmentAndStopsTheGroups() throws {
        let fixture = try ExportFixture()
        let base = fixture.sandbox.path
        let outcome = try fixture.export("supervisord", to: "\(base)/conf.d", ["-t", "1", "-l", "\(base)/logs"])
        try FileManager.default.createDirectory(atPath: "\(base)/logs", withIntermediateDirectories: true)
        #expect(outcome.stdout == "wrote \(base)/conf.d/app.conf\n")
        try fixture.sandbox.write("supervisord.conf", """
            [unix_http_server]
            file=\(base)/supervisor.sock

            [supervisord]
            logfile=\(base)/supervisord.log
            pidfile=\(base)/supervisord.pid
            childlogdir=\(base)

            [rpcinterface:supervisor]
            supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface

            [supervisorctl]
            serverurl=unix://\(base)/supervisor.sock

            [include]
            files = conf.d/*.conf

            """)
        let supervisord = try RunningDrover(
            program: ExternalTool.find("supervisord") ?? "supervisord", ["supervisord", "-n", "-c", "\(base)/supervisord.conf"],
            in: base)
        let dumps = fixture.waitForDumps()
        let pids = dumps.values.map(\.pid)
        // Its programs lead their own groups: whatever happens below, none outlives the test.
        defer { _ = ProcessTable.killSurvivors(pids) }
        fixture.verify(dumps)

        let status = try ExternalTool.run("supervisorctl", ["-c", "\(base)/supervisord.conf", "status"], in: base)
        for name in ["app-web-1", "app-web-2", "app-worker-1", "app-stubborn-1"] {
            #expect(status.stdout.contains("app:\(name) "), "\(status.stdout)")
        }
        // stopwaitsecs=1 (from -t 1): stubborn ignores SIGTERM and gets SIGKILL.
        let stop = try ExternalTool.run("supervisorctl", ["-c", "\(base)/supervisord.conf", "stop", "app:*"], in: base)
        #expect(stop.stdout.contains("app:app-stubborn-1: stopped"), "\(stop.stdout) \(stop.stderr)")
        fixture.expectGone(pids, within: 10, "after supervisorctl stop app:*")
        supervisord.signal(SIGTERM)
        _ = try supervisord.finish(timeout: 20)
        for (name, _) in ExportFixture.instances {
            let log = fixture.sandbox.text("logs/app-\(name.replacingOccurrences(of: ".", with: "-")).log")
            #expect(log.contains("\(name) is up\n"), "\(name)'s log: \(log)")
        }
        let log = fixture.sandbox.text("supervisord.log")
        #expect(log.contains("app-stubborn-1 (terminated by SIGKILL)"), "\(log)")
        withExtendedLifetime(fixture) {}
    }
}
