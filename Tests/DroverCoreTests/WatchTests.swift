import DroverCore
import Testing

@Suite struct GlobTests {
    @Test(arguments: [
        ("*.swp", ".main.py.swp", true), ("*.swp", "a.swpx", false), ("*~", "main.py~", true), (".#*", ".#x", true),
        ("4913", "4913", true), ("4913", "49130", false), ("a?c", "abc", true), ("a?c", "a/c", false),
        ("[ab]x", "bx", true), ("[!ab]x", "bx", false), ("[a-c]1", "c1", true), ("[]]", "]", true),
        ("tmp/*", "tmp/x", true), ("tmp/*", "tmp/x/y", false), ("tmp/**", "tmp/x/y", true), ("a/**/b", "a/b", true),
        ("a/**/b", "a/x/y/b", true), ("*", "", true), ("\\*", "*", true), ("\\*", "x", false), ("*.log", "a.log", true),
    ])
    func matches(pattern: String, subject: String, expected: Bool) throws {
        #expect(try Glob(pattern).matches(subject) == expected)
    }

    @Test func refusesWhatCannotMatch() {
        #expect(throws: InvalidValue("an empty pattern matches nothing")) { try Glob("") }
        #expect(throws: InvalidValue("\"[ab\" has a '[' without its ']'")) { try Glob("[ab") }
    }
}

@Suite struct WatchIgnoreTests {
    let root = "/app"

    @Test func builtInsAndOwnFilesAreIgnoredAnywhere() {
        let ignore = WatchIgnore(paths: ["/app/.drover.sock"])
        for path in [
            "/app/.git/HEAD", "/app/src/node_modules/x/y.js", "/app/.build", "/app/lib/__pycache__/a.pyc", "/app/.hg/x",
            "/app/.svn/x", "/app/a.py.swp", "/app/a.py~", "/app/.#a.py", "/app/src/4913", "/app/.drover.sock",
        ] {
            #expect(ignore.ignores(path, root: root), "\(path)")
        }
        for path in ["/app/src/main.py", "/app/.gitignore", "/app/git/x", "/app/.drover", "/app/4913x", "/elsewhere/x"] {
            #expect(!ignore.ignores(path, root: root), "\(path)")
        }
    }

    @Test func globsMatchNamesOrPathsFromTheRoot() throws {
        let ignore = WatchIgnore(globs: [try Glob("*.log"), try Glob("tmp/cache"), try Glob("build")])
        #expect(ignore.ignores("/app/server.log", root: root))
        #expect(ignore.ignores("/app/deep/er/trace.log", root: root))
        #expect(ignore.ignores("/app/tmp/cache", root: root))
        #expect(ignore.ignores("/app/tmp/cache/a/b", root: root), "what is under an ignored directory")
        #expect(!ignore.ignores("/app/x/tmp/cache", root: root), "a glob with a slash starts at the root")
        #expect(ignore.ignores("/app/x/build/out", root: root), "one without matches any component")
        #expect(!ignore.ignores("/app/logs.txt", root: root))
    }
}

@Suite struct WatchPlanTests {
    static func plan(debounce: Int = 300) -> WatchPlan {
        WatchPlan(
            root: "/app", targets: [("web", ["/app/src", "/app/config.yml"]), ("worker", ["/app/src/jobs"]), ("clock", [])],
            debounceMilliseconds: debounce)
    }

    @Test func typesConcernedByAPath() {
        let plan = Self.plan()
        #expect(plan.types(concerning: "/app/src/a.py") == ["web"])
        #expect(plan.types(concerning: "/app/src/jobs/b.py") == ["web", "worker"])
        #expect(plan.types(concerning: "/app/src") == ["web"])
        #expect(plan.types(concerning: "/app/srcx/a.py") == [], "a prefix of the name is not a directory above")
        #expect(plan.types(concerning: "/app/config.yml") == ["web"])
        #expect(plan.types(concerning: "/app/config.yml.bak") == [])
        #expect(plan.watchedPaths == ["/app/config.yml", "/app/src"], "src/jobs is watched with src")
        #expect(plan.targets.map(\.type) == ["web", "worker"], "a type with no paths is not watched")
    }

    @Test func aBurstIsOneRestartPerTypeAfterTheLastChange() {
        var plan = Self.plan()
        #expect(plan.deadline == nil)
        let counted = [
            plan.changed("/app/src/jobs/b.py", now: 1000), plan.changed("/app/src/a.py", now: 1100),
            plan.changed("/app/src/jobs/b.py", now: 1200), plan.changed("/app/README", now: 1250),
        ]
        #expect(counted == [true, true, true, false], "README concerns nobody and moves no deadline")
        #expect(plan.deadline == 1500)
        let early = plan.due(now: 1499)
        #expect(early == [])
        let due = plan.due(now: 1500)
        #expect(
            due.map { SystemEvent.filesChanged($0).text } == [
                "web: restarting (src/jobs/b.py and 1 more changed)", "worker: restarting (src/jobs/b.py changed)",
            ])
        #expect(plan.deadline == nil)
        let again = plan.due(now: 5000)
        #expect(again == [], "nothing twice")
    }

    @Test func lostChangesRestartEveryWatchedType() {
        var plan = Self.plan(debounce: 0)
        plan.changed("/app/src/a.py", now: 10)
        plan.changedEverywhere(now: 20)
        let lost = plan.due(now: 20)
        #expect(
            lost.map { SystemEvent.filesChanged($0).text } == [
                "web: restarting (file changes were lost)", "worker: restarting (file changes were lost)",
            ])
        plan.changed("/app/src/a.py", now: 30)
        let next = plan.due(now: 30)
        #expect(next.map { SystemEvent.filesChanged($0).text } == ["web: restarting (src/a.py changed)"], "the loss is forgotten once told")
    }

    @Test func aWatchRestartIsARestartingEventNamingItsPaths() {
        let paths = (1...12).map { "src/f\($0).py" }
        let line = JSONLogLine.system(
            .filesChanged(WatchPlan.Restart(type: "web", paths: paths)), time: "2026-12-03T20:01:02.345Z",
            text: "web: restarting (src/f1.py and 11 more changed)")
        let listed = paths.prefix(10).map { "\"\($0)\"" }.joined(separator: ",")
        #expect(
            String(decoding: line, as: UTF8.self)
                == #"{"time":"2026-12-03T20:01:02.345Z","name":"system","event":"restarting","type":"web","reason":"files-changed","changed":12,"paths":["#
                + listed + #"],"line":"web: restarting (src/f1.py and 11 more changed)"}"#)
        let lost = SystemEvent.filesChanged(WatchPlan.Restart(type: "web", paths: [], changesLost: true))
        #expect(lost.event == "restarting")
        #expect(lost.fields == [.init("type", .string("web")), .init("reason", .string("changes-lost"))])
        let limit = SystemEvent.watchLimitReached(directories: 1, under: ".", limit: nil)
        #expect(limit.event == "watch-limit")
        #expect(limit.fields == [.init("path", .string(".")), .init("unwatched", .integer(1))], "no limit field when it cannot be read")
        #expect(limit.text.hasPrefix("cannot watch 1 directory under .: the inotify watch limit (fs.inotify.max_user_watches) is reached"))
        #expect(SystemEvent.watchOverflow(limit: 16384).fields == [.init("limit", .integer(16384))])
    }

    @Test func pathsAreNormalisedLexically() {
        #expect(FilePath.absolute("/a/./b//c/../d/", from: "/") == "/a/b/d")
        #expect(FilePath.absolute("/../x", from: "/") == "/x")
        #expect(FilePath.relative("/app/src/a.py", to: "/app") == "src/a.py")
        #expect(FilePath.relative("/app", to: "/app") == ".")
        #expect(FilePath.relative("/other/a", to: "/app") == "/other/a")
        #expect(FilePath.relative("/a", to: "/") == "a")
        #expect(FilePath.isWithin("/app/src", "/app"))
        #expect(!FilePath.isWithin("/apps", "/app"))
        #expect(FilePath.isWithin("/x", "/"))
    }
}

@Suite struct WatchSettingsTests {
    static let procfile = "web: a\nworker: b\nclock: c\n"

    static func load(_ options: LaunchOptions, defaults: String? = nil) -> Result<Application, Diagnostics> {
        let loader = ApplicationLoader(workingDirectory: "/app", inherited: EnvironmentVariables()) { path in
            path == "Procfile" ? .contents(Array(procfile.utf8)) : .missing
        }
        return loader.load(options)
    }

    static func flag(_ option: LaunchOption, _ texts: String...) -> OptionValue {
        texts.dropFirst().reduce(OptionValue(texts[0], origin: .commandLine(flag: "--\(option.rawValue)"))) {
            $0.repeated(OptionValue($1, origin: .commandLine(flag: "--\(option.rawValue)")))
        }
    }

    @Test func aPathThatCannotBeWatchedIsAnErrorWhereItWasWritten() {
        let loader = ApplicationLoader(
            workingDirectory: "/app", inherited: EnvironmentVariables(),
            pathProblem: { $0 == "/app/gone" ? "does not exist" : nil },
            readFile: { path in path == "Procfile" ? .contents(Array(Self.procfile.utf8)) : .missing })
        let options = LaunchOptions([
            .procfile: OptionValue("Procfile", origin: .commandLine(flag: "-f")),
            .watch: Self.flag(.watch, "all=src:gone", "web=gone"),
        ])
        guard case let .failure(errors) = loader.load(options) else {
            Issue.record("a missing path loads")
            return
        }
        // Said once for `all` (not once per type), and once for web's own flag.
        #expect(
            errors.all.map(\.message) == [
                #"invalid value "web=gone" for --watch: /app/gone does not exist"#,
                #"invalid value "all=src:gone" for --watch: /app/gone does not exist"#,
            ])
        #expect(errors.all.allSatisfy { $0.kind == .usage })
    }

    @Test func flagsGiveEachTypeItsPaths() throws {
        let options = LaunchOptions([
            .procfile: OptionValue("Procfile", origin: .commandLine(flag: "-f")),
            .watch: Self.flag(.watch, "web=src:config.yml", "all", "clock=/etc/clock"),
            .watchIgnore: Self.flag(.watchIgnore, "*.log", "tmp/*"),
            .watchDebounce: Self.flag(.watchDebounce, "0.05"),
        ])
        let application = try Self.load(options).get()
        let plan = try #require(application.watchPlan)
        #expect(plan.targets.map(\.type) == ["web", "worker", "clock"])
        #expect(plan.targets.map(\.paths) == [["/app/src", "/app/config.yml"], ["/app"], ["/etc/clock"]])
        #expect(plan.debounceMilliseconds == 50)
        #expect(application.watch.ignore.map(\.description) == ["*.log", "tmp/*"])
    }

    @Test func nothingWatchedIsNoPlan() throws {
        let application = try Self.load(LaunchOptions([.procfile: OptionValue("Procfile", origin: .commandLine(flag: "-f"))])).get()
        #expect(application.watchPlan == nil)
        #expect(application.watch.debounceMilliseconds == 300)
    }

    @Test func aSectionOverrulesTheFileAndTheCommandLineOverrulesBoth() throws {
        var options = LaunchOptions(
            [.watch: OptionValue("all=lib", origin: .file(path: ".drover", line: 1))],
            sections: [
                TypeSection(
                    type: "worker", file: ".drover", line: 2,
                    values: [.watch: OptionValue("false", origin: .file(path: ".drover", line: 3))]),
                TypeSection(
                    type: "clock", file: ".drover", line: 4, values: [.watch: OptionValue("true", origin: .file(path: ".drover", line: 5))]),
            ])
        options = options.overridden(by: LaunchOptions([.watch: Self.flag(.watch, "web=app")]))
        let plan = try #require(try Self.load(options).get().watchPlan)
        #expect(plan.targets.map(\.type) == ["web", "clock"])
        #expect(plan.targets.map(\.paths) == [["/app/app"], ["/app"]])
    }
}
