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
    /// Each Procfile type's settings. A value on the command line decides first (a
    /// named type before `all`), then the type's `[TYPE]` section, then the defaults
    /// file's own line, then the default: the most specific word of each source wins,
    /// and the command line wins over the file.
    func resolveTypeSettings(
        _ options: LaunchOptions, procfile: Procfile, errors: inout [Diagnostic]
    ) -> [String: ProcessTypeSettings] {
        let known = Set(procfile.names)
        let listing = procfile.names.joined(separator: ", ")
        func unknown(_ name: String) -> String { "unknown process type \"\(name)\" (the Procfile has: \(listing))" }

        // The lines outside any section (or on the command line).
        var restart: (spec: RestartSpec, value: OptionValue)?
        if let value = options[.restart] {
            do {
                let spec = try RestartSpec.parse(value.text)
                if let name = spec.policies.keys.sorted().first(where: { !known.contains($0) }) {
                    errors.append(value.invalid(unknown(name), option: .restart))
                } else {
                    restart = (spec, value)
                }
            } catch {
                errors.append(value.invalid(error.reason, option: .restart))
            }
        }
        var canDie: (list: TypeList, value: OptionValue)?
        if let value = options[.canDie] {
            do {
                let list = try TypeList.parse(value.text)
                if let name = list.names.sorted().first(where: { !known.contains($0) }) {
                    errors.append(value.invalid(unknown(name), option: .canDie))
                } else {
                    canDie = (list, value)
                }
            } catch {
                errors.append(value.invalid(error.reason, option: .canDie))
            }
        }
        let global = Self.backoffValues(options.values, errors: &errors)

        var sections: [String: (section: TypeSection, backoff: BackoffValues, restart: RestartPolicy?, canDie: Bool?)] = [:]
        for section in options.sections {
            guard known.contains(section.type) else {
                errors.append(Diagnostic("\(section.file):\(section.line): \(unknown(section.type)) in section [\(section.type)]"))
                continue
            }
            var policy: RestartPolicy?
            if let value = section.values[.restart] {
                do { policy = try RestartSpec.policy(value.text) } catch {
                    errors.append(value.invalid(error.reason, option: .restart))
                }
            }
            var dies: Bool?
            if let value = section.values[.canDie] {
                dies = Switch.parse(value.text)
                if dies == nil { errors.append(value.invalid("must be true or false", option: .canDie)) }
            }
            sections[section.type] = (section, Self.backoffValues(section.values, errors: &errors), policy, dies)
        }

        var settings: [String: ProcessTypeSettings] = [:]
        for type in procfile.names {
            let section = sections[type]
            let fromCommandLine = restart?.value.isFromCommandLine ?? false
            let lineRestart = restart?.spec.policy(for: type)
            let policy = (fromCommandLine ? lineRestart : nil) ?? section?.restart ?? lineRestart ?? .no

            let canDieFromCommandLine = canDie?.value.isFromCommandLine ?? false
            let lineCanDie = canDie?.list.contains(type) == true ? true : nil
            let dies = (canDieFromCommandLine ? lineCanDie : nil) ?? section?.canDie ?? lineCanDie ?? false

            var backoff = Backoff()
            func pick(_ line: BackoffValues.Given?, _ inSection: BackoffValues.Given?, _ fallback: Int) -> Int {
                (line?.fromCommandLine == true ? line?.number : nil) ?? inSection?.number ?? line?.number ?? fallback
            }
            backoff.firstDelayMilliseconds = pick(global.firstDelay, section?.backoff.firstDelay, backoff.firstDelayMilliseconds)
            backoff.maximumDelayMilliseconds = pick(
                global.maximumDelay, section?.backoff.maximumDelay, backoff.maximumDelayMilliseconds)
            backoff.limit = pick(global.limit, section?.backoff.limit, backoff.limit)
            settings[type] = ProcessTypeSettings(restart: policy, canDie: dies, backoff: backoff)
        }
        return settings
    }

    /// The backoff numbers one source gives, each with whether it came from the command line.
    struct BackoffValues {
        typealias Given = (number: Int, fromCommandLine: Bool)
        var firstDelay: Given?
        var maximumDelay: Given?
        var limit: Given?
    }

    private static func backoffValues(_ values: [LaunchOption: OptionValue], errors: inout [Diagnostic]) -> BackoffValues {
        var result = BackoffValues()
        for option in [LaunchOption.restartDelay, .restartMaxDelay] {
            guard let value = values[option] else { continue }
            guard let milliseconds = Seconds.milliseconds(value.text) else {
                errors.append(value.invalid("must be a number of seconds such as 0.5", option: option))
                continue
            }
            let given = (milliseconds, value.isFromCommandLine)
            if option == .restartDelay { result.firstDelay = given } else { result.maximumDelay = given }
        }
        if let value = values[.restartLimit] {
            if let limit = WholeNumber.parse(value.text) {
                result.limit = (limit, value.isFromCommandLine)
            } else {
                errors.append(value.invalid("must be a whole number (0: no limit)", option: .restartLimit))
            }
        }
        return result
    }
}
