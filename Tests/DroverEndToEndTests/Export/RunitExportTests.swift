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
        // -P: each runsv in its own session, so a leftover is found by its group.
        let runsvdir = try RunningDrover(program: ExternalTool.find("runsvdir")!, ["runsvdir", "-P", services], in: services)
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
        let exit = try ExternalTool.run("sv", ["-w", "10", "exit"] + names.flatMap { [$0, "\($0)/log"] }, in: services)
        #expect(exit.code == 0, "\(exit.stdout) \(exit.stderr)")
        runsvdir.signal(SIGTERM)
        _ = try runsvdir.finish(timeout: 20)
    }
}
