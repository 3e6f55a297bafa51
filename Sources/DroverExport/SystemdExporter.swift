import DroverCore

/// `APP.target`, and one `APP-TYPE.N.service` per instance (foreman's names), each
/// `PartOf` and `WantedBy` the target, so `systemctl start|stop|restart APP.target`
/// drives the whole formation.
///
/// One unit per instance rather than a template: an instance's PORT and PS are
/// `base + 100 × entry + n − 1` and `TYPE.n`, which no `%i` can compute, and a
/// unit with every value written out is one a reader can check.
enum SystemdExporter: Exporter {
    static func unitName(app: String, instance: PlannedInstance) -> String { "\(app)-\(instance.name).service" }

    static func files(for formation: ExportFormation) throws(Diagnostics) -> [ExportedFile] {
        var checks = ExportChecks("systemd units")
        checks.requireText(formation)
        for variable in formation.variables where !ShellName.isValid(variable.name) {
            checks.fail(
                "\(variable.location): systemd cannot set \(variable.name): its variable names are letters, "
                    + "digits and _, not starting with a digit")
        }
        let root = SystemdSyntax.literal(formation.root, checks: &checks) { Diagnostic("the root directory \"\($0)\": \($1)") }
        let user = formation.user.map { value in
            SystemdSyntax.literal(value.text, checks: &checks) { _, reason in value.invalid(reason, option: .user) }
        }
        let logDirectory = formation.logDirectory.map { value in
            SystemdSyntax.literal(value.text, checks: &checks) { _, reason in value.invalid(reason, option: .logDirectory) }
        }
        try checks.finish()

        let app = formation.app
        let marker = ExportMarker(format: .systemd, app: app).line + "\n"
        var units: [ExportedFile] = []
        // Each instance has the env files' variables: escape them once, not once an instance.
        var shared: [String: String] = [:]
        for variable in formation.variables {
            shared[variable.name] = "Environment=" + SystemdSyntax.environmentWord(name: variable.name, value: variable.value.description)
        }
        for type in formation.types {
            let command = SystemdSyntax.execWord(type.script.bytes)
            for instance in type.instances {
                var lines = ["[Unit]", "Description=\(app) \(instance.name)", "PartOf=\(app).target"]
                lines += SystemdSyntax.startLimit(type.settings)
                lines += ["", "[Service]", "Type=simple"]
                if let user { lines.append("User=\(user)") }
                lines.append("WorkingDirectory=\(root)")
                lines += formation.environment(of: instance).map { variable in
                    let own = variable.name == "PORT" || variable.name == "PS"
                    return (own ? nil : shared[variable.name])
                        ?? "Environment=" + SystemdSyntax.environmentWord(name: variable.name, value: variable.value.description)
                }
                lines += [
                    "ExecStart=/bin/sh -c \(command)",
                    // As under start: a pipe's writer dies of SIGPIPE (systemd would ignore it).
                    "IgnoreSIGPIPE=no",
                    "Restart=\(type.settings.restart.rawValue)",
                    "RestartSec=\(Seconds.text(milliseconds: type.settings.backoff.firstDelayMilliseconds))",
                ]
                if type.settings.restart == .onFailure {
                    // systemd counts these deaths as clean; drover's on-failure restarts after any signal.
                    lines.append("RestartForceExitStatus=SIGHUP SIGINT SIGTERM SIGPIPE")
                }
                lines += [
                    // SIGTERM to every process of the unit, as drover signals a whole group;
                    // SIGKILL to whatever is left after the timeout (0 would mean none).
                    "KillMode=control-group",
                    "TimeoutStopSec=\(Seconds.text(milliseconds: max(1, formation.stopTimeoutMilliseconds)))",
                    "SyslogIdentifier=\(app)-\(instance.name)",
                ]
                if let logDirectory {
                    if let managed = SystemdSyntax.logsDirectory(logDirectory) { lines.append("LogsDirectory=\(managed)") }
                    lines += ["StandardOutput=append:\(logDirectory)/\(app)-\(instance.name).log", "StandardError=inherit"]
                }
                lines += ["", "[Install]", "WantedBy=\(app).target"]
                units.append(
                    ExportedFile(
                        path: unitName(app: app, instance: instance), text: marker + lines.joined(separator: "\n") + "\n"))
            }
        }
        let target =
            ["[Unit]", "Description=\(app) (drover export)"] + units.map { "Wants=\($0.path)" }
            + ["", "[Install]", "WantedBy=multi-user.target"]
        return [ExportedFile(path: "\(app).target", text: marker + target.joined(separator: "\n") + "\n")] + units
    }
}

/// How systemd 252 reads unit files, as measured with a real systemd (docs/export.md).
enum SystemdSyntax {
    /// `"NAME=value"`: one C-unescaped word, then `%` specifiers expanded; `$` is never
    /// expanded here. Control characters travel as escapes, newlines included.
    static func environmentWord(name: String, value: String) -> String {
        var word = "\"" + name + "="
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\\": word += "\\\\"
            case "\"": word += "\\\""
            case "%": word += "%%"
            case "\n": word += "\\n"
            case "\t": word += "\\t"
            case "\r": word += "\\r"
            case _ where scalar.value < 0x20 || scalar.value == 0x7F: word += Hex.escape(scalar.value)
            default: word.unicodeScalars.append(scalar)
            }
        }
        return word + "\""
    }

    /// One quoted word of `ExecStart=` that reaches the program byte for byte: C
    /// escapes are undone, `%%` and `$$` give `%` and `$`. Bytes that are not UTF-8
    /// travel as `\xHH`, so the unit file itself stays UTF-8.
    static func execWord(_ bytes: [UInt8]) -> String {
        let isText = String(validating: bytes, as: UTF8.self) != nil
        var word: [UInt8] = [0x22]
        for byte in bytes {
            switch byte {
            case 0x5C: word += [0x5C, 0x5C]
            case 0x22: word += [0x5C, 0x22]
            case 0x24: word += [0x24, 0x24]
            case 0x25: word += [0x25, 0x25]
            case 0x0A: word += [0x5C, 0x6E]
            case _ where byte < 0x20 || byte == 0x7F || (byte >= 0x80 && !isText): word += Array(Hex.escape(UInt32(byte)).utf8)
            default: word.append(byte)
            }
        }
        word.append(0x22)
        return String(decoding: word, as: UTF8.self)
    }

    /// A value systemd takes literally but for `%` specifiers (paths, the user): no
    /// quoting exists, so what its trimming or a line break would change is refused;
    /// `message(text, reason)` words the error.
    static func literal(
        _ text: String, checks: inout ExportChecks, message: (String, String) -> Diagnostic
    ) -> String {
        if text.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F })
            || text.first?.isWhitespace == true || text.last?.isWhitespace == true
        {
            checks.fail(message(text, "a systemd unit cannot hold blanks at its ends or control characters"))
        }
        return text.replacing("%", with: "%%")
    }

    /// drover gives up after `limit` restarts that each followed a run shorter than
    /// 10 s; systemd after too many starts in an interval. `limit + 1` starts within
    /// `limit + 1` such runs is that rule as nearly as systemd can say it; a limit of
    /// 0 never gives up.
    static func startLimit(_ settings: ProcessTypeSettings) -> [String] {
        guard settings.restart != .no else { return [] }
        let limit = settings.backoff.limit
        guard limit > 0 else { return ["StartLimitIntervalSec=0"] }
        let window = (limit + 1) * (settings.backoff.healthyAfterMilliseconds + settings.backoff.firstDelayMilliseconds)
        return ["StartLimitIntervalSec=\(Seconds.text(milliseconds: window))", "StartLimitBurst=\(limit + 1)"]
    }

    /// For a log directory under /var/log, `LogsDirectory=` makes it (owned by `User=`)
    /// before the service starts. The setting is a list, and unquoted: only a plain
    /// path (letters, digits, `_ . / -`) is written there; elsewhere the directory
    /// must exist.
    static func logsDirectory(_ path: String) -> String? {
        let prefix = "/var/log/"
        let relative = path.dropFirst(prefix.count)
        guard path.hasPrefix(prefix), !relative.isEmpty,
            relative.unicodeScalars.allSatisfy({
                $0.isASCII && (ShellName.isContinuation(UInt8($0.value)) || "./-".unicodeScalars.contains($0))
            }),
            !relative.split(separator: "/").contains("..")
        else { return nil }
        return String(relative)
    }
}
