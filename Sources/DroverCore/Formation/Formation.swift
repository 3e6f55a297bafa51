/// A value that does not parse; the caller adds where it came from.
public struct InvalidValue: Error, Equatable, Sendable {
    public var reason: String

    public init(_ reason: String) {
        self.reason = reason
    }
}

/// What `-m/--formation` says: `all=2,web=1`.
///
/// `all` sets the count of every type not named; once a formation is given
/// without `all`, unnamed types get 0 (foreman's rule).
public struct FormationSpec: Equatable, Sendable {
    /// The `all=` count, if given.
    public var allCount: Int?
    /// Named counts, in the order written.
    public var counts: [(name: String, count: Int)]

    public init(allCount: Int? = nil, counts: [(name: String, count: Int)] = []) {
        self.allCount = allCount
        self.counts = counts
    }

    public static func == (lhs: FormationSpec, rhs: FormationSpec) -> Bool {
        lhs.allCount == rhs.allCount
            && lhs.counts.map(\.name) == rhs.counts.map(\.name)
            && lhs.counts.map(\.count) == rhs.counts.map(\.count)
    }

    /// The most instances of one type: `-m`, `.drover`'s `formation=` and `scale` alike.
    public static let maximumCount = 10_000

    /// Parses `name=count[,name=count...]`; blanks around items are allowed, and
    /// a count above `maximumCount` is refused as such.
    public static func parse(_ text: String) throws(InvalidValue) -> FormationSpec {
        var spec = FormationSpec()
        var seen: Set<String> = []
        for rawItem in text.split(separator: ",", omittingEmptySubsequences: false) {
            let item = rawItem.trimmingBlanks()
            guard !item.isEmpty else { throw InvalidValue("empty item in \"\(text)\"") }
            let parts = item.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard parts.count == 2 else { throw InvalidValue("expected NAME=COUNT, got \"\(item)\"") }
            let name = String(parts[0].trimmingBlanks())
            let countText = parts[1].trimmingBlanks()
            guard Procfile.isValidName(name) else { throw InvalidValue("invalid process name \"\(name)\"") }
            guard let count = WholeNumber.parse(countText, maximum: Self.maximumCount) else {
                if WholeNumber.isDigits(countText) {
                    throw InvalidValue("count for \"\(name)\" is above the limit of \(Self.maximumCount), got \"\(countText)\"")
                }
                throw InvalidValue(
                    "count for \"\(name)\" must be a whole number from 0 to \(Self.maximumCount), got \"\(countText)\"")
            }
            guard seen.insert(name).inserted else { throw InvalidValue("\"\(name)\" is given twice") }
            if name == "all" {
                spec.allCount = count
            } else {
                spec.counts.append((name, count))
            }
        }
        return spec
    }
}

/// How many instances of each type run: the spec resolved against a Procfile.
public struct Formation: Equatable, Sendable {
    /// One count per Procfile entry, in Procfile order.
    public var counts: [(name: String, count: Int)]

    public static func == (lhs: Formation, rhs: Formation) -> Bool {
        lhs.counts.map(\.name) == rhs.counts.map(\.name) && lhs.counts.map(\.count) == rhs.counts.map(\.count)
    }

    public func count(of name: String) -> Int {
        counts.first { $0.name == name }?.count ?? 0
    }

    /// Resolves counts for every entry.
    ///
    /// - Parameters:
    ///   - spec: `-m`, if given; without it every type runs once.
    ///   - selected: types named on the command line (`start web worker`); the
    ///     others get 0, and a selected type the spec does not mention gets 1.
    public static func resolve(
        procfile: Procfile, spec: FormationSpec?, selected: [String] = []
    ) throws(InvalidValue) -> Formation {
        // Sets and tables, not searches per entry: planning stays linear in the entries.
        let names = procfile.names
        let known = Set(names)
        let listing = names.joined(separator: ", ")
        for (name, _) in spec?.counts ?? [] where !known.contains(name) {
            throw InvalidValue("unknown process type \"\(name)\" in formation (the Procfile has: \(listing))")
        }
        for name in selected where !known.contains(name) {
            throw InvalidValue("unknown process type \"\(name)\" (the Procfile has: \(listing))")
        }
        let chosen = Set(selected)
        let explicit = Dictionary(
            (spec?.counts ?? []).lazy.map { ($0.name, $0.count) }, uniquingKeysWith: { first, _ in first })
        let counts = names.map { name -> (name: String, count: Int) in
            if !chosen.isEmpty && !chosen.contains(name) { return (name, 0) }
            guard let spec else { return (name, 1) }
            if let count = explicit[name] { return (name, count) }
            if let all = spec.allCount { return (name, all) }
            return (name, selected.isEmpty ? 0 : 1)
        }
        return Formation(counts: counts)
    }
}

/// Non-negative decimal integers, without signs or blanks ("007" is 7).
public enum WholeNumber {
    public static let defaultMaximum = 1_000_000_000

    /// Nil when `text` is not digits, or its value is above `maximum`.
    public static func parse(_ text: some StringProtocol, maximum: Int = defaultMaximum) -> Int? {
        guard isDigits(text) else { return nil }
        var value = 0
        for digit in text.utf8 {
            value = value * 10 + Int(digit - 48)
            if value > maximum { return nil }
        }
        return value
    }

    /// Only decimal digits, at least one: a whole number, however large.
    public static func isDigits(_ text: some StringProtocol) -> Bool {
        !text.isEmpty && text.utf8.allSatisfy { $0 >= 48 && $0 <= 57 }
    }
}
