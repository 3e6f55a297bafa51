import Foundation
import Testing

/// GNU `timeout` sends SIGTERM to drover and then to its own group, drover included:
/// two SIGTERMs a moment apart are one request, and the formation drains gracefully.
@Suite struct RepeatedSignalTests {
    /// An instance whose TERM handler takes 0.5 s: a SIGKILL sent for a "second"
    /// signal would cut it short, so "drained" shows the grace was kept.
    static let procfile = """
        web: trap 'echo draining; sleep 0.5; echo drained; exit 0' TERM; echo ready; while true; do sleep 0.05; done

        """

    @Test func twoSIGTERMs10msApartDrainGracefully() throws {
        let sandbox = try Sandbox()
        try sandbox.write("Procfile", Self.procfile)
        let drover = try RunningDrover(["start", "-t", "20", "--no-timestamp"], in: sandbox.path)
        drover.waitForOutput("| ready")
        drover.signal(SIGTERM)
        usleep(10_000)
        drover.signal(SIGTERM)
        let outcome = try drover.finish(timeout: 30)
        #expect(outcome.code == 0, "\(outcome.stdout)")
        #expect(outcome.stdout.contains("| drained\n"), "\(outcome.stdout)")
        #expect(!outcome.stdout.contains("SIGKILL"), "\(outcome.stdout)")
    }

    @Test func underGNUTimeoutTheFormationDrainsGracefully() throws {
        let timeout = ["/usr/bin/timeout", "/bin/timeout"].first { FileManager.default.isExecutableFile(atPath: $0) }
        guard let timeout else {
            print("skipped: GNU timeout is missing (apt-get install coreutils)")
            return
        }
        let sandbox = try Sandbox()
        try sandbox.write("Procfile", Self.procfile)
        // --preserve-status: timeout exits with drover's code instead of 124.
        let outcome = try DroverProcess.runProgram(
            timeout,
            [
                "timeout", "--preserve-status", "-s", "TERM", "1", DroverProcess.binary, "start", "-t", "20",
                "--no-timestamp",
            ],
            in: sandbox.path, timeout: 30)
        #expect(outcome.stdout.contains("| ready\n"), "\(outcome.stdout)")
        #expect(outcome.code == 0, "\(outcome.stdout)")
        #expect(outcome.stdout.contains("SIGTERM received, stopping all processes\n"), "\(outcome.stdout)")
        #expect(outcome.stdout.contains("| drained\n"), "\(outcome.stdout)")
        #expect(!outcome.stdout.contains("SIGKILL"), "\(outcome.stdout)")
    }
}
