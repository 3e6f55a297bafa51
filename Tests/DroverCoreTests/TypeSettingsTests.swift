import DroverCore
import Testing

@Suite struct RestartSpecTests {
    @Test(arguments: [
        ("all=on-failure,worker=always", RestartSpec(allPolicy: .onFailure, policies: ["worker": .always])),
        ("always", RestartSpec(allPolicy: .always)),
        (" no ", RestartSpec(allPolicy: RestartPolicy.no)),
        // overmind's -r web,worker: the named types restart always.
        ("web,worker", RestartSpec(policies: ["web": .always, "worker": .always])),
        ("all", RestartSpec(allPolicy: .always)),
        ("web=no, clock = on-failure", RestartSpec(policies: ["web": RestartPolicy.no, "clock": .onFailure])),
    ])
    func parses(_ text: String, _ spec: RestartSpec) throws {
        #expect(try RestartSpec.parse(text) == spec)
    }

    @Test(arguments: [
        ("web=sometimes", #"unknown restart policy "sometimes" (policies: no, on-failure, always)"#),
        ("web=always,web=no", #""web" is given twice"#),
        ("web=always,,", #"empty item in "web=always,,""#),
        ("we b=always", #"invalid process name "we b""#),
        ("=always", #"invalid process name """#),
    ])
    func rejects(_ text: String, _ reason: String) {
        #expect(throws: InvalidValue(reason)) { try RestartSpec.parse(text) }
    }

    @Test func namedBeatsAll() throws {
        let spec = try RestartSpec.parse("all=always,web=no")
        #expect(spec.policy(for: "web") == RestartPolicy.no)
        #expect(spec.policy(for: "worker") == .always)
        #expect(try RestartSpec.parse("web=no").policy(for: "worker") == nil)
    }

    @Test func typeLists() throws {
        #expect(try TypeList.parse("migrate, release") == TypeList(names: ["migrate", "release"]))
        #expect(try TypeList.parse("all").contains("anything"))
        #expect(throws: InvalidValue(#"empty item in "a,""#)) { try TypeList.parse("a,") }
    }
}

@Suite struct DefaultsFileSectionTests {
    @Test func readsTypeSections() throws {
        let text = "restart=all=on-failure\n\n[worker]\nrestart=always\ncan-die = true\n# note\n[ migrate ]\nrestart-limit=0\n"
        let options = try DefaultsFile.parse(text, file: ".drover", syntax: .keyEqualsValue).get()
        #expect(options[.restart]?.text == "all=on-failure")
        #expect(options.sections.map(\.type) == ["worker", "migrate"])
        #expect(options.sections.map(\.line) == [3, 7])
        #expect(options.section(for: "worker")?.values[.restart] == OptionValue("always", origin: .file(path: ".drover", line: 4)))
        #expect(options.section(for: "worker")?.values[.canDie]?.text == "true")
        #expect(options.section(for: "migrate")?.values[.restartLimit]?.text == "0")
    }

    @Test func reportsBadSectionsAndKeys() {
        let text = "[web]\nprocfile=P\nrestart=always\nrestart=no\n[bad name]\n[web]\n[x\n"
        guard case .failure(let errors) = DefaultsFile.parse(text, file: ".drover", syntax: .keyEqualsValue) else {
            Issue.record("expected errors")
            return
        }
        #expect(
            errors.all.map(\.message) == [
                #".drover:2: option "procfile" cannot be set for one process type (in [web]: restart, can-die, restart-delay, restart-max-delay, restart-limit, tty, ready, after, listen, watch)"#,
                #".drover:4: option "restart" is already set for [web] on line 3"#,
                #".drover:5: "bad name" is not a process type name"#,
                ".drover:6: section [web] is already on line 1",
                #".drover:7: expected key=value or [TYPE], got "[x""#,
            ])
    }

    @Test func foremansFileHasNoSections() {
        guard case .failure(let errors) = DefaultsFile.parse("[web]\n", file: ".foreman", syntax: .yamlMapping) else {
            Issue.record("expected errors")
            return
        }
        #expect(errors.all.map(\.message) == [#".foreman:1: expected key: value, got "[web]""#])
    }
}

/// How flags, `.drover` lines and `[TYPE]` sections combine into each type's settings.
@Suite struct TypeSettingsResolutionTests {
    static let procfile = "web: serve\nworker: work\nmigrate: rake db:migrate\n"

    static func load(
        flags: [LaunchOption: String] = [:], file: String = ""
    ) -> Result<Application, Diagnostics> {
        let fileOptions: LaunchOptions
        switch DefaultsFile.parse(file, file: ".drover", syntax: .keyEqualsValue) {
        case let .success(options): fileOptions = options
        case let .failure(errors): return .failure(errors)
        }
        let options = fileOptions.overridden(by: ApplicationLoaderTests.flags(flags))
        return ApplicationLoaderTests.loader(["Procfile": procfile]).load(options)
    }

    static func settings(flags: [LaunchOption: String] = [:], file: String = "") throws -> [String: ProcessTypeSettings] {
        try load(flags: flags, file: file).get().typeSettings
    }

    @Test func defaultsAreForemansRule() throws {
        let settings = try Self.settings()
        #expect(settings["web"] == ProcessTypeSettings())
        #expect(settings["web"]?.restart == RestartPolicy.no && settings["web"]?.canDie == false)
        #expect(settings["web"]?.backoff == Backoff(firstDelayMilliseconds: 100, maximumDelayMilliseconds: 30_000, limit: 10))
    }

    @Test func flagsSetEveryType() throws {
        let settings = try Self.settings(flags: [
            .restart: "all=on-failure,worker=always", .canDie: "migrate", .restartDelay: "0.25",
            .restartMaxDelay: "2", .restartLimit: "3",
        ])
        #expect(settings["web"]?.restart == .onFailure)
        #expect(settings["worker"]?.restart == .always)
        #expect(settings["migrate"]?.canDie == true && settings["web"]?.canDie == false)
        #expect(settings["worker"]?.backoff == Backoff(firstDelayMilliseconds: 250, maximumDelayMilliseconds: 2000, limit: 3))
    }

    @Test func aSectionBeatsTheFilesOwnLineButNotTheCommandLine() throws {
        let file = """
            restart=all=always
            restart-limit=7
            [worker]
            restart=no
            restart-limit=2
            can-die=yes
            """
        let fromFile = try Self.settings(file: file)
        #expect(fromFile["web"]?.restart == .always && fromFile["web"]?.backoff.limit == 7)
        #expect(fromFile["worker"]?.restart == RestartPolicy.no && fromFile["worker"]?.backoff.limit == 2)
        #expect(fromFile["worker"]?.canDie == true)

        let overridden = try Self.settings(flags: [.restart: "all=on-failure", .restartLimit: "5"], file: file)
        #expect(overridden["worker"]?.restart == .onFailure, "the command line's all= wins over the section")
        #expect(overridden["worker"]?.backoff.limit == 5)
        #expect(overridden["worker"]?.canDie == true, "can-die was not on the command line")

        let named = try Self.settings(flags: [.restart: "web=no"], file: file)
        #expect(named["web"]?.restart == RestartPolicy.no)
        #expect(named["worker"]?.restart == RestartPolicy.no, "the section decides what the command line does not name")
        #expect(named["migrate"]?.restart == .always, "the file's all= still decides what the flag and sections leave out")
    }

    @Test func aSectionCanSayNoToTheFilesAll() throws {
        let settings = try Self.settings(file: "can-die=all\n[web]\ncan-die=false\n")
        #expect(settings["web"]?.canDie == false)
        #expect(settings["worker"]?.canDie == true)
        let flagged = try Self.settings(flags: [.canDie: "migrate"], file: "can-die=worker\n")
        #expect(flagged["migrate"]?.canDie == true && flagged["worker"]?.canDie == true && flagged["web"]?.canDie == false)
    }

    /// `--tty` takes the same three places as `--can-die`: a list on the command line
    /// or the file's own lines, a switch in a section.
    @Test func ttyIsChosenPerTypeLikeCanDie() throws {
        #expect(try Self.settings()["web"]?.tty == false)
        let all = try Self.settings(flags: [.tty: "all"])
        #expect(all["web"]?.tty == true && all["worker"]?.tty == true)
        let listed = try Self.settings(flags: [.tty: "web"], file: "tty=worker\n[migrate]\ntty=true\n")
        #expect(listed["web"]?.tty == true && listed["worker"]?.tty == true && listed["migrate"]?.tty == true)
        let refused = try Self.settings(file: "tty=all\n[worker]\ntty=false\n")
        #expect(refused["web"]?.tty == true && refused["worker"]?.tty == false)
        #expect(
            ApplicationLoaderTests.messages(Self.load(file: "tty=ghost\n[web]\ntty=sometimes\n")) == [
                #".drover:1: invalid value "ghost" for tty: unknown process type "ghost" (the Procfile has: web, worker, migrate)"#,
                #".drover:3: invalid value "sometimes" for tty: must be true or false"#,
            ])
        #expect(
            ApplicationLoaderTests.messages(Self.load(flags: [.tty: "web,"])) == [
                #"invalid value "web," for --x: empty item in "web,""#
            ])
    }

    @Test func aFirstDelayAboveTheLongestIsAnError() {
        #expect(
            ApplicationLoaderTests.messages(Self.load(flags: [.restartDelay: "60"])) == [
                #"invalid value "60" for --x: the first restart delay (60s) is above the longest (30s)"#
            ])
        #expect(
            ApplicationLoaderTests.messages(Self.load(file: "restart-max-delay=0.05\n")) == [
                #".drover:1: invalid value "0.05" for restart-max-delay: the first restart delay (0.1s) is above the longest (0.05s)"#
            ])
        #expect(ApplicationLoaderTests.messages(Self.load(flags: [.restartDelay: "60", .restartMaxDelay: "60"])) == [])
    }

    @Test func badValuesNameTheirFileAndLine() {
        let file =
            "restart=db=always\ncan-die=web,ghost\nrestart-delay=soon\n[ghost]\nrestart=always\n[worker]\nrestart=sometimes\ncan-die=maybe\nrestart-limit=-1\n"
        #expect(
            ApplicationLoaderTests.messages(Self.load(file: file)) == [
                #".drover:1: invalid value "db=always" for restart: unknown process type "db" (the Procfile has: web, worker, migrate)"#,
                #".drover:2: invalid value "web,ghost" for can-die: unknown process type "ghost" (the Procfile has: web, worker, migrate)"#,
                #".drover:3: invalid value "soon" for restart-delay: must be a number of seconds such as 0.5"#,
                #".drover:4: unknown process type "ghost" (the Procfile has: web, worker, migrate) in section [ghost]"#,
                #".drover:7: invalid value "sometimes" for restart: unknown restart policy "sometimes" (policies: no, on-failure, always)"#,
                #".drover:8: invalid value "maybe" for can-die: must be true or false"#,
                #".drover:9: invalid value "-1" for restart-limit: must be a whole number (0: no limit)"#,
            ])
    }

    @Test func badFlagsAreUsageErrors() {
        guard case .failure(let errors) = Self.load(flags: [.restart: "ghost=always"]) else {
            Issue.record("expected errors")
            return
        }
        #expect(errors.kind == .usage)
        #expect(
            errors.all.map(\.message) == [
                #"invalid value "ghost=always" for --x: unknown process type "ghost" (the Procfile has: web, worker, migrate)"#
            ])
    }
}
