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
        [EnvironmentVariable(name: "PORT", value: ByteString(String(port))),
         EnvironmentVariable(name: "PS", value: ByteString(name))]
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
        var planned: [PlannedInstance] = []
        for (entryIndex, entry) in procfile.entries.enumerated() {
            let count = formation.count(of: entry.name)
            guard count > 0 else { continue }
            for number in 1...count {
                let instance = try instance(of: entry, entryIndex: entryIndex, number: number, basePort: basePort)
                planned.append(instance)
            }
        }
        return planned
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
