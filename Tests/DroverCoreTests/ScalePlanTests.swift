import DroverCore
import Testing

@Suite struct ScalePlanTests {
    static let procfile = Procfile(entries: [
        ProcfileEntry(name: "web", command: "serve", line: 1), ProcfileEntry(name: "worker", command: "work", line: 2),
    ])

    static func selectors(_ names: String...) -> [InstanceSelector] {
        names.map { try! InstanceSelector.parse($0) }
    }

    @Test func removesTheHighestNumbersAndAddsTheLowestFree() throws {
        let current = Self.selectors("web.1", "worker.1", "worker.2", "worker.3")
        let down = try ScalePlan.make(
            procfile: Self.procfile, current: current, counts: [FormationCount(type: "worker", count: 1)], basePort: 5000)
        #expect(down.removals == Self.selectors("worker.2", "worker.3"))
        #expect(down.additions.isEmpty)
        #expect(down.formation == [FormationCount(type: "web", count: 1), FormationCount(type: "worker", count: 1)])

        let up = try ScalePlan.make(
            procfile: Self.procfile, current: Self.selectors("web.1", "web.3"),
            counts: [FormationCount(type: "web", count: 4), FormationCount(type: "worker", count: 1)], basePort: 5000)
        #expect(up.removals.isEmpty)
        #expect(up.additions.map(\.name) == ["web.2", "web.4", "worker.1"])
        #expect(up.additions.map(\.port) == [5001, 5003, 5100])
        #expect(up.formation == [FormationCount(type: "web", count: 4), FormationCount(type: "worker", count: 1)])
    }

    @Test func theSameCountChangesNothing() throws {
        let plan = try ScalePlan.make(
            procfile: Self.procfile, current: Self.selectors("web.1"), counts: [FormationCount(type: "web", count: 1)],
            basePort: 5000)
        #expect(plan.removals.isEmpty && plan.additions.isEmpty)
    }

    @Test(arguments: [
        ([FormationCount(type: "db", count: 1)], #"unknown process type "db" (the Procfile has: web, worker)"#),
        ([FormationCount(type: "web", count: 1), FormationCount(type: "web", count: 2)], #""web" is given twice"#),
        ([FormationCount(type: "worker", count: 300)], "port 65536 for worker.102 is above 65535 (base port 65335)"),
    ])
    func refusesBadItemsWhole(_ counts: [FormationCount], _ reason: String) {
        #expect(throws: InvalidValue(reason)) {
            try ScalePlan.make(procfile: Self.procfile, current: [], counts: counts, basePort: 65335)
        }
    }

    @Test func refusesACountThatRunsIntoTheNextTypesPorts() throws {
        let webs = (1...100).map { InstanceSelector(type: "web", number: $0) }
        #expect(
            throws: InvalidValue(
                "web.101 would get port 5100, which worker.1 has (each type owns a block of 100 ports)"
            )
        ) {
            try ScalePlan.make(
                procfile: Self.procfile, current: webs + Self.selectors("worker.1"),
                counts: [FormationCount(type: "web", count: 101)], basePort: 5000)
        }
        // The other way round: worker.1 would land on web.101's port.
        #expect(
            throws: InvalidValue(
                "web.101 would get port 5100, which worker.1 has (each type owns a block of 100 ports)"
            )
        ) {
            try ScalePlan.make(
                procfile: Self.procfile, current: webs + [InstanceSelector(type: "web", number: 101)],
                counts: [FormationCount(type: "worker", count: 1)], basePort: 5000)
        }
        // Past 100 is fine once worker is scaled to 0 in the same request, and for the last type.
        let plan = try ScalePlan.make(
            procfile: Self.procfile, current: webs + Self.selectors("worker.1"),
            counts: [FormationCount(type: "web", count: 101), FormationCount(type: "worker", count: 0)], basePort: 5000)
        #expect(plan.additions.map(\.name) == ["web.101"])
        let workers = try ScalePlan.make(
            procfile: Self.procfile, current: Self.selectors("web.1"),
            counts: [FormationCount(type: "worker", count: 500)], basePort: 5000)
        #expect(workers.additions.count == 500)
    }

    /// Grouping the instances once keeps a scale linear: 100k entries with one instance each.
    @Test(.timeLimit(.minutes(1))) func scalesAFormationOf100kEntries() throws {
        let size = 100_000
        let procfile = Procfile(entries: (0..<size).map { ProcfileEntry(name: "p\($0)", command: "c", line: $0 + 1) })
        let current = (0..<size).map { InstanceSelector(type: "p\($0)", number: 1) }
        let plan = try ScalePlan.make(
            procfile: procfile, current: current, counts: [FormationCount(type: "p0", count: 2)], basePort: 1)
        #expect(plan.additions.map(\.name) == ["p0.2"])
        #expect(plan.formation.count == size)
    }
}
