import Testing

/// `drover run` through the built binary.
@Suite struct RunCommandTests {
    static func app() throws -> Sandbox {
        let sandbox = try Sandbox()
        try sandbox.write(
            "Procfile",
            """
            web: echo "web PORT=$PORT PS=$PS"
            worker: echo "worker in $(pwd) PORT=$PORT PS=$PS GREETING=$GREETING"
            clock: exit 7
            """)
        try sandbox.write(".env", "GREETING=\"hello world\"\nexport PATH=\"$PWD/bin:$PATH\"\n")
        return sandbox
    }

    @Test func runsACommandWithTheEnvFiles() throws {
        let sandbox = try Self.app()
        let outcome = try DroverProcess.run(["run", "printenv", "GREETING"], in: sandbox.path)
        #expect(outcome.code == 0)
        #expect(outcome.stdout == "hello world\n")
    }

    @Test func passesFlagsThroughAfterTheCommandOrADoubleDash() throws {
        let sandbox = try Self.app()
        let direct = try DroverProcess.run(["run", "sh", "-c", "echo $0 $1", "-x", "--y"], in: sandbox.path)
        #expect(direct.stdout == "-x --y\n")
        let dashed = try DroverProcess.run(["run", "--", "printf", "%s|", "-e", "--help"], in: sandbox.path)
        #expect(dashed.stdout == "-e|--help|")
    }

    @Test func runsAProcfileEntryAsInstanceOneInTheRoot() throws {
        let sandbox = try Self.app()
        try sandbox.write("sub/.keep", "")
        let outcome = try DroverProcess.run(["run", "-f", "../Procfile", "worker"], in: sandbox.path + "/sub")
        #expect(outcome.code == 0)
        // Root is the Procfile's directory; worker is entry 1, so its PORT block is 5100.
        let root = try #require(outcome.stdout.split(separator: " ").dropFirst(2).first)
        #expect(root.hasSuffix(String(sandbox.path.split(separator: "/").last!)))
        #expect(outcome.stdout.hasSuffix(" PORT=5100 PS=worker.1 GREETING=hello world\n"))
    }

    // foreman 0.87 gives clock.1 PORT=3200 with -p 3000 under `start`; `run` must match it.
    @Test func entryPortFollowsTheBasePort() throws {
        let sandbox = try Self.app()
        try sandbox.write("Procfile", "web: x\nworker: x\nclock: echo PORT=$PORT PS=$PS\n")
        #expect(try DroverProcess.run(["run", "-p", "3000", "clock"], in: sandbox.path).stdout == "PORT=3200 PS=clock.1\n")
        try sandbox.write(".env", "PORT=6000\n")
        #expect(try DroverProcess.run(["run", "clock"], in: sandbox.path).stdout == "PORT=6200 PS=clock.1\n")
    }

    @Test func exitCodeIsTheCommands() throws {
        let sandbox = try Self.app()
        #expect(try DroverProcess.run(["run", "clock"], in: sandbox.path).code == 7)
        #expect(try DroverProcess.run(["run", "sh", "-c", "exit 42"], in: sandbox.path).code == 42)
        let killed = try DroverProcess.run(["run", "sh", "-c", "kill -TERM $$"], in: sandbox.path)
        #expect(killed.code == 128 + 15)
    }

    @Test func commandNotFoundIs127AndNotExecutableIs126() throws {
        let sandbox = try Self.app()
        let missing = try DroverProcess.run(["run", "no-such-command-here"], in: sandbox.path)
        #expect(missing.code == 127)
        #expect(missing.stderr == "drover: command not found: no-such-command-here\n")
        try sandbox.write("notes.txt", "text")
        let plain = try DroverProcess.run(["run", "./notes.txt"], in: sandbox.path)
        #expect(plain.code == 126)
        #expect(plain.stderr == "drover: cannot execute ./notes.txt: permission denied or not a regular file\n")
        let directory = try DroverProcess.run(["run", "./bin"], in: sandbox.path)
        #expect(directory.code == 127, "bin/ does not exist yet")
    }

    @Test func looksUpThePathTheChildWillHave() throws {
        let sandbox = try Self.app()
        try sandbox.write("bin/greet", "#!/bin/sh\necho greet:$1\n", executable: true)
        let outcome = try DroverProcess.run(
            ["run", "greet", "you"], in: sandbox.path,
            environment:
                DroverProcess.environment(["PWD": sandbox.path]))
        #expect(outcome.code == 0)
        #expect(outcome.stdout == "greet:you\n")
    }

    @Test func aScriptWithoutShebangRunsWithSh() throws {
        let sandbox = try Self.app()
        try sandbox.write("plain.sh", "echo plain $1\n", executable: true)
        let outcome = try DroverProcess.run(["run", "./plain.sh", "arg"], in: sandbox.path)
        #expect(outcome.code == 0)
        #expect(outcome.stdout == "plain arg\n")
    }

    @Test func aSingleArgumentWithBlanksRunsThroughTheShell() throws {
        let sandbox = try Self.app()
        let outcome = try DroverProcess.run(["run", "echo $GREETING && exit 3"], in: sandbox.path)
        #expect(outcome.code == 3)
        #expect(outcome.stdout == "hello world\n")
    }

    @Test func worksWithoutAProcfileButNotWithABadOne() throws {
        let sandbox = try Sandbox()
        try sandbox.write(".env", "X=1\n")
        #expect(try DroverProcess.run(["run", "printenv", "X"], in: sandbox.path).stdout == "1\n")
        try sandbox.write("Procfile", "nonsense\n")
        let bad = try DroverProcess.run(["run", "printenv", "X"], in: sandbox.path)
        #expect(bad.code == 1)
        #expect(bad.stderr == "drover: Procfile:1: expected \"name: command\", got \"nonsense\"\n")
    }
}
