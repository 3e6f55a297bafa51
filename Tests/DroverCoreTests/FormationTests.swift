import DroverCore
import Testing

@Suite struct FormationTests {
    static let procfile = try! Procfile.parse("web: a\nworker: b\nclock: c\n", file: "Procfile").get()

    static func counts(_ spec: String?, selected: [String] = []) throws -> [Int] {
        let parsed = try spec.map { text throws(InvalidValue) in try FormationSpec.parse(text) }
        return try Formation.resolve(procfile: procfile, spec: parsed, selected: selected).counts.map(\.count)
    }

    static let resolutions: [(String?, [String], [Int])] = [
        (nil, [], [1, 1, 1]),
        ("all=2", [], [2, 2, 2]),
        ("all=2,web=1", [], [1, 2, 2]),
        ("web=1,all=3", [], [1, 3, 3]),
        ("web=2", [], [2, 0, 0]),
        ("web=2,worker=3", [], [2, 3, 0]),
        (" web = 2 , clock=1 ", [], [2, 0, 1]),
        ("all=0,clock=1", [], [0, 0, 1]),
        (nil, ["worker"], [0, 1, 0]),
        (nil, ["clock", "web"], [1, 0, 1]),
        ("worker=4", ["worker", "web"], [1, 4, 0]),
        ("all=3", ["web"], [3, 0, 0]),
        ("web=007", [], [7, 0, 0]),
    ]

    @Test(arguments: resolutions)
    func resolves(_ spec: String?, _ selected: [String], _ expected: [Int]) throws {
        #expect(try Self.counts(spec, selected: selected) == expected)
    }

    static let badSpecs: [(String, String)] = [
        ("web=x", #"count for "web" must be a whole number from 0 to 10000, got "x""#),
        ("web=-1", #"count for "web" must be a whole number from 0 to 10000, got "-1""#),
        ("web=1.5", #"count for "web" must be a whole number from 0 to 10000, got "1.5""#),
        ("web=", #"count for "web" must be a whole number from 0 to 10000, got """#),
        ("web", #"expected NAME=COUNT, got "web""#),
        ("web=1,web=2", #""web" is given twice"#),
        ("all=1,all=2", #""all" is given twice"#),
        ("web=1,", #"empty item in "web=1,""#),
        ("", #"empty item in """#),
        ("w.b=1", #"invalid process name "w.b""#),
        ("web=99999999999", #"count for "web" is above the limit of 10000, got "99999999999""#),
        ("web=99999999999999999999999", #"count for "web" is above the limit of 10000, got "99999999999999999999999""#),
        ("web=10001", #"count for "web" is above the limit of 10000, got "10001""#),
    ]

    @Test func theLimitItselfIsAllowed() throws {
        #expect(try FormationSpec.parse("worker=10000").counts.first?.count == 10_000)
    }

    @Test(arguments: badSpecs)
    func rejectsBadSpecs(_ text: String, _ reason: String) {
        #expect(throws: InvalidValue(reason)) { try FormationSpec.parse(text) }
    }

    @Test func rejectsUnknownNames() throws {
        #expect(throws: InvalidValue(#"unknown process type "db" in formation (the Procfile has: web, worker, clock)"#)) {
            try Self.counts("db=1")
        }
        #expect(throws: InvalidValue(#"unknown process type "db" (the Procfile has: web, worker, clock)"#)) {
            try Self.counts(nil, selected: ["db"])
        }
    }
}

@Suite struct PortPlanTests {
    static let procfile = try! Procfile.parse("web: a\nworker: b\nclock: c\n", file: "Procfile").get()

    static func plan(_ spec: String?, base: Int = 5000) throws -> [String] {
        let parsed = try spec.map { text throws(InvalidValue) in try FormationSpec.parse(text) }
        let formation = try Formation.resolve(procfile: procfile, spec: parsed)
        return try PortPlan.instances(procfile: procfile, formation: formation, basePort: base)
            .map { "\($0.name)=\($0.port)" }
    }

    @Test func followsForemansScheme() throws {
        #expect(try Self.plan(nil) == ["web.1=5000", "worker.1=5100", "clock.1=5200"])
        #expect(
            try Self.plan("web=2,worker=3", base: 3000)
                == ["web.1=3000", "web.2=3001", "worker.1=3100", "worker.2=3101", "worker.3=3102"])
        // A type with no instances still owns its block.
        #expect(try Self.plan("clock=2") == ["clock.1=5200", "clock.2=5201"])
    }

    @Test func givesEachInstancePortAndPS() throws {
        let entry = Self.procfile.entries[1]
        let instance = try PortPlan.instance(of: entry, entryIndex: 1, number: 3, basePort: 6000)
        #expect(
            instance.ownVariables == [
                EnvironmentVariable(name: "PORT", value: "6102"), EnvironmentVariable(name: "PS", value: "worker.3"),
            ])
    }

    static func collision(_ spec: String) throws -> String? {
        let formation = try Formation.resolve(procfile: procfile, spec: try FormationSpec.parse(spec))
        return PortPlan.collision(in: try PortPlan.instances(procfile: procfile, formation: formation, basePort: 5000))?
            .reason
    }

    // foreman 0.87 gives web.101 and worker.1 both PORT 5100 for `-m web=101,worker=1`.
    @Test func findsInstancesThatShareAPort() throws {
        #expect(
            try Self.collision("web=101,worker=1")
                == "web.101 would get port 5100, which worker.1 has (each type owns a block of 100 ports)")
        #expect(
            try Self.collision("web=201,clock=1")
                == "web.201 would get port 5200, which clock.1 has (each type owns a block of 100 ports)")
        #expect(
            try Self.collision("worker=102,clock=2")
                == "worker.101 would get port 5200, which clock.1 has (each type owns a block of 100 ports)")
    }

    @Test func allowsMoreThan100WhenNoLaterTypeRunsIntoThem() throws {
        #expect(try Self.collision("web=100,worker=1,clock=1") == nil)
        #expect(try Self.collision("web=101,clock=1") == nil) // worker's block is idle
        #expect(try Self.collision("clock=5000") == nil)
        #expect(try Self.collision("web=2000") == nil)
    }

    @Test func refusesPortsAbove65535() throws {
        #expect(try Self.plan(nil, base: 65335) == ["web.1=65335", "worker.1=65435", "clock.1=65535"])
        #expect(throws: InvalidValue("port 65536 for clock.1 is above 65535 (base port 65336)")) {
            try Self.plan(nil, base: 65336)
        }
        #expect(throws: InvalidValue("port 65536 for web.2 is above 65535 (base port 65535)")) {
            try Self.plan("web=2", base: 65535)
        }
    }
}

/// Planning is linear in the number of entries: 100k entries took minutes when each
/// entry searched the formation (and the spec) for its count.
@Suite(.timeLimit(.minutes(1))) struct LargeFormationTests {
    static let size = 100_000
    static let procfile = Procfile(
        entries: (0..<size).map { ProcfileEntry(name: "p\($0)", command: "sleep 1", line: $0 + 1) })

    @Test func plansOneInstanceOf100kEntries() throws {
        let formation = try Formation.resolve(procfile: Self.procfile, spec: try FormationSpec.parse("p0=1"))
        let instances = try PortPlan.instances(procfile: Self.procfile, formation: formation, basePort: 5000)
        #expect(instances.map(\.name) == ["p0.1"])
        #expect(PortPlan.collision(in: instances) == nil)
    }

    @Test func resolvesASpecNamingEvery100kEntry() throws {
        // Ports stay below 65536 only for the first 600 or so entries: p600 runs, the others get 0.
        let counts = (0..<Self.size).reversed().map { (name: "p\($0)", count: $0 == 600 ? 2 : 0) }
        let formation = try Formation.resolve(procfile: Self.procfile, spec: FormationSpec(counts: counts))
        let instances = try PortPlan.instances(procfile: Self.procfile, formation: formation, basePort: 1)
        #expect(instances.map(\.name) == ["p600.1", "p600.2"])
        let selected = try Formation.resolve(procfile: Self.procfile, spec: nil, selected: ["p7", "p99999"])
        #expect(selected.counts.filter { $0.count > 0 }.map(\.name) == ["p7", "p99999"])
    }

    @Test func loadsAProcfileOf100kEntries() throws {
        let text = (0..<Self.size).map { "p\($0): sleep 1\n" }.joined()
        let loader = ApplicationLoader(workingDirectory: "/work", inherited: EnvironmentVariables()) { path in
            path == "Procfile" ? .contents(Array(text.utf8)) : .missing
        }
        let options = LaunchOptions([.formation: OptionValue("p0=1", origin: .commandLine(flag: "-m"))])
        let application = try loader.load(options).get()
        #expect(application.instances.map(\.name) == ["p0.1"])
    }
}
