/// `web` (every instance of a type) or `web.2` (one instance).
public struct InstanceSelector: Equatable, Hashable, Sendable, CustomStringConvertible {
    public var type: String
    public var number: Int?

    public init(type: String, number: Int? = nil) {
        self.type = type
        self.number = number
    }

    public static func parse(_ text: String) throws(InvalidValue) -> InstanceSelector {
        if Procfile.isValidName(text) { return InstanceSelector(type: text) }
        let parts = text.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.count == 2, Procfile.isValidName(String(parts[0])), let number = WholeNumber.parse(parts[1]), number > 0
        else { throw InvalidValue("\"\(text)\" is not a process name (NAME or NAME.N)") }
        return InstanceSelector(type: String(parts[0]), number: number)
    }

    public func matches(type: String, number: Int) -> Bool {
        self.type == type && (self.number == nil || self.number == number)
    }

    public var description: String { number.map { "\(type).\($0)" } ?? type }
}

extension Array where Element == InstanceSelector {
    /// Whether these selectors take instance `type.number`; no selector at all takes every one.
    public func selects(type: String, number: Int) -> Bool {
        isEmpty || contains { $0.matches(type: type, number: number) }
    }
}
