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
}
