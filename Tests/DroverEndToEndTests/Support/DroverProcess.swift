import DroverCore
import DroverSystem
import Foundation
import Testing

/// What a finished run of the drover binary left.
struct Outcome {
    var status: Termination
    var stdoutBytes: [UInt8]
    var stderr: String

    /// stdout decoded leniently: invalid UTF-8 shows as U+FFFD.
    var stdout: String { String(decoding: stdoutBytes, as: UTF8.self) }

    var code: Int32 { status.shellCode }
}

/// Runs the built `drover` binary the way a user would, bounded in time.
///
/// The child leads its own process group; on timeout the whole group gets SIGKILL,
/// and after every run the test fails if anything of that group is still alive.
enum DroverProcess {
    /// The binary built beside this test bundle, or `DROVER_BINARY` (to run these
    /// tests against the installed, fully static build).
    static let binary: String = {
        if let chosen = ProcessInfo.processInfo.environment["DROVER_BINARY"], !chosen.isEmpty {
            return URL(fileURLWithPath: chosen).standardizedFileURL.path
        }
        let executable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? ""
        return URL(fileURLWithPath: executable).deletingLastPathComponent().appendingPathComponent("drover").path
    }()

    /// A small, predictable environment: no PORT, no buffering overrides from the machine.
    static func environment(_ extra: [String: String] = [:]) -> [String: String] {
        var environment = ProcessInfo.processInfo.environment.filter { name, _ in
            ["PATH", "HOME", "LANG", "TMPDIR"].contains(name)
        }
        environment.merge(extra) { _, new in new }
        return environment
    }

    static func run(
        _ arguments: [String], in directory: String, environment: [String: String] = environment(),
        timeout: Double = 30, sourceLocation: SourceLocation = #_sourceLocation
    ) throws -> Outcome {
        try runProgram(
            binary, ["drover"] + arguments, in: directory, environment: environment, timeout: timeout,
            sourceLocation: sourceLocation)
    }

    /// Any program, with the same guarantees: a deadline, and nothing left in its group.
    static func runProgram(
        _ path: String, _ arguments: [String], in directory: String, environment: [String: String] = environment(),
        timeout: Double = 30, sourceLocation: SourceLocation = #_sourceLocation
    ) throws -> Outcome {
        let process = try RunningDrover(
            program: path, arguments, in: directory, environment: environment, sourceLocation: sourceLocation)
        return try process.finish(timeout: timeout)
    }
}
