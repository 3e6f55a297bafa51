/// `-r/--restart`: `all=on-failure,worker=always`, written like `-m`.
///
/// A lone policy (`always`) means `all=always`; a lone type name (`web`) means
/// `web=always`, so overmind's `-r web,worker` keeps working.
public struct RestartSpec: Equatable, Sendable {
    public var allPolicy: RestartPolicy?
    public var policies: [String: RestartPolicy]

    public init(allPolicy: RestartPolicy? = nil, policies: [String: RestartPolicy] = [:]) {
        self.allPolicy = allPolicy
        self.policies = policies
    }

    public static let policyNames = RestartPolicy.allCases.map(\.rawValue).joined(separator: ", ")

    public static func policy(_ text: some StringProtocol) throws(InvalidValue) -> RestartPolicy {
        guard let policy = RestartPolicy(rawValue: String(text)) else {
            throw InvalidValue("unknown restart policy \"\(text)\" (policies: \(policyNames))")
        }
        return policy
    }

    public static func parse(_ text: String) throws(InvalidValue) -> RestartSpec {
        var spec = RestartSpec()
        var seen: Set<String> = []
        for rawItem in text.split(separator: ",", omittingEmptySubsequences: false) {
            let item = rawItem.trimmingBlanks()
            guard !item.isEmpty else { throw InvalidValue("empty item in \"\(text)\"") }
            let parts = item.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name: String
            let policy: RestartPolicy
            if parts.count == 2 {
                name = String(parts[0].trimmingBlanks())
                policy = try Self.policy(parts[1].trimmingBlanks())
            } else if let alone = RestartPolicy(rawValue: String(item)) {
                name = "all"
                policy = alone
            } else {
                name = String(item)
                policy = .always
            }
            guard Procfile.isValidName(name) else { throw InvalidValue("invalid process name \"\(name)\"") }
            guard seen.insert(name).inserted else { throw InvalidValue("\"\(name)\" is given twice") }
            if name == "all" { spec.allPolicy = policy } else { spec.policies[name] = policy }
        }
        return spec
    }

    /// The policy this spec gives `type`: named first, then `all`.
    public func policy(for type: String) -> RestartPolicy? {
        policies[type] ?? allPolicy
    }
}

/// `--can-die`: `all`, or type names separated by commas.
public struct TypeList: Equatable, Sendable {
    public var includesAll: Bool
    public var names: Set<String>

    public init(includesAll: Bool = false, names: Set<String> = []) {
        self.includesAll = includesAll
        self.names = names
    }

    public static func parse(_ text: String) throws(InvalidValue) -> TypeList {
        var list = TypeList()
        for rawItem in text.split(separator: ",", omittingEmptySubsequences: false) {
            let name = String(rawItem.trimmingBlanks())
            guard !name.isEmpty else { throw InvalidValue("empty item in \"\(text)\"") }
            guard Procfile.isValidName(name) else { throw InvalidValue("invalid process name \"\(name)\"") }
            if name == "all" { list.includesAll = true } else { list.names.insert(name) }
        }
        return list
    }

    public func contains(_ type: String) -> Bool {
        includesAll || names.contains(type)
    }
}

extension ApplicationLoader {
    /// Each Procfile type's settings. Three places may speak about a type, and the
    /// first that does decides: the command line (a named type before `all`), then
    /// the type's `[TYPE]` section, then the defaults file's own lines (again named
    /// before `all`); else the default.
    ///
    /// A type nothing gives a policy gets `defaultRestart`, unless it can die: a
    /// one-shot is not restarted by default anywhere.
    func resolveTypeSettings(
        _ options: LaunchOptions, procfile: Procfile, defaultRestart: RestartPolicy, errors: inout [Diagnostic]
    ) -> [String: ProcessTypeSettings] {
        let known = Set(procfile.names)
        let context = SettingsContext(known: known, listing: procfile.names.joined(separator: ", "))
        func given(_ option: LaunchOption, fromCommandLine: Bool) -> OptionValue? {
            if let value = options[option], value.isFromCommandLine == fromCommandLine { return value }
            return fromCommandLine ? nil : options.shadowed[option]
        }
        let commandLine = SettingsLayer(
            LaunchOption.allCases.filter(\.isPerType).reduce(into: [:]) { $0[$1] = given($1, fromCommandLine: true) },
            context, errors: &errors)
        let file = SettingsLayer(
            LaunchOption.allCases.filter(\.isPerType).reduce(into: [:]) { $0[$1] = given($1, fromCommandLine: false) },
            context, errors: &errors)
        var sections: [String: SettingsLayer] = [:]
        for section in options.sections {
            guard known.contains(section.type) else {
                errors.append(
                    Diagnostic(
                        "\(section.file):\(section.line): \(context.unknown(section.type)) in section [\(section.type)]"))
                continue
            }
            sections[section.type] = SettingsLayer(section: section.values, type: section.type, context, errors: &errors)
        }

        var settings: [String: ProcessTypeSettings] = [:]
        var problems: [Diagnostic] = []
        var afterOrigins: [String: OptionValue] = [:]
        for type in procfile.names {
            let layers = [commandLine, sections[type] ?? SettingsLayer(), file]
            var backoff = Backoff()
            let firstDelay = layers.lazy.compactMap(\.firstDelay).first
            let maximumDelay = layers.lazy.compactMap(\.maximumDelay).first
            backoff.firstDelayMilliseconds = firstDelay?.milliseconds ?? backoff.firstDelayMilliseconds
            backoff.maximumDelayMilliseconds = maximumDelay?.milliseconds ?? backoff.maximumDelayMilliseconds
            backoff.limit = layers.lazy.compactMap(\.limit).first ?? backoff.limit
            if backoff.firstDelayMilliseconds > backoff.maximumDelayMilliseconds {
                let first = Seconds.text(milliseconds: backoff.firstDelayMilliseconds)
                let maximum = Seconds.text(milliseconds: backoff.maximumDelayMilliseconds)
                let reason = "the first restart delay (\(first)) is above the longest (\(maximum))"
                let problem =
                    firstDelay.map { $0.value.invalid(reason, option: .restartDelay) }
                    ?? maximumDelay.map { $0.value.invalid(reason, option: .restartMaxDelay) }
                if let problem, !problems.contains(problem) { problems.append(problem) }
            }
            let canDie = layers.lazy.compactMap { $0.flag(.canDie, for: type) }.first ?? false
            let after = layers.lazy.compactMap { $0.after[type] }.first
            if let after { afterOrigins[type] = after.value }
            let ready = layers.lazy.compactMap { $0.ready(for: type) }.first
            let listen = layers.lazy.compactMap { $0.flag(.listen, for: type) }.first ?? false
            if listen, let ready, ready.probe.usesOwnPort {
                let reason =
                    "\(type) listens through drover's socket, where either the old or the new run answers a "
                    + "probe of its own port during a restart; use log:TEXT, exec:COMMAND or tcp on another port"
                let problem = ready.value.invalid(reason, option: .ready)
                if !problems.contains(problem) { problems.append(problem) }
            }
            settings[type] = ProcessTypeSettings(
                restart: layers.lazy.compactMap { $0.restart(for: type) }.first ?? (canDie ? .no : defaultRestart),
                canDie: canDie, backoff: backoff, tty: layers.lazy.compactMap { $0.flag(.tty, for: type) }.first ?? false,
                ready: ready?.probe, after: after?.types ?? [], listen: listen,
                watch: layers.lazy.compactMap { $0.watch(for: type) }.first ?? [])
        }
        errors += problems
        if let cycle = StartOrder.cycle(types: procfile.names, dependencies: settings.mapValues(\.after)),
            let origin = afterOrigins[cycle[0]]
        {
            errors.append(origin.invalid("dependency cycle: \(cycle.joined(separator: " -> "))", option: .after))
        }
        return settings
    }
}

/// What names the Procfile has, for checking and for messages.
struct SettingsContext {
    let known: Set<String>
    let listing: String

    func unknown(_ name: String) -> String { "unknown process type \"\(name)\" (the Procfile has: \(listing))" }
}

/// What one place (the command line, a `[TYPE]` section, the defaults file's own
/// lines) says about process types' settings; nil where it says nothing.
struct SettingsLayer {
    typealias Delay = (milliseconds: Int, value: OptionValue)
    private var restartSpec: RestartSpec?
    /// `can-die` and `tty`: a list of types, or (in a section) a switch.
    private var typeLists: [LaunchOption: TypeList] = [:]
    /// A section's `can-die=false` must be able to overrule the file's `can-die=all`.
    private var switches: [LaunchOption: Bool] = [:]
    /// `--ready`: by type, and for `all`.
    private var probes: [String: (probe: ReadinessProbe, value: OptionValue)] = [:]
    /// `--after`: each type's dependencies, with where they were written.
    private(set) var after: [String: (types: [String], value: OptionValue)] = [:]
    /// `--watch`: by type, and for `all`; an empty list (a section's `watch=false`) is no watching.
    private var watched: [String: [WatchTarget]] = [:]
    var firstDelay: Delay?
    var maximumDelay: Delay?
    var limit: Int?

    init() {}

    /// The command line's or the file's own values: specs naming types.
    init(_ values: [LaunchOption: OptionValue], _ context: SettingsContext, errors: inout [Diagnostic]) {
        if let value = values[.restart] {
            do {
                let spec = try RestartSpec.parse(value.text)
                if let name = spec.policies.keys.sorted().first(where: { !context.known.contains($0) }) {
                    errors.append(value.invalid(context.unknown(name), option: .restart))
                } else {
                    restartSpec = spec
                }
            } catch {
                errors.append(value.invalid(error.reason, option: .restart))
            }
        }
        for option in LaunchOption.allCases where option.isTypeList {
            guard let value = values[option] else { continue }
            do {
                let list = try TypeList.parse(value.text)
                if let name = list.names.sorted().first(where: { !context.known.contains($0) }) {
                    errors.append(value.invalid(context.unknown(name), option: option))
                } else {
                    typeLists[option] = list
                }
            } catch {
                errors.append(value.invalid(error.reason, option: option))
            }
        }
        for occurrence in values[.ready]?.occurrences ?? [] {
            guard let (type, text) = Self.typeAndValue(occurrence, option: .ready, context, allowAll: true, errors: &errors)
            else { continue }
            do throws(InvalidValue) {
                guard probes[type] == nil else { throw InvalidValue("\"\(type)\" is given twice") }
                probes[type] = (try ReadinessProbe.parse(text), occurrence)
            } catch {
                errors.append(occurrence.invalid(error.reason, option: .ready))
            }
        }
        for occurrence in values[.after]?.occurrences ?? [] {
            guard let (type, text) = Self.typeAndValue(occurrence, option: .after, context, allowAll: false, errors: &errors)
            else { continue }
            guard after[type] == nil else {
                errors.append(occurrence.invalid("\"\(type)\" is given twice", option: .after))
                continue
            }
            readDependencies(of: type, text, separator: "+", occurrence, context, errors: &errors)
        }
        for occurrence in values[.watch]?.occurrences ?? [] {
            let parts = occurrence.text.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let type = String(parts[0].trimmingBlanks())
            guard type == "all" || context.known.contains(type) else {
                errors.append(occurrence.invalid(context.unknown(type), option: .watch))
                continue
            }
            guard watched[type] == nil else {
                errors.append(occurrence.invalid("\"\(type)\" is given twice", option: .watch))
                continue
            }
            do throws(InvalidValue) {
                watched[type] = try WatchTarget.parse(parts.count == 2 ? String(parts[1]) : nil, value: occurrence)
            } catch {
                errors.append(occurrence.invalid(error.reason, option: .watch))
            }
        }
        readBackoff(values, errors: &errors)
    }

    /// `TYPE=REST`, with TYPE a Procfile type (or `all` where allowed).
    private static func typeAndValue(
        _ value: OptionValue, option: LaunchOption, _ context: SettingsContext, allowAll: Bool, errors: inout [Diagnostic]
    ) -> (String, String)? {
        guard let equals = value.text.firstIndex(of: "=") else {
            errors.append(value.invalid("expected \(option.valueName)", option: option))
            return nil
        }
        let type = String(value.text[..<equals].trimmingBlanks())
        let rest = String(value.text[value.text.index(after: equals)...].trimmingBlanks())
        guard (allowAll && type == "all") || context.known.contains(type) else {
            errors.append(value.invalid(context.unknown(type), option: option))
            return nil
        }
        return (type, rest)
    }

    /// `web+db` (a flag) or `web,db` (a section); every name must be a type, not the type itself.
    private mutating func readDependencies(
        of type: String, _ text: String, separator: Character, _ value: OptionValue, _ context: SettingsContext,
        errors: inout [Diagnostic]
    ) {
        var types: [String] = []
        for item in text.split(separator: separator, omittingEmptySubsequences: false) {
            let name = String(item.trimmingBlanks())
            let reason: String? =
                if name.isEmpty { "empty item in \"\(text)\"" } else if !context.known.contains(name) {
                    context.unknown(name)
                } else if name == type { "dependency cycle: \(type) -> \(type)" } else { nil }
            if let reason {
                errors.append(value.invalid(reason, option: .after))
                return
            }
            if !types.contains(name) { types.append(name) }
        }
        after[type] = (types, value)
    }

    /// A `[TYPE]` section: one policy, can-die and tty true or false.
    init(section values: [LaunchOption: OptionValue], type: String, _ context: SettingsContext, errors: inout [Diagnostic]) {
        if let value = values[.restart] {
            do { restartSpec = RestartSpec(allPolicy: try RestartSpec.policy(value.text)) } catch {
                errors.append(value.invalid(error.reason, option: .restart))
            }
        }
        for option in LaunchOption.allCases where option.isTypeList {
            guard let value = values[option] else { continue }
            switches[option] = Switch.parse(value.text)
            if switches[option] == nil { errors.append(value.invalid("must be true or false", option: option)) }
        }
        if let value = values[.ready] {
            do { probes[type] = (try ReadinessProbe.parse(value.text), value) } catch {
                errors.append(value.invalid(error.reason, option: .ready))
            }
        }
        if let value = values[.after] {
            readDependencies(of: type, value.text, separator: ",", value, context, errors: &errors)
        }
        if let value = values[.watch] {
            do throws(InvalidValue) {
                switch Switch.parse(value.text) {
                case true?: watched[type] = try WatchTarget.parse(nil, value: value)
                case false?: watched[type] = []
                case nil: watched[type] = try WatchTarget.parse(value.text, value: value)
                }
            } catch {
                errors.append(value.invalid(error.reason, option: .watch))
            }
        }
        readBackoff(values, errors: &errors)
    }

    private mutating func readBackoff(_ values: [LaunchOption: OptionValue], errors: inout [Diagnostic]) {
        for option in [LaunchOption.restartDelay, .restartMaxDelay] {
            guard let value = values[option] else { continue }
            guard let milliseconds = Seconds.milliseconds(value.text) else {
                errors.append(value.invalid("must be a number of seconds such as 0.5", option: option))
                continue
            }
            if option == .restartDelay { firstDelay = (milliseconds, value) } else { maximumDelay = (milliseconds, value) }
        }
        if let value = values[.restartLimit] {
            limit = WholeNumber.parse(value.text)
            if limit == nil { errors.append(value.invalid("must be a whole number (0: no limit)", option: .restartLimit)) }
        }
    }

    func restart(for type: String) -> RestartPolicy? {
        restartSpec?.policy(for: type)
    }

    func watch(for type: String) -> [WatchTarget]? {
        watched[type] ?? watched["all"]
    }

    func ready(for type: String) -> (probe: ReadinessProbe, value: OptionValue)? {
        probes[type] ?? probes["all"]
    }

    /// A list only says yes for the types it takes; it leaves the others to the next place.
    func flag(_ option: LaunchOption, for type: String) -> Bool? {
        switches[option] ?? (typeLists[option]?.contains(type) == true ? true : nil)
    }
}
