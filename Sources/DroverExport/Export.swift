import DroverCore

/// `drover export`'s entry: which files a format writes for a formation.
public enum Export {
    /// Every file `format` writes for `formation`, each opening with the app's marker;
    /// or every reason it cannot (a value the format cannot hold, a flag it has no
    /// use for), each at its file and line or its flag.
    public static func files(_ format: ExportFormat, for formation: ExportFormation) throws(Diagnostics) -> [ExportedFile] {
        var formation = formation
        formation.types.removeAll { $0.instances.isEmpty }
        var problems: [Diagnostic] = []
        if formation.types.isEmpty {
            problems.append(Diagnostic("nothing to export: the formation has no instances (every count of -m is 0?)"))
        }
        if let user = formation.user, let problem = UserName.problem(with: user.text, format: format) {
            problems.append(user.invalid(problem, option: .user))
        }
        // On the command line, a flag the format has no use for is a mistake; in a
        // defaults file, which every format reads, it is only another format's.
        if let image = formation.image, !format.runsContainers {
            if case let .commandLine(flag) = image.origin {
                problems.append(Diagnostic("\(flag) is for kubernetes and compose, not \(format.rawValue)", kind: .usage))
            }
            formation.image = nil
        } else if let image = formation.image,
            image.text.isEmpty || image.text.unicodeScalars.contains(where: { $0.value <= 0x20 || $0.value == 0x7F })
        {
            problems.append(image.invalid("an image name has no blanks or control characters", option: .image))
        }
        if let log = formation.logDirectory, !format.writesLogFiles {
            if case let .commandLine(flag) = log.origin {
                problems.append(
                    Diagnostic(
                        "\(flag) is for formats that write log files; \(format.rawValue) leaves the output to the container runtime",
                        kind: .usage))
            }
            formation.logDirectory = nil
        } else if let log = formation.logDirectory, log.text.isEmpty {
            problems.append(log.invalid("a log directory cannot be empty", option: .logDirectory))
        }
        guard problems.isEmpty else { throw Diagnostics(problems) }
        return try format.exporter.files(for: formation)
    }
}

extension ExportFormat {
    /// Kubernetes and Compose run images; `--image` is theirs.
    public var runsContainers: Bool { self == .kubernetes || self == .compose }

    /// Whether `-l` means anything: container formats leave output to the runtime.
    public var writesLogFiles: Bool { !runsContainers }

    /// Whether `name` has the shape of an entry this format writes for `app`: only
    /// such an entry (with the app's marker) is ever replaced or removed, so a copy
    /// such as `shop.target.bak` or `shop-web-1.old/` is left alone.
    public func writesName(_ name: String, app: String) -> Bool {
        switch self {
        case .systemd:
            return name == "\(app).target" || Self.isInstanceName(name, app: app, separator: ".", suffix: ".service")
        case .supervisord: return name == SupervisordExporter.fileName(app: app)
        case .runit: return Self.isInstanceName(name, app: app, separator: "-", suffix: "")
        case .launchd: return Self.isInstanceName(name, app: app, separator: "-", suffix: ".plist")
        case .kubernetes: return name == KubernetesExporter.fileName(app: app)
        case .compose: return name == ComposeExporter.fileName
        }
    }

    /// `APP-TYPE` + separator + `N` + suffix, TYPE a Procfile name and N a number.
    private static func isInstanceName(_ name: String, app: String, separator: Character, suffix: String) -> Bool {
        guard name.hasPrefix(app + "-"), name.hasSuffix(suffix) else { return false }
        let middle = name.dropFirst(app.count + 1).dropLast(suffix.count)
        guard let split = middle.lastIndex(of: separator) else { return false }
        let number = middle[middle.index(after: split)...]
        return Procfile.isValidName(String(middle[..<split])) && WholeNumber.isDigits(number) && number.first != "0"
    }

    /// For a directory of the location: the file inside it that carries the marker
    /// (runit's service directories are marked by their `run`); nil where this format
    /// writes no directories.
    public var markedFileInDirectory: String? { self == .runit ? "run" : nil }

    /// Why this format cannot carry a restart setting for `formation`, for a note when the
    /// command line gives one; nil where it does (docs/export.md has the table).
    public func cannotCarry(_ option: LaunchOption, for formation: ExportFormation) -> String? {
        let policies = Set(formation.types.map(\.settings.restart))
        switch (self, option) {
        case (.systemd, .restartDelay), (.launchd, .restartDelay), (.systemd, .restartLimit):
            return nil
        case (.supervisord, .restartLimit):
            // startretries counts runs shorter than startsecs, which on-failure cannot have.
            return policies.contains(.always) ? nil : "an on-failure program restarts without a limit"
        case (.kubernetes, .restartLimit):
            // A Job's backoffLimit holds it; a Deployment restarts without one.
            return policies.contains(.onFailure) ? nil : "a Deployment restarts without a limit"
        case (.compose, .restartLimit):
            return policies.contains(.onFailure) ? nil : "restart: always has no limit"
        case (.supervisord, .restartDelay), (.supervisord, .restartMaxDelay):
            return "supervisord restarts at once"
        case (.runit, .restartDelay), (.runit, .restartMaxDelay):
            return "runsv restarts after a second"
        case (.kubernetes, .restartDelay), (.kubernetes, .restartMaxDelay):
            return "the kubelet has its own back-off"
        case (.compose, .restartDelay), (.compose, .restartMaxDelay):
            return "Docker has its own back-off"
        case (.systemd, .restartMaxDelay), (.launchd, .restartMaxDelay):
            return "\(rawValue) waits the same delay before every restart"
        case (.runit, .restartLimit): return "runsv restarts without a limit"
        case (.launchd, .restartLimit): return "launchd restarts without a limit"
        default: return nil
        }
    }

    /// What to tell the user about removed files this format keeps running: systemd
    /// and launchd keep a job whose file is gone (runsvdir and `supervisorctl update`
    /// stop theirs). nil when there is nothing to say.
    public func stopHint(forRemoved names: [String]) -> String? {
        switch self {
        case .systemd:
            let units = names.filter { $0.hasSuffix(".service") }
            return units.isEmpty ? nil : "systemd runs removed units until they are stopped: systemctl stop \(units.joined(separator: " "))"
        case .launchd:
            let labels = names.filter { $0.hasSuffix(".plist") }.map { String($0.dropLast(".plist".count)) }
            return labels.isEmpty
                ? nil : "launchd runs removed jobs until they are removed: launchctl remove \(labels.joined(separator: " "))"
        case .supervisord, .runit, .kubernetes, .compose:
            return nil
        }
    }

    /// Formats that make no directory for their log files, so `-l` must name one that exists
    /// where they run (systemd makes one under /var/log, runit's log/run makes its own).
    public var needsExistingLogDirectory: Bool { self == .supervisord || self == .launchd }

    /// What an exported directory holds that is the export's alone, so whatever of it
    /// the export no longer writes is removed: runit's `env/` (a stale file would still
    /// set its variable) and `finish` (only some restart policies have one).
    public var ownedInDirectories: [String] { self == .runit ? ["env/", "finish"] : [] }
}
