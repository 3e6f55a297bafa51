import Foundation
import Testing

/// Environment values and commands are bytes end to end (docs/env.md): nothing is
/// re-encoded on the way to the child, and a NUL, which a child cannot be given, is an error.
@Suite struct ByteFidelityTests {
    /// 0xE9 is Latin-1 `é`, 0xFF no character at all: neither is UTF-8 alone.
    static let latin1: [UInt8] = [0x63, 0x61, 0x66, 0xE9]

    /// A Procfile whose command holds Latin-1 bytes and writes what the child received.
    static func app() throws -> Sandbox {
        let sandbox = try Sandbox()
        let command =
            Array("web: printf '%s|%s|%s|%s' \"$INHERITED\" \"$FROM_ENV\" \"$QUOTED\" '".utf8) + latin1
            + Array("' > received\n".utf8)
        try sandbox.write("Procfile", bytes: command)
        try sandbox.write(
            ".env",
            bytes: Array("FROM_ENV=".utf8) + latin1 + Array("\nQUOTED=\"$INHERITED-".utf8)
                + [0xFF] + Array("\"\n".utf8))
        return sandbox
    }

    /// What `received` must hold: every value and the command's own bytes, untouched.
    static let expected: [UInt8] = [0xE9, 0x7C] + latin1 + [0x7C, 0xE9, 0x2D, 0xFF, 0x7C] + latin1

    static func drover(_ arguments: [String], raw: [[UInt8]] = [], in sandbox: Sandbox) throws -> Outcome {
        let process = try RunningDrover(
            program: DroverProcess.binary, ["drover"] + arguments, in: sandbox.path,
            rawEnvironment: [Array("INHERITED=".utf8) + [0xE9]], rawArguments: raw)
        return try process.finish()
    }

    @Test func startPassesEveryByteToTheChild() throws {
        let sandbox = try Self.app()
        let outcome = try Self.drover(["start", "--no-timestamp"], in: sandbox)
        #expect(outcome.code == 0, "\(outcome.stdout)\(outcome.stderr)")
        #expect(sandbox.bytes("received") == Self.expected)
    }

    @Test func runPassesEveryByteToTheChild() throws {
        let sandbox = try Self.app()
        let outcome = try Self.drover(["run", "web"], in: sandbox)
        #expect(outcome.code == 0, "\(outcome.stdout)\(outcome.stderr)")
        #expect(sandbox.bytes("received") == Self.expected)

        // A program run directly gets the same environment, byte for byte.
        let direct = try Self.drover(["run", "sh", "-c", "printf %s \"$FROM_ENV\" > direct"], in: sandbox)
        #expect(direct.code == 0)
        #expect(sandbox.bytes("direct") == Self.latin1)
    }

    @Test func runPassesItsArgumentsAsBytes() throws {
        let sandbox = try Self.app()
        let direct = try Self.drover(["run", "sh", "-c", "printf %s \"$1\" > argument", "sh"], raw: [Self.latin1], in: sandbox)
        #expect(direct.code == 0)
        #expect(sandbox.bytes("argument") == Self.latin1)

        // One argument with blanks is a shell command, passed to the shell as written.
        let script = Array("printf %s '".utf8) + Self.latin1 + Array("' > script".utf8)
        let shell = try Self.drover(["run"], raw: [script], in: sandbox)
        #expect(shell.code == 0)
        #expect(sandbox.bytes("script") == Self.latin1)
    }

    @Test func aNULInAnEnvValueIsAnErrorWithItsLine() throws {
        let sandbox = try Sandbox()
        try sandbox.write("Procfile", "web: true\n")
        try sandbox.write(".env", bytes: Array("OK=1\nCUT=abc".utf8) + [0] + Array("def\nQ=\"x".utf8) + [0] + Array("\"\n".utf8))
        for command in ["check", "start"] {
            let outcome = try DroverProcess.run([command], in: sandbox.path)
            #expect(outcome.code != 0)
            #expect(outcome.stderr.contains(".env:2: the value of CUT contains a NUL byte"), "\(outcome.stderr)")
            #expect(outcome.stderr.contains(".env:3: the value of Q contains a NUL byte"), "\(outcome.stderr)")
            #expect(!outcome.stdout.contains("started"))
        }
    }

    @Test func aNULInAProcfileCommandIsAnErrorWithItsLine() throws {
        let sandbox = try Sandbox()
        try sandbox.write("Procfile", bytes: Array("# a comment\nweb: echo abc".utf8) + [0] + Array("def\n".utf8))
        for command in ["check", "start"] {
            let outcome = try DroverProcess.run([command], in: sandbox.path)
            #expect(outcome.code != 0)
            #expect(outcome.stderr.contains("Procfile:2: the command of \"web\" contains a NUL byte"), "\(outcome.stderr)")
        }
    }
}
