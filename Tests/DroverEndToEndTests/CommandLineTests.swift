import Testing

/// Help, version and usage errors through the built binary.
@Suite struct CommandLineTests {
    static let usageErrors: [([String], String)] = [
        (["frobnicate"], #"drover: unknown command "frobnicate" (see 'drover --help')"#),
        (["--frob"], #"drover: unknown option "--frob"; a command comes first (see 'drover --help')"#),
        (["check", "--frob"], #"drover: unknown option "--frob" for check (see 'drover check --help')"#),
        (["check", "-x"], #"drover: unknown option "-x" for check (see 'drover check --help')"#),
        (["check", "-t", "5"], #"drover: unknown option "-t" for check (see 'drover check --help')"#),
        (["check", "-f"], #"drover: option -f needs a value (FILE) (see 'drover check --help')"#),
        (["check", "--procfile"], #"drover: option --procfile needs a value (FILE) (see 'drover check --help')"#),
        (["check", "extra"], #"drover: unexpected argument "extra" (see 'drover check --help')"#),
        (["run"], #"drover: run needs a command to run (see 'drover run --help')"#),
        (["start", "-p", "http"], #"drover: invalid value "http" for -p: must be a port number from 1 to 65535"#),
        (["start", "--timeout=x"], #"drover: invalid value "x" for --timeout: must be a number of seconds such as 5 or 0.5"#),
        (["help", "nope"], #"drover: unknown command "nope" (see 'drover --help')"#),
        (["--version", "x"], #"drover: unexpected argument "x" (see 'drover --help')"#),
    ]

    @Test(arguments: usageErrors)
    func usageErrorsExit64WithOneLine(_ arguments: [String], _ message: String) throws {
        let sandbox = try Sandbox()
        try sandbox.write("Procfile", "web: a\n")
        let outcome = try DroverProcess.run(arguments, in: sandbox.path)
        #expect(outcome.code == 64)
        #expect(outcome.stderr == message + "\n")
        #expect(outcome.stdout == "")
    }

    @Test func helpForACommandIsTheSameEitherWay() throws {
        let sandbox = try Sandbox()
        for command in ["start", "check", "run"] {
            let viaFlag = try DroverProcess.run([command, "--help"], in: sandbox.path)
            let viaHelp = try DroverProcess.run(["help", command], in: sandbox.path)
            #expect(viaFlag.code == 0)
            #expect(viaFlag.stdout == viaHelp.stdout)
            #expect(viaFlag.stdout.hasPrefix("OVERVIEW: "))
            #expect(viaFlag.stdout.contains("USAGE: drover \(command)"))
            #expect(viaFlag.stdout.contains("OPTIONS:"))
        }
    }

    @Test func generalHelpListsTheCommands() throws {
        let sandbox = try Sandbox()
        for arguments in [[], ["--help"], ["-h"], ["help"]] {
            let outcome = try DroverProcess.run(arguments, in: sandbox.path)
            #expect(outcome.code == 0)
            #expect(outcome.stdout.contains("USAGE: drover COMMAND [options]"))
            for command in ["start", "check", "run"] { #expect(outcome.stdout.contains("  \(command) ")) }
        }
    }

    @Test func versionPrintsOneLine() throws {
        let sandbox = try Sandbox()
        for arguments in [["--version"], ["version"], ["-v"]] {
            let outcome = try DroverProcess.run(arguments, in: sandbox.path)
            #expect(outcome.code == 0)
            #expect(outcome.stdout == "drover 0.1.0\n")
        }
    }
}
