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
        var ownLine: Set<String> = []
        for variable in formation.variables {
            let value = variable.value.description
            if value.unicodeScalars.contains("\r") {
                checks.fail(
                    "\(variable.location): the value of \(variable.name) holds a carriage return, which supervisord's "
                        + "config reader turns into a line break")
            } else if SupervisordSyntax.environmentValue(value) == nil {
                ownLine.insert(variable.name)
            }
        }
        let directory = SupervisordSyntax.plainValue(formation.root, checks: &checks, describing: "the root directory")
        let user = formation.user.map { SupervisordSyntax.plainValue($0, checks: &checks, describing: "the user (-u)") }
        let logDirectory = formation.logDirectory.map {
            SupervisordSyntax.plainValue($0, checks: &checks, describing: "the log directory (-l)")
        }
        try checks.finish()

        let app = formation.app
        var text = "# " + ExportMarker(format: .supervisord, app: app).sentence + "\n"
        var programs: [String] = []
        for (index, type) in formation.types.enumerated() {
            for instance in type.instances {
                let program = "\(app)-\(type.name)-\(instance.number)"
                programs.append(program)
                let environment = formation.environment(of: instance)
                let inline = environment.filter { !ownLine.contains($0.name) }
                let passed = environment.filter { ownLine.contains($0.name) }
                var arguments = ["/bin/sh", "-c", scripts[index]]
                if !passed.isEmpty {
                    // What environment= cannot hold exactly, env(1) sets from the command line.
                    arguments = ["/usr/bin/env"] + passed.map { "\($0.name)=\($0.value.description)" } + arguments
                    text += "\n# environment= cannot hold "
                        + passed.map(\.name).joined(separator: ", ") + " exactly: env(1) sets them in command=.\n"
                } else {
                    text += "\n"
                }
                text += "[program:\(program)]\n"
                text += "command=" + arguments.map(SupervisordSyntax.commandWord).joined(separator: " ") + "\n"
                text += "directory=\(directory)\n"
                if !inline.isEmpty {
                    text += "environment=" + inline.map {
                        SupervisordSyntax.percentDoubled($0.name) + "=" + (SupervisordSyntax.environmentValue($0.value.description) ?? "")
                    }.joined(separator: ",") + "\n"
                }
                if let user { text += "user=\(user)\n" }
                text += "autostart=true\n"
                switch type.settings.restart {
                case .always: text += "autorestart=true\n"
                case .onFailure: text += "autorestart=unexpected\nexitcodes=0\n"
                case .no: text += "autorestart=false\n"
                }
                let limit = type.settings.backoff.limit
                if type.settings.restart == .no {
                    // A one-shot that ends at once has run, not failed to start.
                    text += "startsecs=0\n"
                } else {
                    text += "startretries=\(limit == 0 ? Int(Int32.max) : limit)\n"
                }
                text += "stopsignal=TERM\n"
                text += "stopwaitsecs=\(formation.stopTimeoutSeconds)\n"
                // The signal, then SIGKILL, to the whole process group, as drover sends them.
                text += "stopasgroup=true\nkillasgroup=true\n"
                text += "redirect_stderr=true\n"
                if let logDirectory { text += "stdout_logfile=\(logDirectory)/\(program).log\n" }
            }
        }
        text += "\n[group:\(app)]\nprograms=" + programs.joined(separator: ",") + "\n"
        return [ExportedFile(path: fileName(app: app), text: text)]
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

    /// A path or name, taken as written once `%` is doubled; what configparser would
    /// strip or cut is refused.
    static func plainValue(_ text: String, checks: inout ExportChecks, describing what: String) -> String {
        if text.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) || hasCommentStart(text)
            || text.contains("%(") || text.first.map(isSpace) == true || text.last.map(isSpace) == true
        {
            checks.fail(
                "\(what) \"\(text)\" cannot be written in a supervisord config: it has blanks at an end, "
                    + "control characters, \"%(\" or a ; or # after a blank")
        }
        return percentDoubled(text)
    }
}
