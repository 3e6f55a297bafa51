import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Procfile, env and defaults files: only regular files of at most 16 MiB are read,
/// so `/dev/zero` cannot fill memory and a FIFO cannot block `check` or `start`.
@Suite struct ConfigFileLimitTests {
    static let notRegular: [(path: String, kind: String)] = [("/dev/zero", "a character device"), ("fifo", "a FIFO")]

    private func sandboxWithFIFO() throws -> Sandbox {
        let sandbox = try Sandbox()
        try sandbox.write("Procfile", "web: sleep 30\n")
        #expect(mkfifo("\(sandbox.path)/fifo", 0o600) == 0)
        return sandbox
    }

    @Test(arguments: ["check", "start"])
    func aDeviceOrAFIFOIsRefusedAsAProcfile(command: String) throws {
        let sandbox = try sandboxWithFIFO()
        for (path, kind) in Self.notRegular {
            // The deadline is only a guard against the hang this is about.
            let outcome = try DroverProcess.run([command, "-f", path], in: sandbox.path, timeout: 20)
            #expect(outcome.code == 1)
            #expect(outcome.stderr == "drover: \(path): cannot read Procfile: it is \(kind), not a regular file\n")
        }
    }

    @Test(arguments: ["check", "start"])
    func aDeviceOrAFIFOIsRefusedAsAnEnvFile(command: String) throws {
        let sandbox = try sandboxWithFIFO()
        for (path, kind) in Self.notRegular {
            let outcome = try DroverProcess.run([command, "-e", path], in: sandbox.path, timeout: 20)
            #expect(outcome.code == 1)
            #expect(outcome.stderr == "drover: \(path): cannot read env file: it is \(kind), not a regular file\n")
        }
    }

    @Test func aFIFOIsRefusedAsTheDefaultsFile() throws {
        let sandbox = try Sandbox()
        try sandbox.write("Procfile", "web: sleep 30\n")
        #expect(mkfifo("\(sandbox.path)/.drover", 0o600) == 0)
        let outcome = try DroverProcess.run(["check"], in: sandbox.path, timeout: 20)
        #expect(outcome.code == 1)
        #expect(outcome.stderr == "drover: .drover: cannot read: it is a FIFO, not a regular file\n")
    }

    @Test func aProcfileOver16MiBIsRefused() throws {
        let sandbox = try Sandbox()
        let line = "web: " + String(repeating: "x", count: 1018) + "\n" // 1 KiB
        let big = "\(sandbox.path)/Procfile"
        #expect(FileManager.default.createFile(atPath: big, contents: Data(line.utf8)))
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: big))
        try handle.truncate(atOffset: 17 * 1_048_576) // 17 MiB: the rest reads as NUL bytes
        try handle.close()
        for command in ["check", "start"] {
            let outcome = try DroverProcess.run([command], in: sandbox.path, timeout: 20)
            #expect(outcome.code == 1)
            #expect(outcome.stderr == "drover: Procfile: cannot read Procfile: larger than 16 MiB, the most drover reads\n")
        }
    }
}
