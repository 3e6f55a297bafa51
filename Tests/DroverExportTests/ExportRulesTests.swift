import DroverCore
import Testing

@testable import DroverExport

/// What each format can hold, how it is written, and the error for what it cannot,
/// at the file and line of the value.
@Suite struct ExportRulesTests {
    /// One type `web` (`command`, `count` instances) with these env-file variables.
    static func formation(
        _ variables: [(String, [UInt8])] = [], command: String = "serve $PORT", type: String = "web", count: Int = 1,
        restart: RestartPolicy = .always
    ) -> ExportFormation {
        let sourced = variables.enumerated().map { index, pair in
            SourcedVariable(EnvironmentVariable(name: pair.0, value: ByteString(pair.1)), file: ".env", line: index + 1)
        }
        let instances = (1...count).map {
            PlannedInstance(type: type, number: $0, command: ByteString(command), port: 4999 + $0, entryIndex: 0)
        }
        return ExportFormation(
            app: "shop", root: "/srv/shop", stopTimeoutMilliseconds: 5_000, variables: sourced,
            types: [
                ExportedType(
                    name: type, command: ByteString(command), commandLocation: "Procfile:1",
                    settings: ProcessTypeSettings(restart: restart), instances: instances)
            ])
    }

    /// The formation's first type again, as `name` on Procfile line `line`.
    static func another(_ formation: ExportFormation, named name: String, line: Int) -> ExportedType {
        var type = formation.types[0]
        type.name = name
        type.commandLocation = "Procfile:\(line)"
        return type
    }

    static func flag(_ text: String, _ name: String) -> OptionValue { OptionValue(text, origin: .commandLine(flag: name)) }

    static func problems(_ format: ExportFormat, _ formation: ExportFormation) -> [String] {
        do {
            _ = try Export.files(format, for: formation)
            return []
        } catch {
            return error.all.map(\.message)
        }
    }

    static func text(_ format: ExportFormat, _ formation: ExportFormation, path: String? = nil) throws -> String {
        let files = try Export.files(format, for: formation)
        let file = path.flatMap { path in files.first { $0.path == path } } ?? files[0]
        return String(decoding: file.contents, as: UTF8.self)
    }

    // MARK: every format

    @Test func flagsAFormatHasNoUseForAreUsageErrors() {
        var formation = Self.formation()
        formation.image = Self.flag("x", "--image")
        #expect(Self.problems(.systemd, formation) == ["--image is for kubernetes and compose, not systemd"])
        formation.image = nil
        formation.logDirectory = Self.flag("/var/log/shop", "-l")
        #expect(
            Self.problems(.compose, formation) == [
                "-l is for formats that write log files; compose leaves the output to the container runtime"
            ])
        formation.logDirectory = OptionValue("/var/log/shop", origin: .file(path: ".foreman", line: 2))
        #expect(Self.problems(.compose, formation) == [], "a defaults file's log is another format's")
        formation.logDirectory = nil
        formation.types = []
        #expect(
            Self.problems(.launchd, formation) == [
                "nothing to export: the formation has no instances (every count of -m is 0?)"
            ])
    }

    @Test(arguments: [ExportFormat.systemd, .supervisord, .launchd, .kubernetes, .compose])
    func textFormatsRefuseValuesThatAreNotUTF8(format: ExportFormat) {
        var formation = Self.formation([("OK", Array("fine".utf8)), ("LATIN", [0x63, 0x61, 0x66, 0xE9])])
        if format == .kubernetes { formation.image = Self.flag("shop:1", "--image") }
        let name = [
            "systemd": "systemd units", "supervisord": "supervisord configs", "launchd": "property lists",
            "kubernetes": "Kubernetes files", "compose": "Compose files",
        ][format.rawValue]!
        #expect(Self.problems(format, formation) == [".env:2: the value of LATIN is not UTF-8, and \(name) are UTF-8 text"])
    }

    @Test func runitCarriesBytesThatAreNotUTF8() throws {
        let latin: [UInt8] = [0x63, 0x61, 0x66, 0xE9]
        var formation = Self.formation([("LATIN", latin)])
        formation.types[0].command = ByteString(Array("ls '".utf8) + latin + Array("'".utf8))
        let files = try Export.files(.runit, for: formation)
        #expect(files.first { $0.path == "shop-web-1/env/LATIN" }?.contents == latin + [0x0A])
        let run = files.first { $0.path == "shop-web-1/run" }!.contents
        #expect(run.starts(with: Array("#!/bin/sh\n".utf8)))
        let line = Array(#"/bin/sh -c 'exec ls '\''"#.utf8) + latin + Array(#"'\'''"#.utf8) + [0x0A]
        #expect(run.firstRange(of: line) != nil)
    }

    // MARK: systemd

    @Test func systemdRefusesNamesItWouldDrop() {
        let formation = Self.formation([("GOOD_1", Array("x".utf8)), ("a.b", Array("x".utf8)), ("1ST", Array("x".utf8))])
        #expect(
            Self.problems(.systemd, formation) == [
                ".env:2: systemd cannot set a.b: its variable names are letters, digits and _, not starting with a digit",
                ".env:3: systemd cannot set 1ST: its variable names are letters, digits and _, not starting with a digit",
            ])
    }

    @Test(arguments: [
        ("plain words", #""A=plain words""#),
        ("100%", #""A=100%%""#),
        ("$HOME $$", #""A=$HOME $$""#),
        ("say \"hi\" \\ 'x'", #""A=say \"hi\" \\ 'x'""#),
        ("one\ntwo\tthree\rfour", #""A=one\ntwo\tthree\rfour""#),
        ("bell\u{7} esc\u{1B} del\u{7F}", #""A=bell\x07 esc\x1b del\x7f""#),
        ("café ☕", #""A=café ☕""#),
        ("", #""A=""#),
    ])
    func systemdEnvironmentWords(value: String, word: String) {
        #expect(SystemdSyntax.environmentWord(name: "A", value: value) == word)
    }

    @Test(arguments: [
        (Array("exec puma -p $PORT".utf8), #""exec puma -p $$PORT""#),
        (Array(#"echo "100%" \ ; %n"#.utf8), #""echo \"100%%\" \\ ; %%n""#),
        (Array("a\nb\u{1}".utf8), #""a\nb\x01""#),
        (Array("café".utf8), #""café""#),
        ([0x63, 0xE9], #""c\xe9""#),
    ])
    func systemdExecWords(script: [UInt8], word: String) {
        #expect(SystemdSyntax.execWord(script) == word)
    }

    @Test func systemdRefusesPathsItCannotWrite() {
        var formation = Self.formation()
        formation.root = "/srv/shop "
        formation.logDirectory = Self.flag("/var/log/\u{1}", "-l")
        #expect(
            Self.problems(.systemd, formation) == [
                "the root directory \"/srv/shop \": a systemd unit cannot hold blanks at its ends or control characters",
                "invalid value \"/var/log/\u{1}\" for -l: a systemd unit cannot hold blanks at its ends or control characters",
            ])
    }

    @Test func systemdTimesAndLimits() throws {
        var formation = Self.formation()
        formation.stopTimeoutMilliseconds = 0
        formation.types[0].settings.backoff = Backoff(firstDelayMilliseconds: 250, limit: 0)
        let unit = try Self.text(.systemd, formation, path: "shop-web.1.service")
        // 0 would mean no timeout at all to systemd; drover's -t 0 kills at once.
        #expect(unit.contains("\nTimeoutStopSec=0.001s\n"))
        #expect(unit.contains("\nRestartSec=0.25s\n"))
        #expect(unit.contains("\nStartLimitIntervalSec=0\n"), "a limit of 0 never gives up")
        formation.types[0].settings.backoff = Backoff(firstDelayMilliseconds: 500, limit: 3)
        let limited = try Self.text(.systemd, formation, path: "shop-web.1.service")
        #expect(limited.contains("\nStartLimitIntervalSec=42s\nStartLimitBurst=4\n"), "4 starts within 4 × 10.5 s")
        formation.logDirectory = Self.flag("/var/log/my shop", "-l")
        let spaced = try Self.text(.systemd, formation, path: "shop-web.1.service")
        #expect(!spaced.contains("LogsDirectory="), "a list to systemd: it would make two directories")
    }

    // MARK: supervisord

    @Test(arguments: [
        ("plain", "'plain'"),
        ("it's", #"'it'\''s'"#),
        ("a;b #c", ##"'a;b '\#'c'"##),
        ("a ;b", #"'a '\;'b'"#),
        ("\u{A0};", "'\u{A0}'\\;''"),
        ("100% %(here)s %%", "'100%% %%''(here)s %%%%'"),
        ("line one\n  line two", "'line one'\"\n    \"'  line two'"),
        ("", "''"),
    ])
    func supervisordCommandWords(text: String, word: String) {
        #expect(SupervisordSyntax.commandWord(text) == word)
    }

    @Test(
        arguments: [
            ("plain", #""plain""#),
            ("it's", #""it's""#),
            ("say \"hi\" now", #"'say "hi" now'"#),
            ("a,b=c \\", #""a,b=c \""#),
            ("100%", #""100%%""#),
            ("  padded  ", #""  padded  ""#),
            ("", #""""#),
            ("one\ntwo", "\"one\n    two\""),
        ] as [(String, String?)])
    func supervisordEnvironmentValues(value: String, written: String?) {
        #expect(SupervisordSyntax.environmentValue(value) == written)
    }

    @Test(arguments: [
        "\"starts", "ends'", "both ' and \"", "a #b", "a ;b", "%(here)s", "one \ntwo", "one\n two", "one\n#two",
    ])
    func supervisordEnvironmentCannotHold(value: String) {
        #expect(SupervisordSyntax.environmentValue(value) == nil)
    }

    @Test func supervisordSetsWhatEnvironmentCannotHoldThroughEnv() throws {
        let formation = Self.formation([("OK", Array("fine".utf8)), ("QUOTED", Array("\"x\"".utf8))])
        let text = try Self.text(.supervisord, formation)
        #expect(text.contains("\n# environment= cannot hold QUOTED exactly: env(1) sets them in command=.\n"))
        #expect(
            text.contains(
                #"command='/usr/bin/env' '--default-signal=PIPE' 'QUOTED="x"' '/bin/sh' '-c' 'exec </dev/null; exec /bin/sh -c "$0"' 'exec serve $PORT'"#
            ))
        #expect(text.contains(#"environment=OK="fine",PORT="5000",PS="web.1""#))
        let carriage = Self.formation([("CR", Array("a\rb".utf8))])
        #expect(
            Self.problems(.supervisord, carriage) == [
                ".env:1: the value of CR holds a carriage return, which supervisord's config reader turns into a line break"
            ])
    }

    @Test func supervisordRefusesACarriageReturnInACommand() {
        #expect(
            Self.problems(.supervisord, Self.formation(command: "serve\r")) == [
                "Procfile:1: the command of web holds a carriage return, which supervisord's config reader turns into a line break"
            ])
    }

    @Test(arguments: [
        (RestartPolicy.always, "autorestart=true\nstartsecs=10\nstartretries=10\n"),
        (.onFailure, "autorestart=unexpected\nexitcodes=0\nstartsecs=0\n"),
        (.no, "autorestart=false\nstartsecs=0\n"),
    ])
    func supervisordRestartPolicies(policy: RestartPolicy, lines: String) throws {
        #expect(try Self.text(.supervisord, Self.formation(restart: policy)).contains("\n" + lines))
    }

    // MARK: runit

    @Test(
        arguments: [
            (Array("plain".utf8), Array("plain\n".utf8)),
            (Array("one\ntwo".utf8), Array("one\0two\n".utf8)),
            ([], [0x0A]),
            (Array(" lead".utf8), Array(" lead\n".utf8)),
        ] as [([UInt8], [UInt8])])
    func runitEnvironmentFiles(value: [UInt8], contents: [UInt8]) {
        #expect(RunitSyntax.environmentFile(value) == contents)
    }

    /// Through env(1), which takes any name (`.env` keys may hold `.` and `-`, which
    /// `export` in the shell would refuse).
    @Test func runitSetsTrailingBlanksThroughEnv() throws {
        let files = try Export.files(.runit, for: Self.formation([("PAD", Array("x \t".utf8))]))
        #expect(!files.contains { $0.path == "shop-web-1/env/PAD" })
        let run = String(decoding: files.first { $0.path == "shop-web-1/run" }!.contents, as: UTF8.self)
        #expect(
            run.contains(
                "\n# env/ cannot hold the trailing blanks of PAD: env(1) sets them.\n"
                    + "exec env 'PAD=x \t' chpst -P -e \"$env_dir\" /bin/sh -c 'exec serve $PORT'\n"))
    }

    /// One rule for every format: systemd refuses `a:b` and reads an empty `User=` as
    /// root, supervisord refuses an empty `user=`.
    @Test(arguments: ExportFormat.allCases)
    func usersAreNamesOrNumbers(format: ExportFormat) {
        for user in ["deploy", "www-data", "a.b", "_svc", "1000"] {
            var formation = Self.formation()
            formation.user = Self.flag(user, "-u")
            if format.runsContainers { formation.image = Self.flag("shop:1", "--image") }
            let numeric = user == "1000"
            let expected: [String] =
                switch format {
                // chpst and launchd look a number up as a name; Kubernetes takes only numbers.
                case .runit where numeric, .launchd where numeric:
                    ["invalid value \"1000\" for -u: \(format.rawValue) takes a user name, not a number"]
                case .kubernetes where !numeric:
                    ["invalid value \"\(user)\" for -u: Kubernetes runs a container as a numeric user id (runAsUser)"]
                default: []
                }
            #expect(Self.problems(format, formation) == expected, "\(format) \(user)")
        }
        for user in ["", "deploy:staff", "a b", "-x", "ünï", "dep\u{1}loy", String(repeating: "u", count: 33)] {
            var formation = Self.formation()
            formation.user = OptionValue(user, origin: .file(path: ".drover", line: 4))
            #expect(
                Self.problems(format, formation) == [
                    ".drover:4: invalid value \"\(user)\" for user: a user is a name of letters, digits, _, . and - "
                        + "(not starting with -, at most 32), or a number"
                ])
        }
    }

    // MARK: launchd

    @Test func launchdRefusesControlCharacters() {
        let formation = Self.formation([("TAB", Array("a\tb".utf8)), ("BELL", Array("a\u{7}".utf8))])
        #expect(
            Self.problems(.launchd, formation) == [
                ".env:2: the value of BELL holds U+0007, which XML property lists cannot hold"
            ])
    }

    @Test func launchdRefusesControlCharactersAnywhere() {
        var formation = Self.formation(command: "serve\u{1}")
        formation.root = "/srv/\u{2}"
        formation.logDirectory = Self.flag("/logs/\u{3}", "-l")
        #expect(
            Self.problems(.launchd, formation) == [
                "Procfile:1: the command of web holds U+0001, which XML property lists cannot hold",
                "the root directory \"/srv/\u{2}\" holds U+0002, which XML property lists cannot hold",
                "invalid value \"/logs/\u{3}\" for -l: it holds U+0003, which XML property lists cannot hold",
            ])
    }

    @Test func launchdRefusesTypesThatDifferOnlyInCase() {
        var formation = Self.formation(type: "web")
        formation.types.append(Self.another(formation, named: "Web", line: 2))
        #expect(
            Self.problems(.launchd, formation) == [
                "Procfile:2: types \"web\" and \"Web\" would share their property lists' names on macOS, whose file names "
                    + "ignore case; rename one"
            ])
    }

    @Test(arguments: [
        (RestartPolicy.always, "<key>KeepAlive</key>\n\t<true/>"),
        (.onFailure, "<key>KeepAlive</key>\n\t<dict>\n\t\t<key>SuccessfulExit</key>\n\t\t<false/>\n\t</dict>"),
        (.no, "<key>KeepAlive</key>\n\t<false/>"),
    ])
    func launchdKeepAlive(policy: RestartPolicy, entry: String) throws {
        var formation = Self.formation(restart: policy)
        formation.stopTimeoutMilliseconds = 0
        let plist = try Self.text(.launchd, formation)
        #expect(plist.contains(entry))
        #expect(plist.contains("<key>ExitTimeOut</key>\n\t<integer>1</integer>"), "0 would mean forever to launchd")
        #expect(plist.contains("<string>/var/log/shop/shop-web-1.log</string>"), "foreman's default log directory")
    }

    // MARK: kubernetes

    @Test func kubernetesNeedsAnImageAndANumericUser() {
        var formation = Self.formation()
        formation.user = Self.flag("deploy", "-u")
        #expect(
            Self.problems(.kubernetes, formation) == [
                "invalid value \"deploy\" for -u: Kubernetes runs a container as a numeric user id (runAsUser)",
                "kubernetes needs --image IMAGE: the image the containers run",
            ])
    }

    @Test func kubernetesNamesAreDNSLabels() throws {
        var formation = Self.formation(type: "Web_Server")
        formation.image = Self.flag("shop:1", "--image")
        formation.app = "My_Shop"
        let text = try Self.text(.kubernetes, formation)
        #expect(text.contains("  name: my-shop-web-server\n"))
        #expect(text.contains("    process-type: web-server\n"))

        formation.app = "2048"
        #expect(
            Self.problems(.kubernetes, formation) == [
                "the app name \"2048\" does not start with a letter, as Kubernetes Service names must; give one with -a"
            ])
    }

    @Test func kubernetesRefusesTypesThatShareAName() {
        var formation = Self.formation(type: "web_1")
        let long = Self.another(formation, named: String(repeating: "w", count: 60), line: 4)
        formation.types += [
            Self.another(formation, named: "web-1", line: 2), Self.another(formation, named: "__", line: 3), long,
        ]
        formation.image = Self.flag("shop:1", "--image")
        #expect(
            Self.problems(.kubernetes, formation) == [
                "Procfile:2: types \"web_1\" and \"web-1\" would both be \"web-1\" in Kubernetes names; rename one",
                "Procfile:3: the type name \"__\" leaves nothing for a Kubernetes name",
                "Procfile:4: \"shop-\(long.name)\" is longer than the 63 characters of a Kubernetes name; use a shorter type name or -a",
            ])
    }

    @Test(arguments: [
        ("echo $PORT", "echo $PORT"), ("echo $(date)", "echo $$(date)"), ("kill $$", "kill $$$"),
        ("a $$(b)", "a $$$$(b)"), ("end $", "end $"), ("${X}", "${X}"),
    ])
    func kubernetesEscapesItsOwnExpansion(script: String, written: String) {
        #expect(KubernetesExporter.escapedReferences(script) == written)
    }

    @Test(arguments: [(RestartPolicy.onFailure, "OnFailure", 10), (.no, "Never", 0)])
    func kubernetesRunsTypesThatDoNotAlwaysRestartAsJobs(policy: RestartPolicy, restartPolicy: String, limit: Int) throws {
        var formation = Self.formation(count: 3, restart: policy)
        formation.image = Self.flag("shop:1", "--image")
        let text = try Self.text(.kubernetes, formation)
        #expect(text.contains("kind: Job\n"))
        #expect(text.contains("  completions: 3\n  parallelism: 3\n  backoffLimit: \(limit)\n"))
        #expect(text.contains("      restartPolicy: \(restartPolicy)\n"))
        #expect(!text.contains("kind: Deployment"))
    }

    // MARK: compose

    @Test func composeDoublesDollarsInEveryValueItInterpolates() throws {
        var formation = Self.formation(restart: .onFailure)
        formation.root = "/srv/$HOME"
        let built = try Self.text(.compose, formation)
        #expect(built.contains("    build: \"/srv/$$HOME\"\n"))
        #expect(built.contains("    restart: \"on-failure:10\"\n"))
        formation.image = Self.flag("reg/app:${TAG}", "--image")
        let imaged = try Self.text(.compose, formation)
        #expect(imaged.contains("    image: \"reg/app:$${TAG}\"\n"))
    }

    @Test func kubernetesTakesAnyUserIdAndChecksTheConfigMapsLimits() throws {
        var formation = Self.formation([("K" + String(repeating: "x", count: 253), Array("v".utf8))])
        formation.image = Self.flag("shop:1", "--image")
        formation.user = Self.flag("2147483647", "-u")
        #expect(
            Self.problems(.kubernetes, formation) == [
                ".env:1: Kxxxxxxxxxxxxxxxxxxx... is longer than the 253 characters of a ConfigMap key"
            ])
        formation.variables = (1...11).map {
            SourcedVariable(
                EnvironmentVariable(name: "V\($0)", value: ByteString([UInt8](repeating: 0x61, count: 100_000))),
                file: ".env", line: $0)
        }
        #expect(
            Self.problems(.kubernetes, formation) == [
                ".env:11: the env files' variables come to more than the 1 MiB a ConfigMap holds"
            ])
    }

    @Test func composeBuildsTheRootWithoutAnImageAndDoublesDollars() throws {
        let formation = Self.formation([("COST", Array("$5".utf8))], count: 2)
        let text = try Self.text(.compose, formation)
        #expect(text.contains("    build: /srv/shop\n"))
        #expect(text.contains("      COST: \"$$5\"\n"))
        #expect(text.contains("      - \"exec serve $$PORT\"\n"))
        #expect(!text.contains("PS:"), "two replicas cannot both be web.1")
        #expect(!text.contains("ports:"), "two replicas cannot publish one host port")
        #expect(text.contains("    expose:\n      - \"5000\"\n"))
    }
}

/// The export's settings: where each came from decides how an error about it reads.
@Suite struct ExportSettingsTests {
    static func application() throws -> Application {
        let loader = ApplicationLoader(workingDirectory: "/srv/my shop", inherited: EnvironmentVariables()) { path in
            path == "Procfile" ? .contents(Array("web: serve\n".utf8)) : .missing
        }
        return try loader.load(LaunchOptions(), purpose: .exporting).get()
    }

    @Test func theAppNameIsCheckedWhereItWasGiven() throws {
        let application = try Self.application()
        let derived = try ExportFormation.resolve(application, options: LaunchOptions(), workingDirectory: "/srv/my shop")
        #expect(derived.app == "my-shop")
        let fromFile = LaunchOptions([.app: OptionValue("my app", origin: .file(path: ".foreman", line: 3))])
        #expect(
            throws: Diagnostics([
                Diagnostic(
                    ".foreman:3: invalid value \"my app\" for app: an app name starts with a letter or digit and has only letters, "
                        + "digits, _ and -")
            ])
        ) {
            try ExportFormation.resolve(application, options: fromFile, workingDirectory: "/")
        }
        let flag = LaunchOptions([.app: OptionValue("a--b", origin: .commandLine(flag: "-a"))])
        #expect(throws: Diagnostics([Diagnostic("invalid value \"a--b\" for -a: an app name cannot hold \"--\"", kind: .usage)])) {
            try ExportFormation.resolve(application, options: flag, workingDirectory: "/")
        }
    }

    @Test func theLogDirectoryIsMadeAbsolute() throws {
        let options = LaunchOptions([.logDirectory: OptionValue("logs", origin: .commandLine(flag: "-l"))])
        let formation = try ExportFormation.resolve(try Self.application(), options: options, workingDirectory: "/srv/shop")
        #expect(formation.logDirectory?.text == "/srv/shop/logs")
        #expect(formation.logDirectory?.origin == .commandLine(flag: "-l"))
    }

    @Test func anEmptyLogDirectoryIsAnErrorOnlyWhereLogsAreWritten() throws {
        var formation = ExportRulesTests.formation()
        formation.logDirectory = OptionValue("", origin: .file(path: ".drover", line: 2))
        #expect(ExportRulesTests.problems(.compose, formation) == [])
        #expect(
            ExportRulesTests.problems(.systemd, formation) == [
                ".drover:2: invalid value \"\" for log: a log directory cannot be empty"
            ])
    }

    /// execve's limits are held against what the processes get: for an export, the env
    /// files alone, not drover's own environment.
    @Test func theExecLimitsCountWhatAnExportCarries() throws {
        var inherited = EnvironmentVariables()
        inherited["BIG"] = ByteString([UInt8](repeating: 0x61, count: 131_000))
        let files = [
            "Procfile": "web: serve\n",
            ".env": (1...16).map { "V\($0)=" + String(repeating: "b", count: 131_000) }.joined(separator: "\n") + "\n",
        ]
        let loader = ApplicationLoader(workingDirectory: "/srv", inherited: inherited) { path in
            files[path].map { .contents(Array($0.utf8)) } ?? .missing
        }
        // (Booleans: a failure would print megabytes of values.)
        let exported = (try? loader.load(LaunchOptions(), purpose: .exporting).get()) != nil
        let started = (try? loader.load(LaunchOptions()).get()) != nil
        #expect(exported, "the env files alone fit")
        #expect(!started, "start gives the processes both, which do not")
    }

    @Test func aTypeWithoutInstancesIsLeftOut() throws {
        var formation = ExportRulesTests.formation()
        formation.types.append(
            ExportedType(
                name: "idle", command: "x", commandLocation: "Procfile:2", settings: ProcessTypeSettings(), instances: []))
        let files = try Export.files(.launchd, for: formation)
        #expect(files.map(\.path) == ["shop-web-1.plist"])
    }
}
