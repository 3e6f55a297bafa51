import DroverCore
import Foundation
import Testing

/// A formation to export and run under the real tools: each instance writes its
/// environment (`env -0`), its shell's argv and its pid to `dump/`, then sleeps; the
/// env file holds every value that trips an export up.
final class ExportFixture {
    let sandbox: Sandbox
    var dump: String { "\(sandbox.path)/dump" }

    /// The values as the env file means them (its own quoting undone), byte for byte.
    static let values: [String: String] = [
        "PERCENT": "100% off %n %%",
        "DOLLAR": "$HOME ${PATH} $(date) $$",
        "DOUBLE": "say \"hi\"",
        "SINGLE": "it's",
        "BACKSLASH": "C:\\dir\\",
        "SPACES": "  two  spaces  ",
        "NEWLINE": "line one\nline two",
        "UNICODE": "naïve café ☕ 😀",
        "YES": "yes",
        "ZERO": "0123",
        "COLON": ": x",
        "STAR": "*star",
        "HASH": "a #b",
        "EMPTY": "",
    ]

    static let envFile = """
        PERCENT='100% off %n %%'
        DOLLAR='$HOME ${PATH} $(date) $$'
        DOUBLE='say "hi"'
        SINGLE="it's"
        BACKSLASH='C:\\dir\\'
        SPACES='  two  spaces  '
        NEWLINE="line one\\nline two"
        UNICODE=naïve café ☕ 😀
        YES=yes
        ZERO=0123
        COLON=': x'
        STAR=*star
        HASH='a #b'
        EMPTY=

        """

    /// What every instance runs first: the dump, written whole before it is seen, and a
    /// line of output for the format's log.
    static let dumpCommand =
        #"cat /proc/$$/cmdline > "$DUMP_DIR/$PS.argv"; echo $$ > "$DUMP_DIR/$PS.pid"; "#
        + #"readlink /proc/$$/fd/0 > "$DUMP_DIR/$PS.stdin"; grep SigIgn /proc/$$/status > "$DUMP_DIR/$PS.ignored"; "#
        + #"env -0 > "$DUMP_DIR/$PS.tmp"; mv "$DUMP_DIR/$PS.tmp" "$DUMP_DIR/$PS.env"; echo "$PS is up""#

    /// web serves on $PORT (as far as containers can tell); worker's comment carries the
    /// characters that break command lines; stubborn ignores SIGTERM, so only the
    /// stop timeout ends it.
    static let procfile = """
        web: \(dumpCommand); exec sleep 600 # serves $PORT
        worker: \(dumpCommand) ; exec sleep 600 # 100% "q" 'x' \\ é ; %(here)s
        stubborn: trap '' TERM; \(dumpCommand); exec sleep 600

        """

    /// The instances of `-m web=2,worker=1,stubborn=1` with their PORT.
    static let instances: [(name: String, port: Int)] = [
        ("web.1", 5000), ("web.2", 5001), ("worker.1", 5100), ("stubborn.1", 5200),
    ]
    static let formation = ["-m", "web=2,worker=1,stubborn=1"]

    init() throws {
        sandbox = try Sandbox()
        try sandbox.write("app/Procfile", Self.procfile)
        try sandbox.write("app/.env", "DUMP_DIR=\(sandbox.path)/dump\n" + Self.envFile)
        try FileManager.default.createDirectory(atPath: dump, withIntermediateDirectories: true)
        // Instances may run as nobody (-u): they must reach the root and write their dumps.
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: sandbox.path)
        try FileManager.default.setAttributes([.posixPermissions: 0o777], ofItemAtPath: dump)
    }

    /// The app's root.
    var root: String { "\(sandbox.path)/app" }

    /// `drover export FORMAT LOCATION` in the root, with the fixture's formation.
    func export(_ format: String, to location: String, _ extra: [String] = []) throws -> Outcome {
        let outcome = try DroverProcess.run(["export", format, location] + Self.formation + extra, in: root)
        #expect(outcome.code == 0, "drover export \(format) failed: \(outcome.stderr)")
        return outcome
    }

    /// What `/bin/sh -c` must get for `type`: the command as `start` would run it.
    static func script(of type: String) -> String {
        let line = procfile.split(separator: "\n").first { $0.hasPrefix("\(type): ") }!
        return ShellCommand.script(for: String(line.dropFirst(type.count + 2)))
    }

    /// What instance `name` must see: the env file's values, its PORT and PS.
    func expectedEnvironment(of name: String, port: Int) -> [String: String] {
        var environment = Self.values
        environment["DUMP_DIR"] = dump
        environment["PORT"] = String(port)
        environment["PS"] = name
        return environment
    }

    /// One instance's dump.
    struct Dump {
        var environment: [String: [UInt8]]
        var arguments: [[UInt8]]
        var pid: Int32
        /// What fd 0 is (`/dev/null` under start).
        var standardInput: String
        /// The mask of ignored signals, as /proc shows it in hexadecimal.
        var ignoredSignals: UInt64
    }

    /// Waits until every instance has written its dump; what it found by `timeout`.
    func waitForDumps(timeout: Double = 60, sourceLocation: SourceLocation = #_sourceLocation) -> [String: Dump] {
        let deadline = Date().addingTimeInterval(timeout)
        var dumps: [String: Dump] = [:]
        while Date() < deadline {
            for (name, _) in Self.instances where dumps[name] == nil {
                dumps[name] = readDump(name)
            }
            if dumps.count == Self.instances.count { return dumps }
            usleep(20_000)
        }
        Issue.record(
            "dumps within \(timeout) s: \(dumps.keys.sorted()) of \(Self.instances.map(\.name))", sourceLocation: sourceLocation)
        return dumps
    }

    private func readDump(_ name: String) -> Dump? {
        guard let environ = FileManager.default.contents(atPath: "\(dump)/\(name).env"),
            let argv = FileManager.default.contents(atPath: "\(dump)/\(name).argv"),
            let pidText = try? String(contentsOfFile: "\(dump)/\(name).pid", encoding: .utf8),
            let pid = Int32(pidText.trimmingCharacters(in: .whitespacesAndNewlines))
        else { return nil }
        var environment: [String: [UInt8]] = [:]
        for entry in environ.split(separator: 0, omittingEmptySubsequences: true) {
            guard let equals = entry.firstIndex(of: 0x3D) else { continue }
            environment[String(decoding: entry[..<equals], as: UTF8.self)] = Array(entry[(equals + 1)...])
        }
        let arguments = argv.split(separator: 0, omittingEmptySubsequences: false).dropLast().map(Array.init)
        let stdin = (try? String(contentsOfFile: "\(dump)/\(name).stdin", encoding: .utf8)) ?? ""
        let ignored = (try? String(contentsOfFile: "\(dump)/\(name).ignored", encoding: .utf8)) ?? ""
        let mask = ignored.split(whereSeparator: \.isWhitespace).last.flatMap { UInt64($0, radix: 16) } ?? 0
        return Dump(
            environment: environment, arguments: arguments, pid: pid,
            standardInput: stdin.trimmingCharacters(in: .whitespacesAndNewlines), ignoredSignals: mask)
    }

    /// Every instance got exactly its environment (other variables the tool adds are
    /// fine) and `/bin/sh -c SCRIPT` byte for byte.
    func verify(_ dumps: [String: Dump], sourceLocation: SourceLocation = #_sourceLocation) {
        for (name, port) in Self.instances {
            guard let dump = dumps[name] else { continue }
            for (variable, value) in expectedEnvironment(of: name, port: port).sorted(by: { $0.key < $1.key }) {
                let got = dump.environment[variable].map { String(decoding: $0, as: UTF8.self) }
                #expect(got == value, "\(name): \(variable)", sourceLocation: sourceLocation)
            }
            let type = String(name.split(separator: ".")[0])
            let script = Array(Self.script(of: type).utf8)
            #expect(
                dump.arguments.count == 3 && dump.arguments[2] == script,
                "\(name): argv \(dump.arguments.map { String(decoding: $0, as: UTF8.self) })", sourceLocation: sourceLocation)
            // As under start: stdin from /dev/null, and SIGPIPE not ignored (signal N is bit N - 1).
            #expect(dump.standardInput == "/dev/null", "\(name): stdin \(dump.standardInput)", sourceLocation: sourceLocation)
            #expect(dump.ignoredSignals & (1 << (UInt64(SIGPIPE) - 1)) == 0, "\(name) ignores SIGPIPE", sourceLocation: sourceLocation)
        }
    }

    /// Waits until none of `pids` runs; kills (and reports) those still there after `timeout`.
    func expectGone(_ pids: [Int32], within timeout: Double, _ what: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline && pids.contains(where: ProcessTable.isAlive) { usleep(20_000) }
        let left = ProcessTable.killSurvivors(pids)
        #expect(left.isEmpty, "\(what): still running after \(timeout) s: \(left)", sourceLocation: sourceLocation)
    }
}

/// The outside programs the export tests run, and how to get each one.
enum ExternalTool {
    /// The program's path on this PATH, if it is there.
    static func find(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return path.split(separator: ":").map { "\($0)/\(name)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// Whether every tool is here; with `DROVER_REQUIRE_EXPORT_TOOLS` set, true anyway, so
    /// that a missing tool fails its test instead of skipping it (run so before a release).
    static func has(_ names: String...) -> Bool { mustRun || names.allSatisfy { find($0) != nil } }

    static let mustRun = ProcessInfo.processInfo.environment["DROVER_REQUIRE_EXPORT_TOOLS"] != nil

    /// Whether python3 can import these modules (plistlib comes with it; yaml is PyYAML).
    static func python(imports modules: String...) -> Bool {
        if mustRun { return true }
        guard let python = find("python3"),
            let outcome = try? DroverProcess.runProgram(
                python, ["python3", "-c", "import " + modules.joined(separator: ", ")], in: "/", timeout: 30)
        else { return false }
        return outcome.code == 0
    }

    /// Runs `name` with `arguments`, bounded in time; its stdout, stderr and code.
    static func run(
        _ name: String, _ arguments: [String], in directory: String, environment: [String: String] = DroverProcess.environment(),
        timeout: Double = 60, sourceLocation: SourceLocation = #_sourceLocation
    ) throws -> Outcome {
        try DroverProcess.runProgram(
            find(name) ?? name, [name] + arguments, in: directory, environment: environment, timeout: timeout,
            sourceLocation: sourceLocation)
    }

    /// Reads `file` with a Python snippet (`data` is what it loads) and returns the JSON it prints.
    static func pythonJSON(_ program: String, file: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> Any {
        let outcome = try run("python3", ["-c", program, file], in: "/", sourceLocation: sourceLocation)
        #expect(outcome.code == 0, "python3: \(outcome.stderr)", sourceLocation: sourceLocation)
        return try JSONSerialization.jsonObject(with: Data(outcome.stdoutBytes))
    }
}
