/// One `NAME=value` pair.
public struct EnvironmentVariable: Equatable, Sendable {
    public var name: String
    public var value: String

    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }
}

/// An environment in insertion order; assigning an existing name replaces its value in place.
///
/// Order is kept so that what a child receives is deterministic and diffable.
public struct EnvironmentVariables: Equatable, Sendable, Sequence {
    private var variables: [EnvironmentVariable] = []
    private var indexByName: [String: Int] = [:]

    public init() {}

    public init(_ pairs: [EnvironmentVariable]) {
        for pair in pairs { self[pair.name] = pair.value }
    }

    /// Reads `NAME=value` strings as found in `environ`; entries without `=` are skipped.
    public init(environ entries: [String]) {
        for entry in entries {
            guard let equals = entry.firstIndex(of: "=") else { continue }
            self[String(entry[..<equals])] = String(entry[entry.index(after: equals)...])
        }
    }

    public subscript(name: String) -> String? {
        get { indexByName[name].map { variables[$0].value } }
        set {
            if let newValue {
                if let index = indexByName[name] {
                    variables[index].value = newValue
                } else {
                    indexByName[name] = variables.count
                    variables.append(EnvironmentVariable(name: name, value: newValue))
                }
            } else if let index = indexByName.removeValue(forKey: name) {
                variables.remove(at: index)
                for (offset, variable) in variables.enumerated().dropFirst(index) {
                    indexByName[variable.name] = offset
                }
            }
        }
    }

    public var count: Int { variables.count }

    public func makeIterator() -> IndexingIterator<[EnvironmentVariable]> {
        variables.makeIterator()
    }

    /// Applies `pairs` on top: later wins, as env files do over the inherited environment.
    public mutating func merge(_ pairs: some Sequence<EnvironmentVariable>) {
        for pair in pairs { self[pair.name] = pair.value }
    }

    /// `NAME=value` strings, as `execve` wants them.
    public var environStrings: [String] { variables.map { "\($0.name)=\($0.value)" } }
}
