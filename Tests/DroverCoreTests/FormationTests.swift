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
        ("web=x", #"count for "web" must be a whole number of 0 or more, got "x""#),
        ("web=-1", #"count for "web" must be a whole number of 0 or more, got "-1""#),
        ("web=1.5", #"count for "web" must be a whole number of 0 or more, got "1.5""#),
        ("web=", #"count for "web" must be a whole number of 0 or more, got """#),
        ("web", #"expected NAME=COUNT, got "web""#),
        ("web=1,web=2", #""web" is given twice"#),
        ("all=1,all=2", #""all" is given twice"#),
        ("web=1,", #"empty item in "web=1,""#),
        ("", #"empty item in """#),
        ("w.b=1", #"invalid process name "w.b""#),
        ("web=99999999999", #"count for "web" is above the limit of 1000000000, got "99999999999""#),
        ("web=99999999999999999999999", #"count for "web" is above the limit of 1000000000, got "99999999999999999999999""#),
    ]

    @Test func scaleNamesItsOwnLimit() throws {
        #expect(throws: InvalidValue(#"count for "worker" is above the limit of 10000, got "99999999999""#)) {
            try FormationSpec.parse("worker=99999999999", maximumCount: ScalePlan.maximumCount)
        }
        #expect(throws: InvalidValue(#"count for "worker" is above the limit of 10000, got "10001""#)) {
            try FormationSpec.parse("worker=10001", maximumCount: ScalePlan.maximumCount)
        }
        #expect(try FormationSpec.parse("worker=10000", maximumCount: ScalePlan.maximumCount).counts.first?.count == 10_000)
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
        #expect(try Self.plan("web=2,worker=3", base: 3000)
            == ["web.1=3000", "web.2=3001", "worker.1=3100", "worker.2=3101", "worker.3=3102"])
        // A type with no instances still owns its block.
        #expect(try Self.plan("clock=2") == ["clock.1=5200", "clock.2=5201"])
    }

    @Test func givesEachInstancePortAndPS() throws {
        let entry = Self.procfile.entries[1]
        let instance = try PortPlan.instance(of: entry, entryIndex: 1, number: 3, basePort: 6000)
        #expect(instance.ownVariables == [
            EnvironmentVariable(name: "PORT", value: "6102"), EnvironmentVariable(name: "PS", value: "worker.3"),
        ])
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
