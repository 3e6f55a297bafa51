import DroverCore
import Testing

/// Inputs that once crashed, hung or exhausted memory in a parser, found with the
/// `make fuzz` targets (see docs/reliability.md). Each is also a seed in Tests/Fuzz/Corpus.
@Suite struct FuzzRegressionTests {
    /// `A=x` and then `lines` lines of `form`, each doubling A.
    static func doubling(_ form: String, lines: Int) -> String {
        "A=x\n" + String(repeating: form + "\n", count: lines)
    }

    static let doublingForms = ["A=$A$A", "A=\"$A$A\"", "A=${A}${A}", "A=\"${A:-}$A\""]

    /// Every line doubled the value, so thirty lines asked for a gibibyte: now 1 MiB is the most.
    @Test(arguments: doublingForms)
    func doublingExpansionStopsAtOneMebibyte(_ form: String) {
        // After line n the value holds 2^(n-1) bytes: line 21 reaches 1 MiB, line 22 would be 2 MiB.
        // (Not more lines: without the limit, each one doubles what this test allocates.)
        let text = Self.doubling(form, lines: 21) + "B=ok\n"
        guard case .failure(let found) = DotEnv.parse(text, file: ".env") else {
            Issue.record("a value of 2 MiB was accepted")
            return
        }
        #expect(
            found.errors.map(\.description)
                == [".env:22: value longer than 1048576 bytes (1 MiB) after expanding variables"])
    }

    @Test(arguments: doublingForms)
    func aValueOfExactlyOneMebibyteIsKept(_ form: String) throws {
        let assignments = try DotEnv.parse(Self.doubling(form, lines: 20), file: ".env").get()
        #expect(assignments.last?.value.count == 1_048_576)
    }

    /// Under 1 MiB each, `B=$A` lines still copied a mebibyte per 5 bytes of file: a 4 KiB
    /// input took 772 MiB and timed the dotenv fuzz target out. A file's values now stop at 16 MiB.
    @Test func copiesOfALongValueStopAtSixteenMebibytes() {
        // Lines 1-21 hold 2 MiB - 1 bytes in all; each B line adds 1 MiB, so the 15th (line 36) passes 16 MiB.
        let text = Self.doubling("A=$A$A", lines: 20) + String(repeating: "B=$A\n", count: 20) + "BAD\n"
        guard case .failure(let found) = DotEnv.parse(text, file: ".env") else {
            Issue.record("values of 22 MiB in all were accepted")
            return
        }
        #expect(
            found.errors.map(\.description) == [
                ".env:36: the values so far pass 16777216 bytes (16 MiB) after expanding variables; the rest of the file is not read"
            ])
    }

    @Test func sixteenMebibytesInAllAreKept() throws {
        let text = Self.doubling("A=$A$A", lines: 20) + String(repeating: "B=$A\n", count: 14)
        let assignments = try DotEnv.parse(text, file: ".env").get()
        #expect(assignments.reduce(0) { $0 + $1.value.count } == 16_777_215)
    }

    /// The loader reports it like any other env file error, naming the file and line.
    @Test func theLoaderNamesTheFileOfTheLongValue() {
        let files = ["Procfile": "web: run\n", "big.env": Self.doubling("A=$A$A", lines: 21)]
        let loader = ApplicationLoader(workingDirectory: "/work", inherited: EnvironmentVariables()) { path in
            files[path].map { .contents(Array($0.utf8)) } ?? .missing
        }
        let options = LaunchOptions([.env: OptionValue("big.env", origin: .commandLine(flag: "-e"))])
        guard case .failure(let errors) = loader.load(options) else {
            Issue.record("a 2 MiB value was accepted")
            return
        }
        #expect(
            errors.all.map(\.message)
                == ["big.env:22: value longer than 1048576 bytes (1 MiB) after expanding variables"])
    }
}
