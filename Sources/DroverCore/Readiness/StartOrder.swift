/// Which process types may start, given `--after`: a type waits until every instance
/// of each type it depends on is ready, or, for a type that can die (a one-shot such
/// as `migrate`), has exited 0. A type once let start stays let, so a dependency's
/// later restart does not hold back a scale-up of its dependents.
public struct StartOrder: Equatable, Sendable {
    /// Each type's dependencies, in the order they were written.
    public let dependencies: [String: [String]]
    public private(set) var released: Set<String> = []

    /// Where a dependency stands for its dependents.
    public enum DependencyState: Equatable, Sendable {
        case satisfied
        case pending
        /// A one-shot ended with a failure: its dependents will never start.
        case failed(name: String, Termination)
    }

    /// A dependency failed: nothing waiting on it can start.
    public struct Blocked: Error, Equatable, Sendable {
        public var dependent: String
        public var dependency: String
        public var name: String
        public var termination: Termination
    }

    public init(dependencies: [String: [String]]) {
        self.dependencies = dependencies.filter { !$0.value.isEmpty }
        released = []
    }

    public func isReleased(_ type: String) -> Bool {
        released.contains(type) || dependencies[type] == nil
    }

    /// Releases every waiting type whose dependencies are all satisfied; returns them in
    /// `types` order, or the first type a failed dependency blocks (the formation then
    /// stops, so what this call released before it does not matter).
    public mutating func release(
        _ types: [String], state: (String) -> DependencyState
    ) -> Result<[String], Blocked> {
        var newly: [String] = []
        for type in types where !isReleased(type) {
            var ready = true
            for dependency in dependencies[type] ?? [] {
                switch state(dependency) {
                case .satisfied: continue
                case .pending: ready = false
                case let .failed(name, termination):
                    return .failure(Blocked(dependent: type, dependency: dependency, name: name, termination: termination))
                }
            }
            if ready {
                released.insert(type)
                newly.append(type)
            }
        }
        return .success(newly)
    }

    /// A dependency's standing, from its instances' lifecycles.
    public static func state(canDie: Bool, _ lifecycles: some Collection<InstanceLifecycle>) -> DependencyState {
        var satisfied = true
        for lifecycle in lifecycles {
            if canDie {
                switch lifecycle.state {
                case let .exited(termination) where termination.shellCode == 0: continue
                case let .exited(termination), let .failed(termination):
                    return .failed(name: lifecycle.name, termination)
                default: satisfied = false
                }
            } else if !lifecycle.isReady {
                satisfied = false
            }
        }
        return satisfied ? .satisfied : .pending
    }

    /// A cycle among the dependencies, as the path that closes it (`web`, `worker`,
    /// `web`); nil if there is none. Types are visited in `types` order, so the cycle
    /// reported is the same on every run.
    public static func cycle(types: [String], dependencies: [String: [String]]) -> [String]? {
        enum Mark { case visiting, done }
        var marks: [String: Mark] = [:]
        var path: [String] = []
        func visit(_ type: String) -> [String]? {
            switch marks[type] {
            case .done?: return nil
            case .visiting?:
                let start = path.firstIndex(of: type) ?? 0
                return Array(path[start...]) + [type]
            case nil: break
            }
            marks[type] = .visiting
            path.append(type)
            for dependency in dependencies[type] ?? [] {
                if let found = visit(dependency) { return found }
            }
            path.removeLast()
            marks[type] = .done
            return nil
        }
        for type in types {
            if let found = visit(type) { return found }
        }
        return nil
    }

    /// The order of a shutdown: types nothing depends on first, then what only they
    /// depend on, and so on; types in Procfile order within a stage. Without
    /// dependencies, one stage of every type. The graph must have no cycle.
    public static func stopStages(types: [String], dependencies: [String: [String]]) -> [[String]] {
        var dependents: [String: [String]] = [:]
        for type in types {
            for dependency in dependencies[type] ?? [] { dependents[dependency, default: []].append(type) }
        }
        var height: [String: Int] = [:]
        func heightOf(_ type: String, depth: Int) -> Int {
            if let known = height[type] { return known }
            // A cycle would recurse for ever; check refuses one, this only stays finite.
            guard depth <= types.count else { return 0 }
            let value = (dependents[type] ?? []).map { heightOf($0, depth: depth + 1) + 1 }.max() ?? 0
            height[type] = value
            return value
        }
        var stages: [[String]] = []
        for type in types {
            let stage = heightOf(type, depth: 0)
            while stages.count <= stage { stages.append([]) }
            stages[stage].append(type)
        }
        return stages.filter { !$0.isEmpty }
    }
}

/// Each type's stage in the shutdown (`StartOrder.stopStages`), and the line that
/// announces a stage.
public struct ShutdownStages: Equatable, Sendable {
    public let stages: [[String]]
    private let stageOf: [String: Int]

    public init(types: [String], dependencies: [String: [String]]) {
        stages = StartOrder.stopStages(types: types, dependencies: dependencies)
        var stageOf: [String: Int] = [:]
        for (index, stage) in stages.enumerated() { for type in stage { stageOf[type] = index } }
        self.stageOf = stageOf
    }

    public var count: Int { stages.count }

    public func stage(of type: String) -> Int? { stageOf[type] }

    /// `stopping web, clock (shutdown stage 2 of 3)`.
    public func announcement(_ stage: Int) -> SystemEvent {
        .stoppingStage(stages[stage], stage: stage, of: stages.count)
    }
}
