import DroverCore

/// `APP.target`, and one `APP-TYPE.N.service` per instance (foreman's names), each
/// `PartOf` and `WantedBy` the target, so `systemctl start|stop|restart APP.target`
/// drives the whole formation.
///
/// One unit per instance rather than a template: an instance's PORT and PS are
/// `base + 100 × entry + n − 1` and `TYPE.n`, which no `%i` can compute, and a
/// unit with every value written out is one a reader can check.
enum SystemdExporter: Exporter {
    static func unitName(app: String, type: String, number: Int) -> String { "\(app)-\(type).\(number).service" }

    static func files(for formation: ExportFormation) throws(Diagnostics) -> [ExportedFile] {
        var checks = ExportChecks("systemd units")
        checks.requireText(formation)
        for variable in formation.variables where !SystemdSyntax.isVariableName(variable.name) {
            checks.fail(
                "\(variable.location): systemd cannot set \(variable.name): its variable names are letters, "
                    + "digits and _, not starting with a digit")
        }
        let root = SystemdSyntax.literal(formation.root, checks: &checks, describing: "the root directory")
        let user = formation.user.map { SystemdSyntax.literal($0, checks: &checks, describing: "the user (-u)") }
        let logDirectory = formation.logDirectory.map {
            SystemdSyntax.literal($0, checks: &checks, describing: "the log directory (-l)")
        }
        try checks.finish()

        let app = formation.app
        let marker = "# " + ExportMarker(format: .systemd, app: app).sentence + "\n"
        var files: [ExportedFile] = []
        var units: [String] = []
        for type in formation.types {
            let restart = SystemdSyntax.restart(type.settings.restart)
            let command = SystemdSyntax.execWord(type.script.bytes)
            for instance in type.instances {
                let unit = unitName(app: app, type: type.name, number: instance.number)
                units.append(unit)
                var lines = [
                    "[Unit]",
                    "Description=\(app) \(instance.name)",
                    "PartOf=\(app).target",
                ]
                // drover's limit 0 (never give up): systemd's start limit would stop a crash loop.
                if type.settings.backoff.limit == 0 && type.settings.restart != .no { lines.append("StartLimitIntervalSec=0") }
                lines += ["", "[Service]", "Type=simple"]
                if let user { lines.append("User=\(user)") }
                lines.append("WorkingDirectory=\(root)")
                lines += formation.environment(of: instance).map {
                    "Environment=" + SystemdSyntax.environmentWord(name: $0.name, value: $0.value.description)
                }
                lines.append("ExecStart=/bin/sh -c \(command)")
                lines.append("Restart=\(restart)")
                lines.append("RestartSec=\(SystemdSyntax.timeSpan(milliseconds: type.settings.backoff.firstDelayMilliseconds))")
                // SIGTERM to every process of the unit, as drover signals a whole group;
                // SIGKILL to whatever is left after the timeout.
                lines.append("KillMode=control-group")
                lines.append("TimeoutStopSec=\(SystemdSyntax.timeSpan(milliseconds: max(1, formation.stopTimeoutMilliseconds)))")
                lines.append("SyslogIdentifier=\(app)-\(instance.name)")
                if let logDirectory {
                    if let managed = SystemdSyntax.logsDirectory(logDirectory) { lines.append("LogsDirectory=\(managed)") }
                    lines.append("StandardOutput=append:\(logDirectory)/\(app)-\(instance.name).log")
                    lines.append("StandardError=inherit")
                }
                lines += ["", "[Install]", "WantedBy=\(app).target"]
                files.append(ExportedFile(path: unit, text: marker + lines.joined(separator: "\n") + "\n"))
            }
        }
        let target = [
            "[Unit]",
            "Description=\(app) (drover export)",
        ] + units.map { "Wants=\($0)" } + ["", "[Install]", "WantedBy=multi-user.target"]
        files.insert(ExportedFile(path: "\(app).target", text: marker + target.joined(separator: "\n") + "\n"), at: 0)
        return files
    }
}

/// How systemd 252 reads unit files, as measured with a real systemd (docs/export.md).
enum SystemdSyntax {
    /// `[A-Za-z_][A-Za-z0-9_]*`: anything else in `Environment=` is dropped with a warning.
    static func isVariableName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, !("0"..."9").contains(first) else { return false }
        return name.unicodeScalars.allSatisfy {
            ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || $0 == "_"
        }
    }

    /// `"NAME=value"`: one C-unescaped word, then `%` specifiers expanded; `$` is never
    /// expanded here. Control characters travel as `\xHH`, newlines included.
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
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    word += "\\x" + YAML.hex(scalar.value, digits: 2).lowercased()
                } else {
                    word.unicodeScalars.append(scalar)
                }
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
            case _ where byte < 0x20 || byte == 0x7F || (byte >= 0x80 && !isText):
                word += Array(("\\x" + YAML.hex(UInt32(byte), digits: 2).lowercased()).utf8)
            default: word.append(byte)
            }
        }
        word.append(0x22)
        return String(decoding: word, as: UTF8.self)
    }

    /// A value systemd takes literally but for `%` specifiers (paths, the user): no
    /// quoting exists, so what trimming or a line break would change is refused.
    static func literal(_ text: String, checks: inout ExportChecks, describing what: String) -> String {
        if text.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F })
            || text.first?.isWhitespace == true || text.last?.isWhitespace == true
        {
            checks.fail("\(what) \"\(text)\" cannot be written in a systemd unit: it has blanks at an end or control characters")
        }
        return text.replacing("%", with: "%%")
    }

    static func restart(_ policy: RestartPolicy) -> String {
        switch policy {
        case .no: "no"
        case .onFailure: "on-failure"
        case .always: "always"
        }
    }

    /// `5s`, `0.1s`: systemd reads fractions of seconds.
    static func timeSpan(milliseconds: Int) -> String { Seconds.text(milliseconds: milliseconds) }

    /// For a log directory under /var/log, `LogsDirectory=` makes it (owned by `User=`)
    /// before the service starts; elsewhere the directory must exist.
    static func logsDirectory(_ path: String) -> String? {
        let prefix = "/var/log/"
        guard path.hasPrefix(prefix), path.count > prefix.count else { return nil }
        return String(path.dropFirst(prefix.count))
    }
}
