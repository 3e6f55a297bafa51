import Testing

@testable import DroverCore

@Suite struct ShellCommandTests {
    struct Example: Sendable, CustomTestStringConvertible {
        let command: String
        /// The script with the trap prefix written as `TRAPS `.
        let script: String
        var testDescription: String { command }
    }

    static let traps = String(decoding: ShellCommand.keepShellPrefix, as: UTF8.self)

    /// Commands the program replaces the shell in (`exec` in front of the last program).
    static let replaced: [Example] = [
        Example(command: "bundle exec puma -p $PORT", script: "exec bundle exec puma -p $PORT"),
        Example(command: "python3 -m http.server \"$PORT\"", script: "exec python3 -m http.server \"$PORT\""),
        Example(command: "ruby app.rb > log/web.log 2>&1", script: "exec ruby app.rb > log/web.log 2>&1"),
        Example(command: ">log 2>&1 ruby app.rb", script: ">log 2>&1 exec ruby app.rb"),
        Example(command: "FOO=1 BAR=\"a b\" prog --x", script: "FOO=1 BAR=\"a b\" exec prog --x"),
        Example(command: "FOO=$HOME/x prog", script: "FOO=$HOME/x exec prog"),
        Example(
            command: "prog ${A:-$(echo \"b)\")} `date` $((1 + 2))",
            script: "TRAPS exec prog ${A:-$(echo \"b)\")} `date` $((1 + 2))"),
        Example(command: "prog ${A:-b} \"${B}\"", script: "exec prog ${A:-b} \"${B}\""),
        Example(command: "'my prog' 'a;b' \"c|d\" e\\&f", script: "exec 'my prog' 'a;b' \"c|d\" e\\&f"),
        Example(command: "prog # a comment; with | things", script: "exec prog # a comment; with | things"),
        Example(command: "prog;", script: "exec prog;"),
        Example(command: "cd web && bin/server", script: "cd web && exec bin/server"),
        Example(command: "true && false || prog", script: "true && false || exec prog"),
        Example(command: "export A=1; echo hi; prog", script: "export A=1; echo hi; exec prog"),
        Example(command: "cd x&&prog", script: "cd x&&exec prog"),
        Example(command: "FOO=1 && >log && prog", script: "FOO=1 && >log && exec prog"),
        // The shell waits on an earlier program, or a substitution, before the exec: traps.
        Example(command: "bin/migrate && bin/server", script: "TRAPS bin/migrate && exec bin/server"),
        Example(command: "$SETUP; prog", script: "TRAPS $SETUP; exec prog"),
        Example(command: "cd $(dirname x) && prog", script: "TRAPS cd $(dirname x) && exec prog"),
        Example(command: "X=`date` prog", script: "TRAPS X=`date` exec prog"),
    ]

    /// Commands run as written: the user wrote `exec` already.
    static let asWritten: [Example] = [
        Example(command: "exec prog", script: "exec prog"),
        Example(command: "FOO=1 exec prog", script: "FOO=1 exec prog"),
        Example(command: "cd x && exec prog", script: "cd x && exec prog"),
        Example(command: "sleep 1 && exec prog", script: "TRAPS sleep 1 && exec prog"),
    ]

    /// Commands the shell must stay for: it gets the traps instead.
    static let kept: [String] = [
        "a | b", "a & b", "a &", "(a)", "{ a; }", "! a", "if a; then b; fi", "while :; do a; done",
        "for i in 1; do a; done", "case x in a) b;; esac", "a <<EOF", "a\\\nb", "a\nb", "'a", "\"a", "$(a",
        "a `b", "${a", "cd x", "echo hi", ": ", "exit 3", "a && cd x", "FOO=1", ">log", "a &&", "&& a", "a;;",
        "$CMD args", "\"$PROG\" x", "a > ", "f() { a; }", "a || (b)", "a; b &", "a |& b", "a &> log",
    ]

    @Test(arguments: replaced + asWritten)
    func execsTheProgram(_ example: Example) {
        let expected = example.script.replacingOccurrences(of: "TRAPS ", with: Self.traps)
        #expect(ShellCommand.script(for: example.command) == expected)
    }

    @Test(arguments: kept)
    func keepsTheShellWithTraps(_ command: String) {
        #expect(ShellCommand.script(for: command) == Self.traps + command)
    }

    @Test(arguments: [
        ("puma -p $PORT", true), ("puma -p ${PORT}", true), ("x ${PORT:-5000}", true), ("x ${PORT-1}", true),
        ("echo $PORT.", true), ("a=$PORT", true), ("$PORT", true), ("x \"$PORT\"", true),
        ("echo $PORTS", false), ("echo ${PORTS}", false), ("echo $port", false), ("echo PORT", false),
        ("echo $ PORT", false), ("echo $", false), ("echo ${PORT", false), ("$SPORT", false),
    ])
    func referencesAVariable(command: String, references: Bool) {
        #expect(ShellCommand.references("PORT", in: Array(command.utf8)) == references)
    }

    @Test func bytesThatAreNotUTF8SurviveTheRewrite() {
        let command: [UInt8] = Array("prog '".utf8) + [0xE9] + Array("' > out".utf8)
        #expect(ShellCommand.script(for: command) == Array("exec ".utf8) + command)
    }
}

extension String {
    fileprivate func replacingOccurrences(of target: String, with replacement: String) -> String {
        split(separator: target, omittingEmptySubsequences: false).joined(separator: replacement)
    }
}
