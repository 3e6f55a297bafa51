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
        let known = Set(procfile.names)
        var wanted: [String: Int] = [:]
        for item in counts {
            guard known.contains(item.type) else {
                throw InvalidValue(
                    "unknown process type \"\(item.type)\" (the Procfile has: \(procfile.names.joined(separator: ", ")))")
            }
            guard (0...FormationSpec.maximumCount).contains(item.count) else {
                throw InvalidValue(
                    "the count for \"\(item.type)\" must be a whole number from 0 to \(FormationSpec.maximumCount)")
            }
            guard wanted.updateValue(item.count, forKey: item.type) == nil else {
                throw InvalidValue("\"\(item.type)\" is given twice")
            }
        }
        // Grouped once, not filtered per entry: linear in entries plus instances.
        var numbersByType: [String: [Int]] = [:]
        for selector in current {
            if let number = selector.number { numbersByType[selector.type, default: []].append(number) }
        }
        var plan = ScalePlan(removals: [], additions: [], formation: [])
        // Every instance after the change, with its port: the PORT plan must not give two the same.
        var ports: [(name: String, port: Int)] = []
        for (entryIndex, entry) in procfile.entries.enumerated() {
            let numbers = (numbersByType[entry.name] ?? []).sorted()
            guard let count = wanted[entry.name] else {
                plan.formation.append(FormationCount(type: entry.name, count: numbers.count))
                ports += numbers.map { number in
                    (
                        InstanceSelector(type: entry.name, number: number).description,
                        PortPlan.port(base: basePort, entryIndex: entryIndex, number: number)
                    )
                }
                continue
            }
            let kept = numbers.prefix(count)
            ports += kept.map { number in
                (
                    InstanceSelector(type: entry.name, number: number).description,
                    PortPlan.port(base: basePort, entryIndex: entryIndex, number: number)
                )
            }
            if count < numbers.count {
                plan.removals += numbers[count...].map { InstanceSelector(type: entry.name, number: $0) }
            } else if count > numbers.count {
                var inUse = Set(numbers)
                var number = 1
                for _ in numbers.count..<count {
                    while inUse.contains(number) { number += 1 }
                    inUse.insert(number)
                    let instance = try PortPlan.instance(
                        of: entry, entryIndex: entryIndex, number: number, basePort: basePort)
                    plan.additions.append(instance)
                    ports.append((instance.name, instance.port))
                }
            }
            plan.formation.append(FormationCount(type: entry.name, count: count))
        }
        if let collision = PortPlan.collision(among: ports) { throw InvalidValue(collision.reason) }
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
