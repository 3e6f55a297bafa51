import Foundation
import Testing

/// The merged log stream of `drover start`.
@Suite struct StartOutputTests {
    /// Lines of one instance, prefix removed (`--no-timestamp` output).
    static func lines(of name: String, in stdout: String) -> [String] {
        stdout.split(separator: "\n", omittingEmptySubsequences: false).compactMap { line in
            guard line.hasPrefix(name + " ") || line.hasPrefix(name + "|") else { return nil }
            guard let bar = line.range(of: " | ") else { return nil }
            return String(line[bar.upperBound...])
        }
    }

    @Test func prefixesArePaddedToTheWidestNameAndTimestamped() throws {
        let sandbox = try Sandbox()
        try sandbox.write("Procfile", CoordinatedProcfile.make([("a", "echo from-a"), ("worker", "echo from-worker")], instances: 11))
        let outcome = try DroverProcess.run(["start", "-m", "a=1,worker=10,finish=1"], in: sandbox.path)
        let lines = outcome.stdout.split(separator: "\n")
        let pattern = #/^\d\d:\d\d:\d\d (a\.1|worker\.\d+|finish\.1|system) +\| .*$/#
        #expect(lines.allSatisfy { $0.wholeMatch(of: pattern) != nil }, "\(outcome.stdout)")
        // "worker.10" is the widest name: every bar lines up after it.
        #expect(lines.allSatisfy { $0.dropFirst(9).prefix(12).hasSuffix(" | ") || $0.dropFirst(9).count < 12 })
        #expect(outcome.stdout.contains(" a.1       | from-a\n"))
        #expect(outcome.stdout.contains(" worker.10 | from-worker\n"))
        #expect(outcome.stdout.contains(" system    | worker.10 started with pid "))
    }

    @Test func nameWidthIsAtLeastSix() throws {
        let sandbox = try Sandbox()
        try sandbox.write("Procfile", "a: echo hi\n")
        let outcome = try DroverProcess.run(["start", "--no-timestamp"], in: sandbox.path)
        #expect(outcome.stdout.contains("\na.1    | hi\n") || outcome.stdout.hasPrefix("a.1    | hi\n"))
        #expect(outcome.stdout.contains("system | a.1 exited with code 0\n"))
    }

    @Test func keepsEachProcessInOrderAndCapturesStderr() throws {
        let sandbox = try Sandbox()
        try sandbox.write(
            "Procfile",
            CoordinatedProcfile.make(
                [
                    ("one", #"i=0; while [ $i -lt 3000 ]; do i=$((i+1)); echo "one $i"; done"#),
                    ("two", #"i=0; while [ $i -lt 3000 ]; do i=$((i+1)); echo "two $i" >&2; done"#),
                ], instances: 2))
        let outcome = try DroverProcess.run(["start", "--no-timestamp"], in: sandbox.path)
        #expect(Self.lines(of: "one.1", in: outcome.stdout) == (1...3000).map { "one \($0)" })
        #expect(Self.lines(of: "two.1", in: outcome.stdout) == (1...3000).map { "two \($0)" })
    }

    @Test func losesNoBytesFromEightWriters() throws {
        let sandbox = try Sandbox()
        // Deterministic content per writer: 20,000 lines of varied length.
        var writers: [(String, String)] = []
        var expected: [String: [String]] = [:]
        for writer in 1...8 {
            var content: [String] = []
            for line in 0..<20_000 {
                content.append("w\(writer) line \(line) " + String(repeating: "abcdefghij", count: (line * writer) % 17))
            }
            try sandbox.write("data\(writer).txt", content.joined(separator: "\n") + "\n")
            expected["w\(writer).1"] = content
            writers.append(("w\(writer)", "cat data\(writer).txt"))
        }
        try sandbox.write("Procfile", CoordinatedProcfile.make(writers, instances: 8))
        let outcome = try DroverProcess.run(["start", "--no-timestamp"], in: sandbox.path)
        for (name, content) in expected {
            #expect(Self.lines(of: name, in: outcome.stdout) == content, "\(name)")
        }
    }

    @Test func flushesAPartialLastLineAndSplitsHugeLines() throws {
        let sandbox = try Sandbox()
        try sandbox.write(
            "Procfile",
            CoordinatedProcfile.make(
                [
                    ("partial", #"printf 'first\nno newline at end'; exec >&-"#),
                    ("huge", #"head -c 200000 /dev/zero | tr '\0' x; echo; echo after"#),
                ], instances: 2))
        let outcome = try DroverProcess.run(["start", "--no-timestamp"], in: sandbox.path)
        #expect(Self.lines(of: "partial.1", in: outcome.stdout) == ["first", "no newline at end"])
        let huge = Self.lines(of: "huge.1", in: outcome.stdout)
        #expect(huge.map(\.count) == [65_536, 65_536, 65_536, 3_392, 5])
        #expect(huge.dropLast().joined() == String(repeating: "x", count: 200_000))
        #expect(huge.last == "after")
    }

    @Test func passesCarriageReturnsAndInvalidUTF8Through() throws {
        let sandbox = try Sandbox()
        try sandbox.write("Procfile", "bytes: printf 'crlf\\r\\nbad \\377\\376 end\\n50%%\\r100%%\\n'\n")
        let outcome = try DroverProcess.run(["start", "--no-timestamp"], in: sandbox.path)
        let expected = Array("bytes.1 | crlf\nbytes.1 | bad ".utf8) + [0xFF, 0xFE] + Array(" end\nbytes.1 | 50%\r100%\n".utf8)
        #expect(outcome.stdoutBytes.firstRange(of: expected) != nil, "\(outcome.stdout)")
    }

    @Test func givesEachInstanceItsPortAndPS() throws {
        let sandbox = try Sandbox()
        try sandbox.write(
            "Procfile",
            CoordinatedProcfile.make(
                [("web", "echo PORT=$PORT PS=$PS"), ("worker", "echo PORT=$PORT PS=$PS")], instances: 4))
        try sandbox.write(".env", "PORT=7000\n")
        let outcome = try DroverProcess.run(["start", "--no-timestamp", "-m", "web=2,worker=2,finish=1"], in: sandbox.path)
        for (name, port) in [("web.1", 7000), ("web.2", 7001), ("worker.1", 7100), ("worker.2", 7101)] {
            #expect(Self.lines(of: name, in: outcome.stdout) == ["PORT=\(port) PS=\(name)"])
        }
    }

    @Test func startsOnlyTheFormationAsked() throws {
        let sandbox = try Sandbox()
        try sandbox.write(
            "Procfile",
            "web: echo w\nworker: echo k\nclock: echo c; exec sleep 60\nfinish: while [ $(ls -a | grep -c '^\\.done-') -lt 2 ]; do sleep 0.02; done\n"
        )
        let selected = try DroverProcess.run(["start", "--no-timestamp", "worker"], in: sandbox.path)
        #expect(selected.stdout.contains("worker.1 | k"))
        #expect(!selected.stdout.contains("web.1"))
        #expect(!selected.stdout.contains("clock.1"))
        try sandbox.write("Procfile", CoordinatedProcfile.make([("web", "echo w"), ("clock", "echo c")], instances: 2))
        let formation = try DroverProcess.run(["start", "--no-timestamp", "-m", "all=0,clock=2,finish=1"], in: sandbox.path)
        #expect(Self.lines(of: "clock.1", in: formation.stdout) == ["c"])
        #expect(Self.lines(of: "clock.2", in: formation.stdout) == ["c"])
        #expect(!formation.stdout.contains("web.1"))
        let none = try DroverProcess.run(["start", "-m", "all=0"], in: sandbox.path)
        #expect(none.code == 1)
        #expect(none.stderr == "drover: nothing to start: the formation has no instances\n")
    }

    @Test func colorsOnlyWhenAskedOrOnATerminal() throws {
        let sandbox = try Sandbox()
        try sandbox.write("Procfile", "web: echo hi\n")
        let plain = try DroverProcess.run(["start"], in: sandbox.path)
        #expect(!plain.stdout.contains("\u{1B}["), "stdout is a file here: auto means no color")
        let colored = try DroverProcess.run(["start", "--color=always", "--no-timestamp"], in: sandbox.path)
        #expect(colored.stdout.contains("\u{1B}[36mweb.1  | \u{1B}[0mhi\n"))
        #expect(colored.stdout.contains("\u{1B}[37msystem | \u{1B}[0m"))
        let never = try DroverProcess.run(["start", "--color", "never"], in: sandbox.path)
        #expect(!never.stdout.contains("\u{1B}["))
        let bad = try DroverProcess.run(["start", "--color", "sometimes"], in: sandbox.path)
        #expect(bad.code == 64)
        #expect(bad.stderr == "drover: invalid value \"sometimes\" for --color: must be auto, always or never\n")
    }

    @Test func switchesWorkFromTheDefaultsFileAndRejectValuesOnTheCommandLine() throws {
        let sandbox = try Sandbox()
        try sandbox.write("Procfile", "web: echo hi\n")
        try sandbox.write(".drover", "no-timestamp=true\ncolor=never\n")
        let outcome = try DroverProcess.run(["start"], in: sandbox.path)
        #expect(outcome.stdout.contains("\nweb.1  | hi\n") || outcome.stdout.hasPrefix("web.1  | hi\n"))
        try sandbox.write(".drover", "no-prefix=maybe\n")
        let bad = try DroverProcess.run(["start"], in: sandbox.path)
        #expect(bad.code == 1)
        #expect(bad.stderr == "drover: .drover:1: invalid value \"maybe\" for no-prefix: must be true or false\n")
        try sandbox.write(".drover", "")
        let flag = try DroverProcess.run(["start", "--no-prefix=yes"], in: sandbox.path)
        #expect(flag.code == 64)
        #expect(flag.stderr == "drover: option --no-prefix takes no value (see 'drover start --help')\n")
    }

    @Test func barePrefixlessOutput() throws {
        let sandbox = try Sandbox()
        try sandbox.write("Procfile", "web: echo hi; echo there\n")
        let outcome = try DroverProcess.run(["start", "--no-prefix"], in: sandbox.path)
        #expect(outcome.stdout.hasPrefix("web.1 started") || outcome.stdout.contains("hi\nthere\n"))
        #expect(outcome.stdout.contains("\nhi\nthere\n"))
    }

    @Test func writesEverythingBeforeExitingEvenToASleepingReader() throws {
        let sandbox = try Sandbox()
        // 900 KB fits in drover's buffer: the writer is done (and so is the formation)
        // long before the reader wakes up; drover must still deliver every byte.
        try sandbox.write("Procfile", "burst: head -c 900000 /dev/zero | tr '\\0' b; echo\n")
        try sandbox.write(
            "run.sh",
            """
            "$1" start --no-timestamp | { sleep 2; grep '^burst.1 *| b' | tr -d '\\n' | wc -c; }
            """)
        let outcome = try DroverProcess.runProgram("/bin/sh", ["sh", "run.sh", DroverProcess.binary], in: sandbox.path)
        // 14 chunks, each "burst.1 | " (10 bytes) + its b's.
        #expect(outcome.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == String(900_000 + 14 * 10))
    }

    @Test func writesThroughASlowReaderWithoutLosingAnything() throws {
        let sandbox = try Sandbox()
        // 8 MB through a pipe whose reader starts late: drover must hold back, not drop.
        try sandbox.write("Procfile", "big: i=0; while [ $i -lt 40 ]; do head -c 200000 /dev/zero | tr '\\0' y; echo; i=$((i+1)); done\n")
        try sandbox.write(
            "run.sh",
            """
            "$1" start --no-timestamp | { sleep 1; grep -c '^big.1  *| y' ; }
            """)
        let outcome = try DroverProcess.runProgram("/bin/sh", ["sh", "run.sh", DroverProcess.binary], in: sandbox.path)
        // 40 lines of 200,000 bytes, each cut into 4 chunks.
        #expect(outcome.stdout == "160\n")
    }
}
