import DroverCore
import Testing

/// The loader against an in-memory file system.
@Suite struct ApplicationLoaderTests {
    static func loader(_ files: [String: String], inherited: [String: String] = [:]) -> ApplicationLoader {
        var environment = EnvironmentVariables()
        for (name, value) in inherited.sorted(by: { $0.key < $1.key }) { environment[name] = ByteString(value) }
        return ApplicationLoader(workingDirectory: "/work", inherited: environment) { path in
            files[path].map { .contents(Array($0.utf8)) } ?? .missing
        }
    }

    static func flags(_ pairs: [LaunchOption: String]) -> LaunchOptions {
        LaunchOptions(pairs.mapValues { OptionValue($0, origin: .commandLine(flag: "--x")) })
    }

    static func messages(_ result: Result<Application, Diagnostics>) -> [String] {
        if case .failure(let errors) = result { return errors.all.map(\.message) }
        return []
    }

    @Test func defaultsToProcfileAndDotEnvInTheCurrentDirectory() throws {
        let app = try Self.loader(["Procfile": "web: a\n", ".env": "A=1\n"]).load(LaunchOptions()).get()
        #expect(app.procfilePath == "Procfile")
        #expect(app.root == "/work")
        #expect(app.environment["A"] == "1")
        #expect(app.basePort == 5000)
        #expect(app.timeoutMilliseconds == 5000)
        #expect(app.instances.map(\.name) == ["web.1"])
    }

    /// What an export carries: the files' variables alone, each name's last value where
    /// it was set, in the order names first appear.
    @Test func keepsWhatTheEnvFilesSetAndWhere() throws {
        let files = ["Procfile": "web: a\n", "a.env": "A=a\nB=a\n", "b.env": "# comment\nB=b\nC=$HOME\n"]
        let app = try Self.loader(files, inherited: ["HOME": "/home/me", "SECRET": "mine"])
            .load(Self.flags([.env: "a.env,b.env"])).get()
        #expect(app.fileVariables.map(\.name) == ["A", "B", "C"])
        #expect(app.fileVariables.map(\.value) == ["a", "b", "/home/me"])
        #expect(app.fileVariables.map(\.location) == ["a.env:1", "b.env:2", "b.env:3"])
        #expect(app.environment["SECRET"] == "mine", "start's environment still has what drover inherited")
    }

    /// Exports restart always unless told; a type that can die is a one-shot either way.
    @Test func theDefaultRestartPolicyIsTheCallersExceptForOneShots() throws {
        let files = ["Procfile": "web: a\nworker: b\nmigrate: c\n", ".drover": ""]
        let options = Self.flags([.restart: "worker=on-failure", .canDie: "migrate"])
        let started = try Self.loader(files).load(options).get()
        let exported = try Self.loader(files).load(options, purpose: .exporting).get()
        #expect(["web", "worker", "migrate"].map { started.settings(for: $0).restart } == [.no, .onFailure, .no])
        #expect(["web", "worker", "migrate"].map { exported.settings(for: $0).restart } == [.always, .onFailure, .no])
    }

    @Test func rootIsTheProcfilesDirectoryAndHoldsTheDefaultEnv() throws {
        let files = ["config/Procfile": "web: a\n", "config/.env": "FROM=config\n", ".env": "FROM=cwd\n"]
        let app = try Self.loader(files).load(Self.flags([.procfile: "config/Procfile"])).get()
        #expect(app.root == "/work/config")
        #expect(app.environment["FROM"] == "config")
    }

    @Test func rootFlagLocatesTheProcfile() throws {
        let files = ["srv/Procfile": "web: a\n", "srv/.env": "X=1\n"]
        let app = try Self.loader(files).load(Self.flags([.root: "srv"])).get()
        #expect(app.procfilePath == "srv/Procfile")
        #expect(app.root == "/work/srv")
        #expect(app.environment["X"] == "1")
    }

    @Test func precedenceIsInheritedThenFilesInOrderThenInstance() throws {
        let files = ["Procfile": "web: a\n", "a.env": "A=a\nB=a\nPS=nope\n", "b.env": "B=b\nC=$A$B\n"]
        let app = try Self.loader(files, inherited: ["A": "inherited", "D": "kept"])
            .load(Self.flags([.env: "a.env,b.env"])).get()
        #expect(app.environment["A"] == "a")
        #expect(app.environment["B"] == "b")
        #expect(app.environment["C"] == "ab")
        #expect(app.environment["D"] == "kept")
        let web = app.environment(for: app.instances[0])
        #expect(web["PS"] == "web.1")
        #expect(web["PORT"] == "5000")
    }

    @Test func basePortComesFromFlagThenEnvFilesThenInheritedThenDefault() throws {
        let files = ["Procfile": "web: a\nworker: b\n", ".env": "PORT=6000\n"]
        let inherited = ["PORT": "7000"]
        #expect(try Self.loader(files, inherited: inherited).load(Self.flags([.port: "3000"])).get().basePort == 3000)
        #expect(try Self.loader(files, inherited: inherited).load(LaunchOptions()).get().basePort == 6000)
        #expect(try Self.loader(["Procfile": "web: a\n"], inherited: inherited).load(LaunchOptions()).get().basePort == 7000)
        let app = try Self.loader(files).load(Self.flags([.port: "3000", .formation: "worker=2"])).get()
        #expect(app.instances.map(\.port) == [3100, 3101])
    }

    @Test func missingDefaultEnvIsFineButANamedOneIsNot() throws {
        #expect(throws: Never.self) { try Self.loader(["Procfile": "web: a"]).load(LaunchOptions()).get() }
        let result = Self.loader(["Procfile": "web: a"]).load(Self.flags([.env: "prod.env"]))
        #expect(Self.messages(result) == ["prod.env: cannot read env file: no such file"])
    }

    @Test func reportsEveryProblemAtOnce() {
        let files = ["Procfile": "web: a\nbad line\n", ".env": "NOEQUALS\n"]
        let result = Self.loader(files).load(Self.flags([.port: "x", .timeout: "soon"]))
        #expect(
            Self.messages(result) == [
                #"Procfile:2: expected "name: command", got "bad line""#,
                #".env:1: expected KEY=value, got "NOEQUALS""#,
                #"invalid value "x" for --x: must be a port number from 1 to 65535"#,
                #"invalid value "soon" for --x: must be a number of seconds such as 5 or 0.5"#,
            ])
    }

    @Test func badPortsNameTheirSource() {
        let files = ["Procfile": "web: a\n", ".env": "A=1\nPORT=http\n"]
        #expect(
            Self.messages(Self.loader(files).load(LaunchOptions()))
                == [#".env:2: PORT must be a port number from 1 to 65535, got "http""#])
        #expect(
            Self.messages(Self.loader(["Procfile": "web: a"], inherited: ["PORT": "0"]).load(LaunchOptions()))
                == [#"PORT in the environment must be a port number from 1 to 65535, got "0""#])
        #expect(
            Self.messages(Self.loader(["Procfile": "web: a"]).load(Self.flags([.port: "65536"])))
                == [#"invalid value "65536" for --x: must be a port number from 1 to 65535"#])
    }

    @Test func missingProcfileIsAnErrorUnlessOptional() throws {
        #expect(Self.messages(Self.loader([:]).load(LaunchOptions())) == ["Procfile: cannot read Procfile: no such file"])
        let app = try Self.loader([:]).load(LaunchOptions(), requireProcfile: false).get()
        #expect(app.procfile == nil)
        let named = Self.loader([:]).load(Self.flags([.procfile: "P"]), requireProcfile: false)
        #expect(Self.messages(named) == ["P: cannot read Procfile: no such file"])
    }

    @Test func usageKindFollowsWhereTheValueWasTyped() {
        let files = ["Procfile": "web: a\n"]
        let typed = Self.loader(files).load(Self.flags([.formation: "db=1"]))
        guard case .failure(let typedErrors) = typed else {
            Issue.record("expected failure")
            return
        }
        #expect(typedErrors.kind == .usage)

        let fromFile = LaunchOptions([.formation: OptionValue("db=1", origin: .file(path: ".drover", line: 3))])
        guard case .failure(let fileErrors) = Self.loader(files).load(fromFile) else {
            Issue.record("expected failure")
            return
        }
        #expect(fileErrors.kind == .input)
        guard case .failure(let selected) = Self.loader(files).load(LaunchOptions(), selected: ["db"]) else {
            Issue.record("expected failure")
            return
        }
        #expect(selected.kind == .usage)
    }

    @Test func fileOptionErrorsPointAtTheLine() {
        let options = LaunchOptions([.port: OptionValue("abc", origin: .file(path: ".drover", line: 4))])
        #expect(
            Self.messages(Self.loader(["Procfile": "web: a"]).load(options))
                == [#".drover:4: invalid value "abc" for port: must be a port number from 1 to 65535"#])
    }

    @Test func refusesAFormationWhosePortsOverlapNamingWhereItCameFrom() {
        let loader = Self.loader(["Procfile": "web: a\nworker: b\n"])
        let typed = LaunchOptions([.formation: OptionValue("web=101,worker=1", origin: .commandLine(flag: "-m"))])
        #expect(
            Self.messages(loader.load(typed)) == [
                "invalid value \"web=101,worker=1\" for -m: web.101 would get port 5100, which worker.1 has "
                    + "(each type owns a block of 100 ports)"
            ])
        let fromFile = LaunchOptions([.formation: OptionValue("web=101,worker=1", origin: .file(path: ".drover", line: 2))])
        #expect(
            Self.messages(loader.load(fromFile)) == [
                ".drover:2: invalid value \"web=101,worker=1\" for formation: web.101 would get port 5100, which worker.1 has "
                    + "(each type owns a block of 100 ports)"
            ])
    }
}

/// The kernel's edges: MAX_ARG_STRLEN counts the NUL, ARG_MAX a pointer per string.
@Suite struct ExecLimitsTests {
    @Test func oneVariableMayHold131071BytesWithItsName() {
        let fits = EnvironmentVariable(name: "A", value: ByteString(String(repeating: "x", count: 131_069)))
        #expect(ExecLimits.problem(with: fits) == nil)
        let over = EnvironmentVariable(name: "A", value: ByteString(String(repeating: "x", count: 131_070)))
        #expect(ExecLimits.problem(with: over) == "A=... is 131072 bytes; Linux passes at most 131071 (128 KiB) in one variable")
    }

    /// The limit is on what `/bin/sh -c` gets: a simple command gains `exec `, one
    /// that keeps the shell gains its traps.
    @Test func aCommandIsMeasuredAsTheShellGetsIt() {
        let simple = ExecLimits.maximumScriptBytes - "exec ".utf8.count
        #expect(ExecLimits.problem(withCommand: ByteString(String(repeating: "x", count: simple))) == nil)
        #expect(
            ExecLimits.problem(withCommand: ByteString(String(repeating: "x", count: simple + 1)))
                == "the command is 131067 bytes (131072 as drover hands it to /bin/sh -c); Linux passes at most 131071 in one argument")
        let piped = "a | " + String(repeating: "x", count: simple - 4)
        #expect(ExecLimits.problem(withCommand: ByteString(piped)) != nil, "the traps count too")
    }

    @Test func theTotalCountsTheSharedEnvironmentAndEachInstance() throws {
        let value = ByteString(String(repeating: "v", count: 100_000))
        let environment = EnvironmentVariables((0..<20).map { EnvironmentVariable(name: "V\($0)", value: value) })
        #expect(ExecLimits.totalProblem(environment: environment, instances: []) == nil)
        let instance = PlannedInstance(
            type: "web", number: 1, command: ByteString(String(repeating: "c", count: 100_000)), port: 5000, entryIndex: 0)
        #expect(
            ExecLimits.totalProblem(environment: environment, instances: [instance])?
                .hasPrefix("the environment and command of web.1 come to ") == true)
        let bigger = EnvironmentVariables((0..<21).map { EnvironmentVariable(name: "V\($0)", value: value) })
        #expect(ExecLimits.totalProblem(environment: bigger, instances: [])?.hasPrefix("the environment comes to ") == true)
    }

    @Test func aMissingRootIsRefused() {
        let loader = ApplicationLoader(
            workingDirectory: "/work", inherited: EnvironmentVariables(), isDirectory: { $0 == "/work/app" },
            readFile: { path in path == "Procfile" ? .contents(Array("web: a\n".utf8)) : .missing })
        let options = { (root: String) in
            LaunchOptions([
                .procfile: OptionValue("Procfile", origin: .commandLine(flag: "-f")),
                .root: OptionValue(root, origin: .commandLine(flag: "-d")),
            ])
        }
        #expect(ApplicationLoaderTests.messages(loader.load(options("app"))) == [])
        #expect(
            ApplicationLoaderTests.messages(loader.load(options("gone"))) == [
                #"invalid value "gone" for -d: no such directory"#
            ])
    }
}
