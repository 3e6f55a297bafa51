import Foundation
import Testing

/// `drover completion`: its scripts loaded into the shells they are for, against a
/// Procfile and a running drover.
@Suite struct CompletionTests {
    static let shellHint = "apt-get install zsh fish"
    static let zsh = ShellLookup.find("zsh")
    static let fish = ShellLookup.find("fish")

    static let procfile = "\u{FEFF}web: exec sleep 60\nworker: exec sleep 60\n# a comment\nclock-2: exec sleep 60\n"

    /// PATH with the built drover first, so the scripts' `drover ps` runs it.
    static var environment: [String: String] {
        var environment = DroverProcess.environment()
        let directory = (DroverProcess.binary as NSString).deletingLastPathComponent
        environment["PATH"] = directory + ":" + (environment["PATH"] ?? "/usr/bin:/bin")
        return environment
    }

    /// Writes `drover completion SHELL` into the sandbox and returns its path.
    static func script(_ shell: String, in sandbox: Sandbox) throws -> String {
        let outcome = try DroverProcess.run(["completion", shell], in: sandbox.path)
        #expect(outcome.code == 0)
        #expect(outcome.stderr == "")
        return try sandbox.write("completion.\(shell)", outcome.stdout)
    }

    /// What the bash script replies for `words`, the last being the word under the cursor
    /// ("" for an empty one), as bash would split them.
    static func bash(_ words: [String], script: String, in sandbox: Sandbox) throws -> [String] {
        let program = """
            source "$1" || exit 9
            shift
            COMP_WORDS=("$@")
            COMP_CWORD=$(($# - 1))
            COMP_LINE="$*"
            COMP_POINT=${#COMP_LINE}
            _drover
            printf '%s\\n' "${COMPREPLY[@]}"
            """
        let outcome = try DroverProcess.runProgram(
            "/bin/bash", ["bash", "-c", program, "bash", script] + words, in: sandbox.path, environment: environment)
        #expect(outcome.code == 0, "bash \(words): \(outcome.stderr)")
        #expect(outcome.stderr == "", "completion is quiet: \(words)")
        return outcome.stdout.split(separator: "\n").map(String.init)
    }

    /// What fish offers for `line` (completions without their descriptions).
    static func fish(_ line: String, script: String, in sandbox: Sandbox) throws -> [String] {
        let outcome = try DroverProcess.runProgram(
            fish!, ["fish", "--no-config", "-c", "source $argv[1]; complete -C $argv[2]", script, line], in: sandbox.path,
            environment: environment)
        #expect(outcome.code == 0, "fish \(line): \(outcome.stderr)")
        #expect(outcome.stderr == "", "completion is quiet: \(line)")
        return outcome.stdout.split(separator: "\n").map { String($0.split(separator: "\t").first ?? "") }
    }

    /// What the zsh script's helper `function` offers with `opt_args` as `_arguments`
    /// would set them: compsys's `_wanted` and `compadd` replaced by stand-ins that print.
    static func zshHelper(_ function: String, options: [String: String], script: String, in sandbox: Sandbox) throws -> [String] {
        let program = """
            compdef() { : }
            source $1 || exit 9
            _wanted() { shift 3; "$@" }
            compadd() { print -rl -- ${(P)@[-1]} }
            typeset -A opt_args=(${@[3,-1]})
            local _drover_program=drover
            # A completion function fails when it has nothing to offer.
            $2 || :
            """
        let pairs = options.flatMap { [$0.key, $0.value] }
        let outcome = try DroverProcess.runProgram(
            zsh!, ["zsh", "-f", "-c", program, "zsh", script, function] + pairs, in: sandbox.path, environment: environment)
        #expect(outcome.code == 0, "zsh \(function): \(outcome.stderr)")
        #expect(outcome.stderr == "")
        return outcome.stdout.split(separator: "\n").map(String.init)
    }

    @Test func bashCompletesCommandsOptionsAndTheirValues() throws {
        let sandbox = try Sandbox()
        let script = try Self.script("bash", in: sandbox)
        #expect(try Self.bash(["drover", "sc"], script: script, in: sandbox) == ["scale"])
        #expect(try Self.bash(["drover", "start", "--col"], script: script, in: sandbox) == ["--color"])
        #expect(try Self.bash(["drover", "start", "--color", ""], script: script, in: sandbox) == ["auto", "always", "never"])
        // --color=<Tab> reaches bash as three words: --color, = and the value.
        #expect(try Self.bash(["drover", "start", "--color", "=", "a"], script: script, in: sandbox) == ["auto", "always"])
        #expect(try Self.bash(["drover", "start", "--log-format", ""], script: script, in: sandbox) == ["text", "json"])
        #expect(try Self.bash(["drover", "logs", "--f"], script: script, in: sandbox) == ["--follow"])
        #expect(try Self.bash(["drover", "logs", "-n", ""], script: script, in: sandbox) == [], "a count: nothing to offer")
        #expect(
            try Self.bash(["drover", "export", ""], script: script, in: sandbox)
                == ["systemd", "supervisord", "runit", "launchd", "kubernetes", "compose"])
        #expect(try Self.bash(["drover", "completion", ""], script: script, in: sandbox) == ["bash", "zsh", "fish"])
        #expect(try Self.bash(["drover", "help", "re"], script: script, in: sandbox) == ["restart", "reopen-logs"])
        #expect(try Self.bash(["drover", "nonsense", ""], script: script, in: sandbox) == [])
    }

    /// Every option `drover help COMMAND` lists is offered after `drover COMMAND --`.
    @Test func bashOffersEveryOptionTheHelpLists() throws {
        let sandbox = try Sandbox()
        let script = try Self.script("bash", in: sandbox)
        let general = try DroverProcess.run(["help"], in: sandbox.path).stdout
        let commands = general.components(separatedBy: "COMMANDS:\n")[1].components(separatedBy: "\n\n")[0]
            .split(separator: "\n").compactMap { $0.split(separator: " ").first.map(String.init) }
        #expect(commands.contains("completion"))
        for command in commands {
            let help = try DroverProcess.run(["help", command], in: sandbox.path).stdout
            // The flags of the OPTIONS lines: "  -f, --procfile FILE   Procfile to read".
            let options = help.components(separatedBy: "\nOPTIONS:\n").dropFirst().first ?? ""
            let listed = Set(
                options.split(separator: "\n").flatMap { line in
                    line.split(separator: " ").prefix(3).filter { $0.hasPrefix("--") }.map(String.init)
                })
            let offered = Set(try Self.bash(["drover", command, "--"], script: script, in: sandbox))
            #expect(listed.isSubset(of: offered), "\(command): \(listed.subtracting(offered))")
        }
    }

    @Test func bashCompletesTheProcfilesTypes() throws {
        let sandbox = try Sandbox()
        try sandbox.write("Procfile", Self.procfile)
        try sandbox.write("Procfile.alt", "alt: a\n")
        try sandbox.write("app/Procfile", "inner: a\n")
        let script = try Self.script("bash", in: sandbox)
        #expect(try Self.bash(["drover", "start", ""], script: script, in: sandbox) == ["web", "worker", "clock-2"])
        #expect(try Self.bash(["drover", "start", "-f", "Procfile.alt", ""], script: script, in: sandbox) == ["alt"])
        #expect(try Self.bash(["drover", "start", "-fProcfile.alt", ""], script: script, in: sandbox) == ["alt"])
        #expect(try Self.bash(["drover", "start", "--procfile", "=", "Procfile.alt", ""], script: script, in: sandbox) == ["alt"])
        #expect(try Self.bash(["drover", "check", "-d", "app", "--can-die", ""], script: script, in: sandbox) == ["all", "inner"])
        #expect(try Self.bash(["drover", "scale", "w"], script: script, in: sandbox) == ["web=", "worker="])
        #expect(try Self.bash(["drover", "run", "cl"], script: script, in: sandbox).first == "clock-2")
        #expect(try Self.bash(["drover", "start", "-f", "missing", ""], script: script, in: sandbox) == [])
    }

    @Test func bashCompletesTheInstancesOfARunningDrover() throws {
        let sandbox = try Sandbox()
        try sandbox.write("Procfile", Self.procfile)
        let script = try Self.script("bash", in: sandbox)
        #expect(try Self.bash(["drover", "restart", ""], script: script, in: sandbox) == [], "no drover runs: nothing, quietly")

        let drover = try RunningDrover(
            ["start", "-m", "web=1,worker=2,clock-2=0", "-s", "ctl.sock", "--no-timestamp"], in: sandbox.path)
        var pids: [Int32] = []
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            let table = try DroverProcess.run(["ps", "-s", "ctl.sock", "--json"], in: sandbox.path).stdout
            pids = ProcessList.pids(fromJSON: table)
            if pids.count == 3 { break }
            usleep(20_000)
        }
        #expect(pids.count == 3, "three instances running")

        let expected: Set = ["web.1", "worker.1", "worker.2", "web", "worker"]
        #expect(Set(try Self.bash(["drover", "restart", "-s", "ctl.sock", ""], script: script, in: sandbox)) == expected)
        #expect(
            Set(try Self.bash(["drover", "logs", "-f", "--socket", "=", "ctl.sock", "wo"], script: script, in: sandbox))
                == ["worker.1", "worker.2", "worker"])
        #expect(try Self.bash(["drover", "stop", ""], script: script, in: sandbox) == [], "another socket: nothing")
        if Self.fish != nil {
            let fishScript = try Self.script("fish", in: sandbox)
            #expect(Set(try Self.fish("drover attach -s ctl.sock ", script: fishScript, in: sandbox)) == expected)
        }
        if Self.zsh != nil {
            let zshScript = try Self.script("zsh", in: sandbox)
            let offered = try Self.zshHelper("_drover_instances", options: ["-s": "ctl.sock"], script: zshScript, in: sandbox)
            #expect(Set(offered) == expected)
        }

        drover.signal(SIGTERM)
        let outcome = try drover.finish()
        #expect(outcome.code == 0)
        #expect(ProcessTable.killSurvivors(pids) == [], "every instance is gone with its drover")
    }

    @Test(.enabled(if: zsh != nil, "zsh is not installed: \(shellHint)"))
    func theZshScriptIsValidZsh() throws {
        let sandbox = try Sandbox()
        try sandbox.write("Procfile", Self.procfile)
        try sandbox.write("Procfile.alt", "alt: a\n")
        let script = try Self.script("zsh", in: sandbox)
        let outcome = try DroverProcess.runProgram(Self.zsh!, ["zsh", "-n", script], in: sandbox.path)
        #expect(outcome.code == 0)
        #expect(outcome.stderr == "")
        #expect(try Self.zshHelper("_drover_types", options: [:], script: script, in: sandbox) == ["web", "worker", "clock-2"])
        #expect(try Self.zshHelper("_drover_types", options: ["-f": "Procfile.alt"], script: script, in: sandbox) == ["alt"])
        #expect(try Self.zshHelper("_drover_counts", options: ["--procfile": "Procfile.alt"], script: script, in: sandbox) == ["alt"])
        #expect(try Self.zshHelper("_drover_instances", options: [:], script: script, in: sandbox) == [], "no drover runs")
    }

    @Test(.enabled(if: fish != nil, "fish is not installed: \(shellHint)"))
    func theFishScriptIsValidFishAndCompletes() throws {
        let sandbox = try Sandbox()
        try sandbox.write("Procfile", Self.procfile)
        let script = try Self.script("fish", in: sandbox)
        let outcome = try DroverProcess.runProgram(Self.fish!, ["fish", "--no-config", "-n", script], in: sandbox.path)
        #expect(outcome.code == 0)
        #expect(outcome.stderr == "")
        #expect(try Self.fish("drover sc", script: script, in: sandbox) == ["scale"])
        #expect(try Self.fish("drover start --col", script: script, in: sandbox) == ["--color"])
        #expect(Set(try Self.fish("drover start --color ", script: script, in: sandbox)) == ["auto", "always", "never"])
        #expect(Set(try Self.fish("drover start ", script: script, in: sandbox)) == ["web", "worker", "clock-2"])
        #expect(try Self.fish("drover restart ", script: script, in: sandbox) == [], "no drover runs: nothing")
    }

    @Test func aBadShellIsAUsageError() throws {
        let sandbox = try Sandbox()
        let cases: [([String], String)] = [
            (["completion", "tcsh"], #"drover: unknown shell "tcsh" (shells: bash, zsh, fish) (see 'drover completion --help')"#),
            (["completion"], "drover: completion needs a shell (bash, zsh, fish) (see 'drover completion --help')"),
            (["completion", "bash", "zsh"], #"drover: unexpected argument "zsh" (see 'drover completion --help')"#),
        ]
        for (arguments, message) in cases {
            let outcome = try DroverProcess.run(arguments, in: sandbox.path)
            #expect(outcome.code == 64)
            #expect(outcome.stderr == message + "\n")
            #expect(outcome.stdout == "")
        }
    }
}

/// Finds a program on the machine's PATH (the shells are optional).
enum ShellLookup {
    static func find(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return path.split(separator: ":").map { "\($0)/\(name)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }
}
