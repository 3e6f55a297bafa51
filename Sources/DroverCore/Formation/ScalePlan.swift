/// What `drover scale` changes: which instances go, which are added.
///
/// The highest numbers of a type go first, so the survivors keep their names and
/// PORTs; new instances take the lowest free numbers. Everything is checked before
/// anything is planned, so a bad item changes nothing.
public struct ScalePlan: Equatable, Sendable {
    /// Instances to stop and take out, as (type, number).
    public var removals: [InstanceSelector]
    public var additions: [PlannedInstance]
    /// Every type's count afterwards, in Procfile order.
    public var formation: [FormationCount]

    /// The most instances `scale` gives one type.
    public static let maximumCount = 10_000

    public init(removals: [InstanceSelector], additions: [PlannedInstance], formation: [FormationCount]) {
        self.removals = removals
        self.additions = additions
        self.formation = formation
    }

    /// - Parameters:
    ///   - current: the instances the formation has now, as (type, number).
    ///   - counts: the new count of each type named.
    public static func make(
        procfile: Procfile, current: [InstanceSelector], counts: [FormationCount], basePort: Int
    ) throws(InvalidValue) -> ScalePlan {
        var wanted: [String: Int] = [:]
        for item in counts {
            guard procfile.index(of: item.type) != nil else {
                throw InvalidValue(
                    "unknown process type \"\(item.type)\" (the Procfile has: \(procfile.names.joined(separator: ", ")))")
            }
            guard wanted.updateValue(item.count, forKey: item.type) == nil else {
                throw InvalidValue("\"\(item.type)\" is given twice")
            }
        }
        var plan = ScalePlan(removals: [], additions: [], formation: [])
        for (entryIndex, entry) in procfile.entries.enumerated() {
            let numbers = current.filter { $0.type == entry.name }.compactMap(\.number).sorted()
            guard let count = wanted[entry.name] else {
                plan.formation.append(FormationCount(type: entry.name, count: numbers.count))
                continue
            }
            if count < numbers.count {
                plan.removals += numbers[count...].map { InstanceSelector(type: entry.name, number: $0) }
            } else if count > numbers.count {
                var inUse = Set(numbers)
                var number = 1
                for _ in numbers.count..<count {
                    while inUse.contains(number) { number += 1 }
                    inUse.insert(number)
                    plan.additions.append(
                        try PortPlan.instance(of: entry, entryIndex: entryIndex, number: number, basePort: basePort))
                }
            }
            plan.formation.append(FormationCount(type: entry.name, count: count))
        }
        return plan
    }
}

/// One type's instance count.
public struct FormationCount: Equatable, Sendable {
    public var type: String
    public var count: Int

    public init(type: String, count: Int) {
        self.type = type
        self.count = count
    }
}
