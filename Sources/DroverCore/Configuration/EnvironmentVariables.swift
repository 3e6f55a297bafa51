/// One `NAME=value` pair; the value is bytes, passed on exactly.
public struct EnvironmentVariable: Equatable, Sendable {
    public var name: String
    public var value: ByteString

    public init(name: String, value: ByteString) {
        self.name = name
        self.value = value
    }

    /// `NAME=value`, as `execve` wants it.
    public var entry: [UInt8] { Array(name.utf8) + [0x3D] + value.bytes }
}

/// An environment in insertion order; assigning an existing name replaces its value in place.
///
/// Order is kept so that what a child receives is deterministic and diffable.
public struct EnvironmentVariables: Equatable, Sendable, Sequence {
    private var variables: [EnvironmentVariable] = []
    private var indexByName: [String: Int] = [:]
    /// Inherited entries whose name is not UTF-8: no file can name them, but children
    /// still get them, unchanged, ahead of the rest.
    private var unnamedEntries: [[UInt8]] = []

    public init() {}

    public init(_ pairs: [EnvironmentVariable]) {
        for pair in pairs { self[pair.name] = pair.value }
    }

    /// Reads `NAME=value` entries as found in `environ`, values byte for byte; entries
    /// without `=` are skipped.
    public init(environ entries: [[UInt8]]) {
        for entry in entries {
            guard let equals = entry.firstIndex(of: 0x3D) else { continue }
            guard let name = String(validating: entry[..<equals], as: UTF8.self) else {
                unnamedEntries.append(entry)
                continue
            }
            self[name] = ByteString(entry[(equals + 1)...])
        }
    }

    public init(environ entries: [String]) {
        self.init(environ: entries.map { Array($0.utf8) })
    }

    public subscript(name: String) -> ByteString? {
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

    /// `NAME=value` entries, as `execve` wants them.
    public var environEntries: [[UInt8]] { unnamedEntries + variables.map(\.entry) }
}
