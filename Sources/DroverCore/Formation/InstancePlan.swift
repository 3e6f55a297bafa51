/// One process to run: instance `number` of a Procfile type.
public struct PlannedInstance: Equatable, Sendable {
    public var type: String
    public var number: Int
    public var command: ByteString
    public var port: Int
    /// Position of the type in the Procfile; decides the PORT block and the color.
    public var entryIndex: Int

    public init(type: String, number: Int, command: ByteString, port: Int, entryIndex: Int) {
        self.type = type
        self.number = number
        self.command = command
        self.port = port
        self.entryIndex = entryIndex
    }

    /// `web.1`: the log prefix and the value of `PS`.
    public var name: String { "\(type).\(number)" }

    /// The variables this instance gets on top of the application's environment.
    public var ownVariables: [EnvironmentVariable] {
        [
            EnvironmentVariable(name: "PORT", value: ByteString(String(port))),
            EnvironmentVariable(name: "PS", value: ByteString(name)),
        ]
    }
}

/// foreman's PORT scheme: each Procfile entry owns a block of 100 ports.
public enum PortPlan {
    public static let defaultBase = 5000
    public static let highestPort = 65535

    /// `base + 100 × entryIndex + (number − 1)`.
    public static func port(base: Int, entryIndex: Int, number: Int) -> Int {
        base + 100 * entryIndex + (number - 1)
    }

    /// Every instance of the formation, types in Procfile order, numbers from 1.
    public static func instances(
        procfile: Procfile, formation: Formation, basePort: Int
    ) throws(InvalidValue) -> [PlannedInstance] {
        // One lookup table, not a search of the formation per entry: 100k entries stay linear.
        let counts = Dictionary(formation.counts.lazy.map { ($0.name, $0.count) }, uniquingKeysWith: { first, _ in first })
        var planned: [PlannedInstance] = []
        for (entryIndex, entry) in procfile.entries.enumerated() {
            let count = counts[entry.name] ?? 0
            guard count > 0 else { continue }
            for number in 1...count {
                let instance = try instance(of: entry, entryIndex: entryIndex, number: number, basePort: basePort)
                planned.append(instance)
            }
        }
        return planned
    }

    /// The first two instances that would share a port, in plan order.
    ///
    /// A type's block holds 100 ports, so its 101st instance gets the first port of
    /// the next type's block (foreman hands both the same PORT without a word). A type
    /// with more than 100 instances is fine as long as no type after it runs into those
    /// ports: a single type, or the last one, may run thousands.
    public static func collision(
        among instances: some Sequence<(name: String, port: Int)>
    ) -> PortCollision? {
        var owners: [Int: String] = [:]
        for instance in instances {
            if let owner = owners.updateValue(instance.name, forKey: instance.port) {
                owners[instance.port] = owner
                return PortCollision(port: instance.port, first: owner, second: instance.name)
            }
        }
        return nil
    }

    /// `collision(among:)` for planned instances.
    public static func collision(in instances: [PlannedInstance]) -> PortCollision? {
        collision(among: instances.lazy.map { (name: $0.name, port: $0.port) })
    }

    /// One instance; fails when its port would be above 65535.
    public static func instance(
        of entry: ProcfileEntry, entryIndex: Int, number: Int, basePort: Int
    ) throws(InvalidValue) -> PlannedInstance {
        let port = port(base: basePort, entryIndex: entryIndex, number: number)
        guard port <= highestPort else {
            throw InvalidValue(
                "port \(port) for \(entry.name).\(number) is above \(highestPort) (base port \(basePort))")
        }
        return PlannedInstance(
            type: entry.name, number: number, command: entry.command, port: port, entryIndex: entryIndex)
    }
}

/// Two instances the PORT plan gives the same port.
public struct PortCollision: Equatable, Sendable {
    public var port: Int
    /// The instance that had the port first, and the one that would get it too.
    public var first: String
    public var second: String

    public init(port: Int, first: String, second: String) {
        self.port = port
        self.first = first
        self.second = second
    }

    /// Names the instance that overflowed its type's block (the higher number) first.
    public var reason: String {
        let (overflowing, owner) = Self.number(of: first) > Self.number(of: second) ? (first, second) : (second, first)
        return "\(overflowing) would get port \(port), which \(owner) has (each type owns a block of 100 ports)"
    }

    private static func number(of name: String) -> Int {
        name.split(separator: ".").last.flatMap { Int($0) } ?? 0
    }
}
