import Foundation
import Testing

/// A UTF-8 byte-order mark, which editors on other systems write, is skipped at the
/// start of every file drover reads; names and line numbers are as if it were not there.
@Suite struct ByteOrderMarkTests {
    static let mark: [UInt8] = [0xEF, 0xBB, 0xBF]

    static func write(_ sandbox: Sandbox, _ name: String, _ text: String) throws {
        try sandbox.write(name, bytes: mark + Array(text.utf8))
    }

    @Test(arguments: [(".drover", "formation=web=2\n"), (".foreman", "formation: web=2\n")])
    func filesWithAMarkAreReadAsWithout(_ defaults: (file: String, text: String)) throws {
        let sandbox = try Sandbox()
        try Self.write(sandbox, "Procfile", "web: echo \"$GREETING from $PS\"\nother: true\n")
        try Self.write(sandbox, ".env", "GREETING=hello\n")
        try Self.write(sandbox, defaults.file, defaults.text)

        let check = try DroverProcess.run(["check"], in: sandbox.path)
        #expect(check.code == 0, "\(check.stderr)")
        #expect(check.stdout.contains("(web, other)"), "\(check.stdout)")

        // The first entry is `web` (not U+FEFF web), the first env key GREETING, and the
        // defaults file's first line still sets the formation.
        // (Both may end without stopping the other: --can-die.)
        let start = try DroverProcess.run(["start", "--no-timestamp", "--can-die", "all", "web"], in: sandbox.path)
        #expect(start.code == 0)
        #expect(start.stdout.contains("web.1  | hello from web.1\n"), "\(start.stdout)")
        #expect(start.stdout.contains("web.2  | hello from web.2\n"), "\(start.stdout)")
        #expect(!start.stdout.contains("\u{FEFF}"))
    }

    @Test func lineNumbersInErrorsCountFromTheMarkedLine() throws {
        let sandbox = try Sandbox()
        try Self.write(sandbox, "Procfile", "web: true\nbad line\n")
        try Self.write(sandbox, ".env", "A=1\nB\n")
        try Self.write(sandbox, ".drover", "formation=web=1\nnonsense\n")
        let outcome = try DroverProcess.run(["check"], in: sandbox.path)
        #expect(outcome.code != 0)
        #expect(outcome.stderr.contains("Procfile:2: expected \"name: command\", got \"bad line\""), "\(outcome.stderr)")
        #expect(outcome.stderr.contains(".env:2: expected KEY=value, got \"B\""), "\(outcome.stderr)")
        #expect(outcome.stderr.contains(".drover:2: expected key=value or [TYPE], got \"nonsense\""), "\(outcome.stderr)")

        // A mark on the first line must not hide an error there either.
        try Self.write(sandbox, "Procfile", "web bad\n")
        let first = try DroverProcess.run(["check"], in: sandbox.path)
        #expect(first.stderr.contains("Procfile:1: expected \"name: command\", got \"web bad\""), "\(first.stderr)")
    }
}
