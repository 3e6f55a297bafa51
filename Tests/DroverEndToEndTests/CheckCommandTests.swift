import Testing

/// `drover check` through the built binary.
@Suite struct CheckCommandTests {
    // foreman 0.87 prints exactly this for the same Procfile: `check` output is the contract.
    @Test func reportsAValidProcfileLikeForeman() throws {
        let sandbox = try Sandbox()
        try sandbox.write("Procfile", "web: a\nworker: b\n# comment\nclock: c\n")
        let outcome = try DroverProcess.run(["check"], in: sandbox.path)
        #expect(outcome.code == 0)
        #expect(outcome.stdout == "valid procfile detected (web, worker, clock)\n")
        #expect(outcome.stderr == "")
    }

    @Test func printsEveryErrorWithFileAndLine() throws {
        let sandbox = try Sandbox()
        try sandbox.write("Procfile", "web: a\nweb bundle exec puma\nweb: b\n")
        try sandbox.write(".env", "OK=1\nNOEQUALS\nB=\"open\n")
        let outcome = try DroverProcess.run(["check"], in: sandbox.path)
        #expect(outcome.code == 1)
        #expect(outcome.stdout == "")
        #expect(
            outcome.stderr == """
                drover: Procfile:2: expected "name: command", got "web bundle exec puma"
                drover: Procfile:3: duplicate process name "web" (first defined on line 1)
                drover: .env:2: expected KEY=value, got "NOEQUALS"
                drover: .env:3: unterminated double-quoted value (no closing ")

                """)
    }

    @Test func missingProcfileIsNamed() throws {
        let sandbox = try Sandbox()
        let outcome = try DroverProcess.run(["check", "-f", "config/Procfile.dev"], in: sandbox.path)
        #expect(outcome.code == 1)
        #expect(outcome.stderr == "drover: config/Procfile.dev: cannot read Procfile: no such file\n")
    }

    @Test func aDirectoryIsNotAProcfile() throws {
        let sandbox = try Sandbox()
        try sandbox.write("Procfile/x", "")
        let outcome = try DroverProcess.run(["check"], in: sandbox.path)
        #expect(outcome.code == 1)
        #expect(outcome.stderr == "drover: Procfile: cannot read Procfile: is a directory\n")
    }

    @Test func findsTheProcfileInTheRootAndEnvFilesInOrder() throws {
        let sandbox = try Sandbox()
        try sandbox.write("app/Procfile", "web: a\n")
        try sandbox.write("one.env", "A=1\n")
        let outcome = try DroverProcess.run(["check", "-d", "app", "--env=one.env,two.env"], in: sandbox.path)
        #expect(outcome.code == 1)
        #expect(outcome.stderr == "drover: two.env: cannot read env file: no such file\n")
        let fixed = try DroverProcess.run(["check", "--root", "app", "-e", "one.env"], in: sandbox.path)
        #expect(fixed.code == 0)
        #expect(fixed.stdout == "valid procfile detected (web)\n")
    }

    @Test func validatesFormationAndPorts() throws {
        let sandbox = try Sandbox()
        try sandbox.write("Procfile", "web: a\nworker: b\n")
        let unknown = try DroverProcess.run(["check", "-m", "web=1,db=2"], in: sandbox.path)
        #expect(unknown.code == 64)
        #expect(unknown.stderr == "drover: unknown process type \"db\" in formation (the Procfile has: web, worker)\n")
        let high = try DroverProcess.run(["check", "-p", "65500"], in: sandbox.path)
        #expect(high.code == 1)
        #expect(high.stderr == "drover: port 65600 for worker.1 is above 65535 (base port 65500)\n")
    }

    @Test func readsDefaultsFromDroverFileAndFlagsWin() throws {
        let sandbox = try Sandbox()
        try sandbox.write("Procfile.dev", "dev: a\n")
        try sandbox.write("Procfile", "web: a\n")
        try sandbox.write(".drover", "# project defaults\nprocfile=Procfile.dev\n")
        #expect(try DroverProcess.run(["check"], in: sandbox.path).stdout == "valid procfile detected (dev)\n")
        #expect(
            try DroverProcess.run(["check", "-f", "Procfile"], in: sandbox.path).stdout
                == "valid procfile detected (web)\n")
    }

    @Test func readsForemanFileOnlyWithoutDroverFile() throws {
        let sandbox = try Sandbox()
        try sandbox.write("Procfile.f", "fore: a\n")
        try sandbox.write("Procfile.d", "drov: a\n")
        try sandbox.write(".foreman", "procfile: Procfile.f\n")
        #expect(try DroverProcess.run(["check"], in: sandbox.path).stdout == "valid procfile detected (fore)\n")
        try sandbox.write(".drover", "procfile=Procfile.d\n")
        #expect(try DroverProcess.run(["check"], in: sandbox.path).stdout == "valid procfile detected (drov)\n")
    }

    @Test func badDefaultsFileLinesAreErrors() throws {
        let sandbox = try Sandbox()
        try sandbox.write("Procfile", "web: a\n")
        try sandbox.write(".drover", "port=abc\nbogus=1\n")
        let outcome = try DroverProcess.run(["check"], in: sandbox.path)
        #expect(outcome.code == 1)
        #expect(
            outcome.stderr == """
                drover: .drover:2: unknown option "bogus" (known: procfile, env, root, formation, port, timeout, color, no-timestamp, no-prefix, socket, restart, can-die, restart-delay, restart-max-delay, restart-limit, tty, ready, ready-timeout, after, listen, listen-address, watch, watch-ignore, watch-debounce, log-format, app, user, log, image)
                drover: .drover:1: invalid value "abc" for port: must be a port number from 1 to 65535

                """)
        try sandbox.write(".drover", "port=abc\n")
        let value = try DroverProcess.run(["check"], in: sandbox.path)
        #expect(value.code == 1)
        #expect(value.stderr == "drover: .drover:1: invalid value \"abc\" for port: must be a port number from 1 to 65535\n")
    }
}

/// Messages quote file contents and typed names: their control bytes are written as
/// `\u{1b}`, so an escape sequence in a Procfile cannot retitle or clear the terminal.
@Suite struct ControlBytesInMessagesTests {
    static func hasRawControl(_ text: String) -> Bool {
        text.unicodeScalars.dropLast().contains { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) }
    }

    @Test func aProcfileLineWithEscapeSequencesIsQuotedEscaped() throws {
        let sandbox = try Sandbox()
        try sandbox.write("Procfile", "web: a\n\u{1b}]0;title\u{07}\u{1b}[2J\n")
        for command in ["check", "start"] {
            let outcome = try DroverProcess.run([command], in: sandbox.path)
            #expect(outcome.code == 1)
            #expect(outcome.stderr == #"drover: Procfile:2: expected "name: command", got "\u{1b}]0;title\u{7}\u{1b}[2J""# + "\n")
            #expect(!Self.hasRawControl(outcome.stderr))
        }
    }

    @Test func namesTypedOnTheCommandLineAndFileNamesAreEscapedToo() throws {
        let sandbox = try Sandbox()
        try sandbox.write("Procfile", "web: a\n")
        let typed = try DroverProcess.run(["check", "-m", "w\u{1b}[2Jb=1"], in: sandbox.path)
        #expect(typed.code == 64)
        #expect(typed.stderr.contains(#"w\u{1b}[2Jb"#))
        #expect(!Self.hasRawControl(typed.stderr))
        let file = try DroverProcess.run(["check", "-e", "x\u{07}\u{9b}y.env"], in: sandbox.path)
        #expect(file.code == 1)
        #expect(file.stderr == #"drover: x\u{7}\u{9b}y.env: cannot read env file: no such file"# + "\n")
    }
}

/// `check`, `start` and `run` load the application through the same rules: whatever
/// `start` could not run, `check` refuses with the same message.
@Suite struct OneSetOfRulesTests {
    static let big = String(repeating: "x", count: 140_000)

    /// (files, arguments after the command, expected stderr, exit code)
    static let cases: [(files: [String: String], arguments: [String], message: String, code: Int32)] = [
        ([:], ["-f", "Procfile", "-d", "missing"], #"drover: invalid value "missing" for -d: no such directory"#, 64),
        (
            ["big.env": "BIG=\(big)\n"], ["-e", "big.env"],
            "drover: big.env:1: BIG=... is 140004 bytes; Linux passes at most 131071 (128 KiB) in one variable", 1
        ),
        (
            ["many.env": (0..<20).map { "V\($0)=\(String(repeating: "y", count: 120_000))\n" }.joined()],
            ["-e", "many.env"],
            "drover: the environment and command of web.1 come to 2400398 bytes; Linux passes at most 2097152 (2 MiB) "
                + "to a program", 1
        ),
        (
            ["Procfile.long": "web: echo \(big)\n"], ["-f", "Procfile.long"],
            "drover: Procfile.long:1: the command is 140005 bytes (140214 as drover hands it to /bin/sh -c); Linux passes at most 131071 in one argument",
            1
        ),
        (
            [:], ["-m", "web=10001"],
            #"drover: invalid value "web=10001" for -m: count for "web" is above the limit of 10000, got "10001""#,
            64
        ),
    ]

    @Test(arguments: 0..<cases.count)
    func checkAndStartGiveTheSameError(index: Int) throws {
        let (files, arguments, message, code) = Self.cases[index]
        let sandbox = try Sandbox()
        try sandbox.write("Procfile", "web: sleep 30\n")
        for (name, contents) in files { try sandbox.write(name, contents) }
        for command in ["check", "start"] {
            let outcome = try DroverProcess.run([command] + arguments, in: sandbox.path, environment: ["PATH": "/usr/bin:/bin"])
            #expect(outcome.code == code, "\(command)")
            #expect(outcome.stderr == message + "\n", "\(command)")
        }
    }

    @Test func runRefusesWhatStartCannotRunToo() throws {
        let sandbox = try Sandbox()
        try sandbox.write("Procfile", "web: sleep 30\n")
        try sandbox.write("big.env", "BIG=\(Self.big)\n")
        let outcome = try DroverProcess.run(["run", "-e", "big.env", "true"], in: sandbox.path)
        #expect(outcome.code == 1)
        #expect(
            outcome.stderr
                == "drover: big.env:1: BIG=... is 140004 bytes; Linux passes at most 131071 (128 KiB) in one variable\n")
        let missing = try DroverProcess.run(["run", "-d", "missing", "true"], in: sandbox.path)
        #expect(missing.stderr == "drover: invalid value \"missing\" for -d: no such directory\n")
    }
}
