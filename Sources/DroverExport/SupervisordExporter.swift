import DroverCore

/// `APP.conf`, for supervisord's `[include]`: one `[program:APP-TYPE-N]` per instance
/// (each has its own PORT and PS, which `numprocs` cannot give) and `[group:APP]`, so
/// `supervisorctl start|stop APP:*` drives the formation.
enum SupervisordExporter: Exporter {
    static func fileName(app: String) -> String { "\(app).conf" }

    static func files(for formation: ExportFormation) throws(Diagnostics) -> [ExportedFile] {
        var checks = ExportChecks("supervisord configs")
        checks.requireText(formation)
        let scripts = formation.types.map { checks.script(of: $0) }
        for (index, type) in formation.types.enumerated() where scripts[index].unicodeScalars.contains("\r") {
            checks.fail("\(type.commandLocation): the command of \(type.name) \(SupervisordSyntax.carriageReturn)")
        }
        var passedByEnv: Set<String> = []
        for variable in formation.variables {
            let value = variable.value.description
            if value.unicodeScalars.contains("\r") {
                checks.fail("\(variable.location): the value of \(variable.name) \(SupervisordSyntax.carriageReturn)")
            } else if SupervisordSyntax.environmentValue(value) == nil {
                passedByEnv.insert(variable.name)
            }
        }
        let settings = Settings(
            directory: SupervisordSyntax.plainValue(formation.root, checks: &checks) {
                Diagnostic("the root directory \"\($0)\": \($1)")
            },
            user: formation.user.map { value in
                SupervisordSyntax.plainValue(value.text, checks: &checks) { _, reason in value.invalid(reason, option: .user) }
            },
            logDirectory: formation.logDirectory.map { value in
                SupervisordSyntax.plainValue(value.text, checks: &checks) { _, reason in
                    value.invalid(reason, option: .logDirectory)
                }
            },
            stopSeconds: formation.stopTimeoutSeconds, passedByEnv: passedByEnv)
        try checks.finish()

        var text = ExportMarker(format: .supervisord, app: formation.app).line + "\n"
        var programs: [String] = []
        for (index, type) in formation.types.enumerated() {
            for instance in type.instances {
                let name = formation.instanceName(instance)
                programs.append(name)
                text +=
                    "\n"
                    + program(
                        name, type: type, script: scripts[index], environment: formation.environment(of: instance), settings)
            }
        }
        text += "\n[group:\(formation.app)]\nprograms=" + programs.joined(separator: ",") + "\n"
        return [ExportedFile(path: fileName(app: formation.app), text: text)]
    }

    /// What every program shares, written as supervisord reads it.
    struct Settings {
        var directory: String
        var user: String?
        var logDirectory: String?
        var stopSeconds: Int
        /// Variables `environment=` cannot hold exactly: env(1) sets them from `command=`.
        var passedByEnv: Set<String>
    }

    /// One `[program:NAME]` section, with a comment above it when some variables go by env(1).
    private static func program(
        _ name: String, type: ExportedType, script: String, environment: [EnvironmentVariable], _ settings: Settings
    ) -> String {
        let inline = environment.filter { !settings.passedByEnv.contains($0.name) }
        let passed = environment.filter { settings.passedByEnv.contains($0.name) }
        // As under start, where supervisord (Python) differs: env(1) gives SIGPIPE back its
        // default action (Python ignores it, and a shell cannot undo an ignored signal),
        // and sets what environment= cannot hold; a first shell swaps supervisord's stdin
        // pipe (kept for `supervisorctl fg`) for /dev/null, then becomes, by exec, the
        // `/bin/sh -c SCRIPT` start runs.
        let arguments =
            ["/usr/bin/env", "--default-signal=PIPE"] + passed.map { "\($0.name)=\($0.value.description)" }
            + ["/bin/sh", "-c", SupervisordSyntax.nullStandardInput, script]
        var text = ""
        if !passed.isEmpty {
            text +=
                "# environment= cannot hold " + passed.map(\.name).joined(separator: ", ")
                + " exactly: env(1) sets them in command=.\n"
        }
        text += "[program:\(name)]\n"
        text += "command=" + arguments.map(SupervisordSyntax.commandWord).joined(separator: " ") + "\n"
        text += "directory=\(settings.directory)\n"
        if !inline.isEmpty {
            let pairs = inline.map {
                let value = SupervisordSyntax.environmentValue($0.value.description) ?? ""
                return $0.name + "=" + value
            }
            text += "environment=" + pairs.joined(separator: ",") + "\n"
        }
        if let user = settings.user { text += "user=\(user)\n" }
        text += "autostart=true\n"
        switch type.settings.restart {
        case .always: text += "autorestart=true\n"
        case .onFailure: text += "autorestart=unexpected\nexitcodes=0\n"
        case .no: text += "autorestart=false\n"
        }
        if type.settings.restart == .always {
            // drover's rule: a run shorter than this is a failure, and too many in a row give up.
            text += "startsecs=\(Seconds.roundedUp(milliseconds: type.settings.backoff.healthyAfterMilliseconds))\n"
            text += "startretries=\(type.restartLimitCount)\n"
        } else {
            // An exit 0 within startsecs would be "exited too quickly" and retried: for a
            // one-shot, or on-failure's success, ending at once is having run.
            text += "startsecs=0\n"
        }
        text += "stopsignal=TERM\nstopwaitsecs=\(settings.stopSeconds)\n"
        // The signal, then SIGKILL, to the whole process group, as drover sends them.
        text += "stopasgroup=true\nkillasgroup=true\nredirect_stderr=true\n"
        if let log = settings.logDirectory { text += "stdout_logfile=\(log)/\(name).log\n" }
        return text
    }
}

/// How supervisor 4 reads its config, as measured (docs/export.md): configparser
/// first (a `;` or `#` after a blank starts a comment, lines are stripped, indented
/// lines continue the value), then `%(name)s` expansion, then each option's parser.
enum SupervisordSyntax {
    static func percentDoubled(_ text: String) -> String { text.replacing("%", with: "%%") }

    /// One word of `command=`, which is split like a POSIX shell line: in single quotes,
    /// with `'`, `;`, `#`, `%` and line breaks written so that no step above changes them.
    static func commandWord(_ text: String) -> String {
        var word = "'"
        var previous: Character?
        var characters = text.makeIterator()
        var next = characters.next()
        while let current = next {
            next = characters.next()
            switch current {
            case "'": word += "'\\''"
            // After a blank a ; or # would start a comment: out of the quotes and escaped.
            case ";" where previous.map(isSpace) == true: word += "'\\;'"
            case "#" where previous.map(isSpace) == true: word += "'\\#'"
            // `%%(here)s` would still meet the plain `%(here)s` replacement of included files.
            case "%": word += next == "(" ? "%%''" : "%%"
            // In double quotes across the line break; the indented line continues the value.
            case "\n": word += "'\"\n    \"'"
            default: word.append(current)
            }
            previous = current
        }
        return word + "'"
    }

    /// `"value"` (or `'value'` when it holds `"`) for `environment=`, whose lexer knows
    /// no escapes; nil when no quoting holds the value exactly.
    static func environmentValue(_ value: String) -> String? {
        let quote: Character = value.contains("\"") ? "'" : "\""
        guard !(value.contains("\"") && value.contains("'")),
            value.first != "\"", value.first != "'", value.last != "\"", value.last != "'",
            !value.contains("%("), !value.unicodeScalars.contains("\r"), !hasCommentStart(value)
        else { return nil }
        let lines = value.split(separator: "\n", omittingEmptySubsequences: false)
        if lines.count > 1 {
            // Each line is stripped, and a continuation starting with ; or # is a comment.
            for (index, line) in lines.enumerated() {
                if index > 0, line.first.map(isSpace) == true || line.first == ";" || line.first == "#" { return nil }
                if index < lines.count - 1, line.last.map(isSpace) == true { return nil }
            }
        }
        let body = lines.map { percentDoubled(String($0)) }.joined(separator: "\n    ")
        return String(quote) + body + String(quote)
    }

    /// A `;` or `#` right after a blank: configparser ends the value there.
    static func hasCommentStart(_ text: String) -> Bool {
        var previous: Character?
        for character in text {
            if character == ";" || character == "#", previous.map(isSpace) == true { return true }
            previous = character
        }
        return false
    }

    /// What Python's `str.isspace` (configparser's strip and comment rule) calls a blank:
    /// Unicode's white space, and the separators U+001C to U+001F.
    static func isSpace(_ character: Character) -> Bool {
        character.isWhitespace || character.unicodeScalars.contains { (0x1C...0x1F).contains($0.value) }
    }

    /// The first shell's script: `$0` is the instance's script.
    static let nullStandardInput = "exec </dev/null; exec /bin/sh -c \"$0\""

    /// Why a carriage return is refused everywhere in the config.
    static let carriageReturn = "holds a carriage return, which supervisord's config reader turns into a line break"

    /// A path or name, taken as written once `%` is doubled; what configparser would
    /// strip or cut is refused, `message(text, reason)` wording the error.
    static func plainValue(_ text: String, checks: inout ExportChecks, message: (String, String) -> Diagnostic) -> String {
        if text.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) || hasCommentStart(text)
            || text.contains("%(") || text.first.map(isSpace) == true || text.last.map(isSpace) == true
        {
            checks.fail(
                message(
                    text,
                    "a supervisord config cannot hold blanks at its ends, control characters, \"%(\" or a ; or # after a blank"))
        }
        return percentDoubled(text)
    }
}
