import DroverCore

/// drover(1) in troff's man macros, made from the descriptions `--help` prints, so the
/// page and the help cannot drift apart. `make man` writes it to docs/drover.1 through
/// the hidden `drover help --man`.
enum ManPage {
    static func render() -> String {
        var page = """
            .\\" drover(1), written by 'drover help --man' (make man) from the help texts; do not edit.
            .TH DROVER 1 "" "drover \(HelpText.version)" "User Commands"
            .nh
            .SH NAME
            drover \\- run the processes of a Procfile as one formation
            .SH SYNOPSIS
            .B drover
            .I command
            .RI [ options ]
            .br
            .B drover help
            .RI [ command ]
            .SH DESCRIPTION
            \(text(HelpText.overview))
            .PP
            \(paragraphs(HelpText.optionSources))
            .PP
            Long options take
            .B \\-\\-opt value
            or
            .BR \\-\\-opt=value ;
            short ones
            .B \\-f value
            or
            .BR \\-fvalue .
            .B \\-\\-
            ends the options.
            .SH COMMANDS

            """
        for command in CommandDescription.all {
            page += section(for: command)
        }
        page += closingSections
        return page
    }

    /// One command: summary, usage, discussion and options.
    private static func section(for command: CommandDescription) -> String {
        var text = ".SS \(quotedArgument(command.name))\n\(self.text(command.summary)).\n"
        text += ".PP\n.B Usage:\n\(literal(command.usage))\n"
        if !command.discussion.isEmpty {
            text += ".PP\n" + paragraphs(command.discussion) + "\n"
        }
        let shared = command.options.map { option in
            (option.shortFlag.map(String.init), option.rawValue, option.isFlag ? nil : option.valueName, HelpText.describe(option))
        }
        let local = command.local.filter { !$0.help.isEmpty }.map { ($0.short.map(String.init), $0.long, $0.valueName, $0.help) }
        let all = shared + local
        if !all.isEmpty {
            text += ".PP\nOptions:\n"
            for (short, long, value, help) in all + [("h", "help", nil, "Show this help")] {
                text += ".TP\n" + flags(short: short, long: long, value: value) + "\n" + self.text(help) + "\n"
            }
        }
        return text
    }

    /// `\fB\-f\fR, \fB\-\-procfile\fR \fIFILE\fR` for a `.TP` tag line.
    private static func flags(short: String?, long: String, value: String?) -> String {
        var line = short.map { "\\fB\\-\(literal($0))\\fR, " } ?? ""
        line += "\\fB\\-\\-\(literal(long))\\fR"
        if let value { line += " \\fI\(literal(value))\\fR" }
        return line
    }

    private static let closingSections = """
        .SH ENVIRONMENT
        .TP
        .B DROVER_SOCKET
        The control socket, when no \\fB\\-s\\fR is given (default: \\fI.drover.sock\\fR in the root).
        .TP
        .B NO_COLOR
        When set, \\fB\\-\\-color auto\\fR never colors.
        .TP
        .B TERM
        \\fB\\-\\-color auto\\fR colors only on a terminal whose \\fBTERM\\fR is not \\fBdumb\\fR;
        passed on to \\fB\\-\\-tty\\fR instances (\\fBxterm\\-256color\\fR if unset).
        .TP
        .B PORT
        The base port, when no \\fB\\-p\\fR is given: from the env files, else from the environment, else 5000.
        Each instance gets its own \\fBPORT\\fR.
        .TP
        .B PS
        Set for each instance to its name, such as \\fBweb.1\\fR.
        .TP
        .B DROVER_RUN
        Set for each instance to a value unique to one run of drover, by which its guardian
        recognizes the formation's processes.
        .TP
        .BR LISTEN_FDS ", " LISTEN_PID
        Set for the instances of \\fB\\-\\-listen\\fR types, whose socket is file descriptor 3.
        .SH FILES
        .TP
        .I Procfile
        The process types, one \\fIname\\fB: \\fIcommand\\fR per line.
        .TP
        .I .env
        Environment variables for the processes, in the root; \\fB\\-e\\fR names others.
        .TP
        .I .drover
        Defaults for the options, one \\fIoption\\fB=\\fIvalue\\fR per line, with \\fB[\\fITYPE\\fB]\\fR sections.
        .TP
        .I .foreman
        foreman's defaults file, read when there is no \\fI.drover\\fR.
        .TP
        .I .drover.sock
        The control socket of a running \\fBdrover start\\fR, in the root, with its lock file \\fI.drover.sock.lock\\fR.
        .SH EXIT STATUS
        .TP
        .B 0
        Success.
        .TP
        .B 1
        A bad Procfile, env file or \\fI.drover\\fR line; for \\fBstart\\fR, see its EXIT STATUS above.
        .TP
        .B 64
        A bad command line: an unknown command or option, a missing or invalid value.
        .TP
        .BR 126 ", " 127
        \\fBrun\\fR: the command cannot be executed, or was not found.
        .SH SEE ALSO
        .BR foreman (1),
        .BR systemd.service (5),
        .BR supervisord (1),
        .BR runsv (8)

        """

    /// Help text as troff paragraphs: a blank line starts a new one, and indented lines
    /// (examples) are kept as they are, in no-fill mode.
    static func paragraphs<S: StringProtocol>(_ source: S) -> String {
        var output: [String] = []
        var inExample = false
        for line in source.split(separator: "\n", omittingEmptySubsequences: false) {
            let isExample = line.hasPrefix("  ")
            if isExample != inExample {
                output += isExample ? [".PP", ".RS 4", ".nf"] : [".fi", ".RE"]
                inExample = isExample
            }
            if line.allSatisfy({ $0 == " " }) {
                output.append(".PP")
            } else {
                output.append(isExample ? literal(line.dropFirst(2)) : text(line))
            }
        }
        if inExample { output += [".fi", ".RE"] }
        // A blank line before an example is one paragraph break, not two.
        var lines: [String] = []
        for line in output where !(line == ".PP" && lines.last == ".PP") {
            lines.append(line)
        }
        return lines.joined(separator: "\n")
    }

    /// Prose: hyphens stay hyphens, except in words that are options (`--tty`, `-f`).
    static func text<S: StringProtocol>(_ source: S) -> String {
        var words: [String] = []
        for word in source.split(separator: " ", omittingEmptySubsequences: false) {
            let isOption = word.hasPrefix("-") || word.contains("--") || word.hasPrefix("'-") || word.hasPrefix("(-")
            words.append(escaped(word, hyphens: isOption))
        }
        return lineStart(words.joined(separator: " "))
    }

    /// Literal text (usage lines, examples): every hyphen is the ASCII one a user types.
    static func literal<S: StringProtocol>(_ source: S) -> String {
        lineStart(escaped(source, hyphens: true))
    }

    /// Backslashes as `\e`, hyphens as `\-` if asked, anything beyond ASCII as `\[uXXXX]`.
    private static func escaped<S: StringProtocol>(_ source: S, hyphens: Bool) -> String {
        var result = ""
        for scalar in source.unicodeScalars {
            switch scalar {
            case "\\": result += "\\e"
            case "-" where hyphens: result += "\\-"
            case _ where scalar.value > 0x7e || scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16, uppercase: true)
                result += "\\[u" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex + "]"
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result
    }

    /// A line starting with `.` or `'` would be a request: `\&` makes it text.
    private static func lineStart(_ line: String) -> String {
        line.hasPrefix(".") || line.hasPrefix("'") ? "\\&" + line : line
    }

    /// A macro argument in double quotes (`"` itself as `\(dq`).
    private static func quotedArgument(_ text: String) -> String {
        "\"" + escaped(text, hyphens: true).replacing("\"", with: "\\(dq") + "\""
    }
}
