/// `--watch-ignore` and `--watch-debounce`: what every watched type shares.
public struct WatchOptions: Equatable, Sendable {
    public var ignore: [Glob] = []
    public var debounceMilliseconds = WatchPlan.defaultDebounceMilliseconds

    public init(ignore: [Glob] = [], debounceMilliseconds: Int = WatchPlan.defaultDebounceMilliseconds) {
        self.ignore = ignore
        self.debounceMilliseconds = debounceMilliseconds
    }
}

extension ApplicationLoader {
    func resolveWatchOptions(_ options: LaunchOptions, errors: inout [Diagnostic]) -> WatchOptions {
        var watch = WatchOptions()
        for occurrence in options[.watchIgnore]?.occurrences ?? [] {
            do { watch.ignore.append(try Glob(occurrence.text)) } catch {
                errors.append(occurrence.invalid(error.reason, option: .watchIgnore))
            }
        }
        watch.debounceMilliseconds = Self.seconds(
            options, .watchDebounce, default: WatchPlan.defaultDebounceMilliseconds, example: "0.3", errors: &errors)
        return watch
    }

    /// Every watched path must be there at start; one written for several types is told once.
    func checkWatchTargets(_ settings: [ProcessTypeSettings], root: String, errors: inout [Diagnostic]) {
        var told: Set<String> = []
        for target in settings.flatMap(\.watch) {
            let path = target.absolute(under: root)
            guard let problem = pathProblem(path), told.insert(target.value.text + "\u{0}" + path).inserted else { continue }
            errors.append(target.value.invalid("\(path) \(problem)", option: .watch))
        }
    }
}

extension Application {
    /// The watched types (Procfile order) with their absolute paths; nil when none is watched.
    public var watchPlan: WatchPlan? {
        let targets = (procfile?.names ?? []).compactMap { type -> (type: String, paths: [String])? in
            let paths = settings(for: type).watch.map { $0.absolute(under: root) }
            return paths.isEmpty ? nil : (type, paths)
        }
        guard !targets.isEmpty else { return nil }
        return WatchPlan(root: root, targets: targets, debounceMilliseconds: watch.debounceMilliseconds)
    }
}
