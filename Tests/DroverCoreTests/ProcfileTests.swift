import DroverCore
import Testing

@Suite struct ProcfileTests {
    struct Valid: Sendable, CustomTestStringConvertible {
        let label: String
        let text: String
        let entries: [(String, String, Int)]
        var testDescription: String { label }
    }

    static let valid: [Valid] = [
        Valid(
            label: "simple", text: "web: bundle exec puma\nworker: rake jobs\n",
            entries: [("web", "bundle exec puma", 1), ("worker", "rake jobs", 2)]),
        Valid(label: "no space after colon", text: "web:run", entries: [("web", "run", 1)]),
        Valid(
            label: "comments and blanks skipped", text: "# top\n\n   \n  # indented\nweb: a\n",
            entries: [("web", "a", 5)]),
        Valid(label: "CRLF", text: "web: a\r\nworker: b\r\n", entries: [("web", "a", 1), ("worker", "b", 2)]),
        Valid(
            label: "command keeps colons", text: "web: env X=1 sh -c 'echo a:b' # not a comment",
            entries: [("web", "env X=1 sh -c 'echo a:b' # not a comment", 1)]),
        Valid(label: "command trimmed", text: "web:\t  run it  \t", entries: [("web", "run it", 1)]),
        Valid(label: "name characters", text: "web_2-x: a\nA9: b", entries: [("web_2-x", "a", 1), ("A9", "b", 2)]),
        Valid(label: "no final newline", text: "a: 1\nb: 2", entries: [("a", "1", 1), ("b", "2", 2)]),
        Valid(label: "order kept", text: "z: 1\na: 2\nm: 3", entries: [("z", "1", 1), ("a", "2", 2), ("m", "3", 3)]),
    ]

    @Test(arguments: valid)
    func parsesEntries(_ example: Valid) throws {
        let procfile = try Procfile.parse(example.text, file: "Procfile").get()
        #expect(procfile.entries.map(\.name) == example.entries.map(\.0))
        #expect(procfile.entries.map(\.command.description) == example.entries.map(\.1))
        #expect(procfile.entries.map(\.line) == example.entries.map(\.2))
    }

    static let invalid: [(String, [String])] = [
        ("web bundle exec puma\n", [#"Procfile:1: expected "name: command", got "web bundle exec puma""#]),
        (
            "web: a\nweb bundle exec puma\n",
            [#"Procfile:2: expected "name: command", got "web bundle exec puma""#]
        ),
        ("  web: indented\n", [#"Procfile:1: expected "name: command", got "  web: indented""#]),
        ("web.1: dotted\n", [#"Procfile:1: expected "name: command", got "web.1: dotted""#]),
        (": nameless\n", [#"Procfile:1: expected "name: command", got ": nameless""#]),
        ("web:\n", [#"Procfile:1: process "web" has an empty command"#]),
        ("web:   \t\n", [#"Procfile:1: process "web" has an empty command"#]),
        ("web: a\nworker: b\nweb: c\n", [#"Procfile:3: duplicate process name "web" (first defined on line 1)"#]),
        ("", [#"Procfile: no processes defined (expected lines like "web: command")"#]),
        ("# only a comment\n\n", [#"Procfile: no processes defined (expected lines like "web: command")"#]),
        (
            "bad one\nweb: a\nweb: b\nalso bad\n",
            [
                #"Procfile:1: expected "name: command", got "bad one""#,
                #"Procfile:3: duplicate process name "web" (first defined on line 2)"#,
                #"Procfile:4: expected "name: command", got "also bad""#,
            ]
        ),
    ]

    @Test(arguments: invalid)
    func reportsEveryError(_ text: String, _ messages: [String]) {
        switch Procfile.parse(text, file: "Procfile") {
        case .success(let procfile): Issue.record("expected errors, got \(procfile)")
        case .failure(let errors): #expect(errors.errors.map(\.description) == messages)
        }
    }

    @Test func namesTheFileAsGiven() {
        let result = Procfile.parse("oops", file: "config/Procfile.dev")
        #expect(throws: ProcfileErrors([.malformedLine(file: "config/Procfile.dev", line: 1, text: "oops")])) {
            try result.get()
        }
    }

    @Test func crlfLineNumbersStayRight() throws {
        let text = "a: 1\r\n\r\nbad\r\n"
        #expect(throws: ProcfileErrors([.malformedLine(file: "P", line: 3, text: "bad")])) {
            try Procfile.parse(text, file: "P").get()
        }
    }
}

@Suite struct TerminalTextTests {
    @Test func writesControlCharactersAsSwiftEscapes() {
        #expect(TerminalText.escaped("plain \"text\" é 日本") == "plain \"text\" é 日本")
        #expect(TerminalText.escaped("\u{1b}]0;title\u{07}\u{1b}[2J") == #"\u{1b}]0;title\u{7}\u{1b}[2J"#)
        #expect(TerminalText.escaped("a\tb\nc\r\u{0}\u{7f}\u{9b}\u{a0}") == #"a\u{9}b\u{a}c\u{d}\u{0}\u{7f}\u{9b}"# + "\u{a0}")
    }
}
