import Testing

@testable import DroverCore

/// Values and commands are bytes: what a file or the environment holds reaches the
/// child unchanged, and a NUL (which cannot reach it) is an error with its line.
@Suite struct ByteValueTests {
    static func bytes(_ parts: Any...) -> [UInt8] {
        parts.flatMap { part -> [UInt8] in
            if let text = part as? String { return Array(text.utf8) }
            if let byte = part as? Int { return [UInt8(byte)] }
            return part as! [UInt8]
        }
    }

    @Test func envValuesKeepBytesThatAreNotUTF8() throws {
        let file = Self.bytes("A=caf", 0xE9, "\nB=\"", 0xFF, " $A $I\"\nC='", 0xE9, "'\nD=${I:-x}", 0xFE, "\n")
        let inherited = EnvironmentVariables(environ: [Self.bytes("I=", 0xE9)])
        let assignments = try DotEnv.parse(file, file: ".env", inherited: { inherited[$0] }).get()
        #expect(
            assignments.map(\.value.bytes) == [
                Self.bytes("caf", 0xE9), Self.bytes(0xFF, " caf", 0xE9, " ", 0xE9), [0xE9], Self.bytes(0xE9, 0xFE),
            ])
    }

    @Test func aNULInAnEnvValueIsAnErrorOnItsLine() {
        let file = Self.bytes("A=1\nB=x", 0, "y\nC=\"one\ntwo", 0, "\"\nD='", 0, "'\nE=ok # comment ", 0, "\n")
        guard case let .failure(found) = DotEnv.parse(file, file: ".env") else {
            Issue.record("a NUL was accepted")
            return
        }
        #expect(
            found.errors == [
                .nulInValue(file: ".env", line: 2, key: "B"), .nulInValue(file: ".env", line: 4, key: "C"),
                .nulInValue(file: ".env", line: 5, key: "D"),
            ])
        #expect(found.errors[0].description == ".env:2: the value of B contains a NUL byte")
    }

    @Test func aBackslashZeroIsNoEscape() throws {
        let assignments = try DotEnv.parse("A=\"\\0\"\n", file: ".env").get()
        #expect(assignments.first?.value == "\\0")
    }

    @Test func procfileCommandsKeepTheirBytes() throws {
        let procfile = try Procfile.parse(Self.bytes("web: printf '", 0xE9, "'\r\n"), file: "Procfile").get()
        #expect(procfile.entries.first?.command.bytes == Self.bytes("printf '", 0xE9, "'"))
    }

    @Test func aNULInAProcfileCommandIsAnErrorOnItsLine() {
        let file = Self.bytes("# a ", 0, " comment\nweb: a", 0, "b\nworker: ok\n")
        #expect(throws: ProcfileErrors([.nulInCommand(file: "Procfile", line: 2, name: "web")])) {
            try Procfile.parse(file, file: "Procfile").get()
        }
        #expect(
            ProcfileError.nulInCommand(file: "Procfile", line: 2, name: "web").description
                == "Procfile:2: the command of \"web\" contains a NUL byte")
    }

    @Test func theInheritedEnvironmentKeepsItsBytes() {
        let variables = EnvironmentVariables(environ: [Self.bytes("A=", 0xE9, "=b"), Self.bytes("NOEQUALS")])
        #expect(variables["A"]?.bytes == Self.bytes(0xE9, "=b"))
        #expect(variables.count == 1)
        #expect(variables.environEntries == [Self.bytes("A=", 0xE9, "=b")])
    }

    @Test func anInheritedNameThatIsNotUTF8IsPassedOnUnchanged() {
        var variables = EnvironmentVariables(environ: [Self.bytes("N", 0xE9, "=1"), Self.bytes("A=2")])
        variables["B"] = "3"
        #expect(variables.count == 2)
        #expect(variables.environEntries == [Self.bytes("N", 0xE9, "=1"), Self.bytes("A=2"), Self.bytes("B=3")])
    }
}
