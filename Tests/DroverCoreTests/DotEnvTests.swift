import DroverCore
import Testing

@Suite struct DotEnvTests {
    static func parse(_ text: String, inherited: [String: String] = [:]) throws -> [String: String] {
        let assignments = try DotEnv.parse(text, file: ".env", inherited: { inherited[$0].map { ByteString($0) } }).get()
        var result: [String: String] = [:]
        for assignment in assignments { result[assignment.name] = assignment.value.description }
        return result
    }

    static let values: [(String, String, String)] = [
        // (text, key, expected value)
        ("A=1", "A", "1"),
        ("A = 1", "A", "1"),
        ("A\t=\t1\t", "A", "1"),
        ("export A=1", "A", "1"),
        ("export\tA=1", "A", "1"),
        ("export=1", "export", "1"),
        ("  A=1", "A", "1"),
        ("A=", "A", ""),
        ("A=   ", "A", ""),
        ("a.b-c_D=x", "a.b-c_D", "x"),
        ("A=hello world", "A", "hello world"),
        ("A=a#b", "A", "a#b"),
        ("A=a #comment", "A", "a"),
        ("A=a\t#comment", "A", "a"),
        ("A= #comment", "A", ""),
        ("A=#notcomment", "A", "#notcomment"),
        ("A=x=y", "A", "x=y"),
        ("A='single $HOME \\n'", "A", "single $HOME \\n"),
        ("A='a # b' # c", "A", "a # b"),
        ("A=\"x\\ny\\tz\\r\"", "A", "x\ny\tz\r"),
        ("A=\"q\\\"q \\\\ \\$HOME\"", "A", "q\"q \\ $HOME"),
        ("A=\"C:\\Users\\x\"", "A", "C:\\Users\\x"),
        ("A=\"a # b\" # c", "A", "a # b"),
        ("A=\"line1\nline2\"", "A", "line1\nline2"),
        ("A='line1\nline2'", "A", "line1\nline2"),
        ("A=\"crlf\r\nline\"", "A", "crlf\nline"),
        ("A=\"\"", "A", ""),
        ("A=''", "A", ""),
        ("A=caf\u{e9} \u{1F600}", "A", "caf\u{e9} \u{1F600}"),
        ("A=1\r\n", "A", "1"),
        ("A=$", "A", "$"),
        ("A=a$", "A", "a$"),
        ("A=$1", "A", "$1"),
        ("A=$ x", "A", "$ x"),
    ]

    @Test(arguments: values)
    func readsValue(_ text: String, _ key: String, _ expected: String) throws {
        #expect(try Self.parse(text)[key] == expected)
    }

    @Test func expandsFromEarlierKeysThenInheritedThenEmpty() throws {
        let text = """
            HOST=localhost
            URL=http://$HOST:${PORT}/x
            QUOTED="at ${HOST}!"
            SINGLE='$HOST'
            FROM_ENV=$HOME/bin
            MISSING=[$NOPE]
            DEFAULTED=${NOPE:-fallback}
            EMPTY=
            EMPTY_DEFAULT=${EMPTY:-used}
            SET_DEFAULT=${HOST:-unused}
            DOTTED=${a.b}
            a.b=later
            """
        let values = try Self.parse(text, inherited: ["HOME": "/home/u", "PORT": "9", "HOST": "ignored"])
        #expect(values["URL"] == "http://localhost:9/x")
        #expect(values["QUOTED"] == "at localhost!")
        #expect(values["SINGLE"] == "$HOST")
        #expect(values["FROM_ENV"] == "/home/u/bin")
        #expect(values["MISSING"] == "[]")
        #expect(values["DEFAULTED"] == "fallback")
        #expect(values["EMPTY_DEFAULT"] == "used")
        #expect(values["SET_DEFAULT"] == "localhost")
        #expect(values["DOTTED"] == "", "a reference sees only keys defined before it")
    }

    /// For an export nothing comes from drover's own environment: a reference only the
    /// files can answer, else its default, else an error at its line.
    @Test func refusingUnsetReferencesNamesThemAtTheirLine() throws {
        let text = "A=1\nB=$A ${A} ${MISSING:-fallback} ${EMPTY:-d}\nEMPTY=\nC=\"$HOME/x\"\nD=${PATH}:/bin\n"
        guard case let .failure(errors) = DotEnv.parse(text, file: ".env", refusingUnset: true) else {
            Issue.record("expected errors")
            return
        }
        #expect(
            errors.errors.map(\.description) == [
                ".env:4: no env file sets $HOME, and an export does not take values from drover's own environment: "
                    + "set it in an env file, or give a default (${HOME:-value})",
                ".env:5: no env file sets $PATH, and an export does not take values from drover's own environment: "
                    + "set it in an env file, or give a default (${PATH:-value})",
            ])
        let fine = try DotEnv.parse("A=1\nB=$A-${A}-${X:-d}\n", file: ".env", refusingUnset: true).get()
        #expect(fine.map(\.value) == ["1", "1-1-d"])
    }

    @Test func laterAssignmentWinsAndSeesTheEarlierValue() throws {
        let values = try Self.parse("PATH=/a\nPATH=$PATH:/b\n", inherited: ["PATH": "/usr/bin"])
        #expect(values["PATH"] == "/a:/b")
    }

    @Test func earlierFilesAreVisible() throws {
        var earlier = EnvironmentVariables()
        earlier["BASE"] = "/srv"
        let assignments = try DotEnv.parse("DIR=$BASE/app", file: "b.env", earlier: earlier).get()
        #expect(assignments == [DotEnvAssignment(name: "DIR", value: "/srv/app", line: 1)])
    }

    @Test func recordsTheLineOfEachAssignment() throws {
        let assignments = try DotEnv.parse("# c\n\nA=1\nB=\"x\ny\"\nC=3\n", file: ".env").get()
        #expect(assignments.map(\.line) == [3, 4, 6])
    }

    static let errors: [(String, [String])] = [
        ("FOO", [#".env:1: expected KEY=value, got "FOO""#]),
        ("A=1\nexport FOO\n", [#".env:2: expected KEY=value, got "export FOO""#]),
        ("1FOO=x", [#".env:1: invalid key "1FOO" (keys are letters, digits, _ . -, not starting with a digit, . or -)"#]),
        ("FOO BAR=x", [#".env:1: expected KEY=value, got "FOO BAR=x""#]),
        ("-A=x", [#".env:1: invalid key "-A" (keys are letters, digits, _ . -, not starting with a digit, . or -)"#]),
        ("A=\"open\nB=2\n", [#".env:1: unterminated double-quoted value (no closing ")"#]),
        ("A=1\nB='open", [#".env:2: unterminated single-quoted value (no closing ')"#]),
        ("A=\"x\" y", [#".env:1: unexpected "y" after the closing quote"#]),
        ("A='x'y", [#".env:1: unexpected "y" after the closing quote"#]),
        ("A=${OPEN", [#".env:1: bad variable reference "${OPEN" (use $NAME, ${NAME} or ${NAME:-default})"#]),
        ("A=${}", [#".env:1: bad variable reference "${}" (use $NAME, ${NAME} or ${NAME:-default})"#]),
        ("A=\"${1x}\"", [#".env:1: bad variable reference "${1x}" (use $NAME, ${NAME} or ${NAME:-default})"#]),
        (
            "BAD\nA=1\nALSO BAD\nB=\"x\" z\n",
            [
                #".env:1: expected KEY=value, got "BAD""#,
                #".env:3: expected KEY=value, got "ALSO BAD""#,
                #".env:4: unexpected "z" after the closing quote"#,
            ]
        ),
    ]

    @Test(arguments: errors)
    func reportsErrorsWithLines(_ text: String, _ messages: [String]) {
        switch DotEnv.parse(text, file: ".env") {
        case .success(let values): Issue.record("expected errors, got \(values)")
        case .failure(let found): #expect(found.errors.map(\.description) == messages)
        }
    }

    @Test func goodLinesAroundABadOneStillParseAndLineCountsStayRight() {
        // An error must not swallow the next line.
        let result = DotEnv.parse("A=${X\nB=2\nC\n", file: "e")
        guard case .failure(let found) = result else {
            Issue.record("expected failure")
            return
        }
        #expect(
            found.errors.map(\.description) == [
                #"e:1: bad variable reference "${X" (use $NAME, ${NAME} or ${NAME:-default})"#,
                #"e:3: expected KEY=value, got "C""#,
            ])
    }
}
