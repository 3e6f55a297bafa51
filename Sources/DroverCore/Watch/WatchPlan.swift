/// Which types a change concerns, and the restarts a burst of changes comes to: one
/// per type, once nothing has changed for the debounce time.
public struct WatchPlan: Equatable, Sendable {
    public static let defaultDebounceMilliseconds = 300

    /// What one restart is for (`SystemEvent.filesChanged` says it).
    public struct Restart: Equatable, Sendable {
        public var type: String
        /// Changed paths relative to the root, in the order first seen.
        public var paths: [String]
        /// The kernel dropped events: what changed is not known.
        public var changesLost = false

        public init(type: String, paths: [String], changesLost: Bool = false) {
            self.type = type
            self.paths = paths
            self.changesLost = changesLost
        }
    }

    public let root: String
    public let debounceMilliseconds: Int
    /// Watched types in Procfile order, each with its absolute targets.
    public let targets: [(type: String, paths: [String])]
    private var pending: [String: [String]] = [:]
    private var seen: [String: Set<String>] = [:]
    private var lost = false
    /// When the pending restarts are due; nil when nothing is pending.
    public private(set) var deadline: Int64?

    public init(root: String, targets: [(type: String, paths: [String])], debounceMilliseconds: Int = defaultDebounceMilliseconds) {
        self.root = FilePath.absolute(root, from: "/")
        self.targets = targets.filter { !$0.paths.isEmpty }
        self.debounceMilliseconds = debounceMilliseconds
    }

    public static func == (left: WatchPlan, right: WatchPlan) -> Bool {
        left.root == right.root && left.debounceMilliseconds == right.debounceMilliseconds && left.pending == right.pending
            && left.deadline == right.deadline && left.lost == right.lost && left.targets.map(\.type) == right.targets.map(\.type)
            && left.targets.map(\.paths) == right.targets.map(\.paths)
    }

    /// The paths to watch, each with everything below it; a path under another is left
    /// to the one above.
    public var watchedPaths: [String] {
        let all = Set(targets.flatMap(\.paths)).sorted()
        return all.filter { path in !all.contains { $0 != path && FilePath.isWithin(path, $0) } }
    }

    /// The types a change at `path` (absolute) restarts.
    public func types(concerning path: String) -> [String] {
        targets.filter { $0.paths.contains { FilePath.isWithin(path, $0) } }.map(\.type)
    }

    /// Notes a change; the restarts come `debounceMilliseconds` after the last one.
    /// Returns whether it concerned any type.
    @discardableResult
    public mutating func changed(_ path: String, now: Int64) -> Bool {
        let types = types(concerning: path)
        guard !types.isEmpty else { return false }
        let shown = FilePath.relative(path, to: root)
        for type in types where seen[type, default: []].insert(shown).inserted {
            pending[type, default: []].append(shown)
        }
        deadline = now + Int64(debounceMilliseconds)
        return true
    }

    /// Every watched type, for changes that were lost (the kernel's queue overflowed).
    public mutating func changedEverywhere(now: Int64) {
        lost = true
        for (type, _) in targets where pending[type] == nil { pending[type] = [] }
        deadline = now + Int64(debounceMilliseconds)
    }

    /// The restarts due at `now`, in Procfile order; empty before the deadline.
    public mutating func due(now: Int64) -> [Restart] {
        guard let deadline, now >= deadline else { return [] }
        let restarts = targets.compactMap { target in
            pending[target.type].map { Restart(type: target.type, paths: $0, changesLost: lost) }
        }
        pending = [:]
        seen = [:]
        lost = false
        self.deadline = nil
        return restarts
    }
}
