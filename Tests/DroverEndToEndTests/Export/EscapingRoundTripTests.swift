import DroverCore
import DroverExport
import Foundation
import Testing

/// Every pair of the characters that trip exports up (and each one alone, at either
/// end of a word) as an environment value, through each format's real reader: what
/// comes back must be the value, byte for byte. Exhaustive, so nothing random.
@Suite struct EscapingRoundTripTests {
    /// Quotes, shell and config syntax, YAML's indicators, blanks and line breaks,
    /// control characters, and text beyond ASCII (a line separator among it).
    static let alphabet: [String] = [
        "'", "\"", "\\", "$", "%", "(", ")", "{", "}", "[", "]", "#", ";", ":", ",", "=", "-", "*", "&", "!", "@",
        "`", "|", ">", "<", "?", "~", ".", " ", "\t", "\n", "\r", "\u{1}", "\u{1B}", "\u{7F}", "\u{85}", "\u{2028}",
        "é", "😀", "y", "0", "e", "x",
    ]

    static let values: [String] =
        alphabet.flatMap { a in alphabet.map { a + $0 } }
        + alphabet.flatMap { ["x\($0)", "\($0)x", "%(here)s\($0)", "\($0)$(x)"] } + ["", "yes", "0123", "1e3", ": x", "*a"]

    /// One type `probe` whose instance dumps its environment, with the values as `V0`... .
    static func formation(_ values: [String], dump: String) -> ExportFormation {
        let variables = values.enumerated().map { index, value in
            SourcedVariable(EnvironmentVariable(name: "V\(index)", value: ByteString(value)), file: ".env", line: index + 1)
        }
        let command = ByteString("env -0 > \(dump).tmp && mv \(dump).tmp \(dump); exec sleep 600")
        let instance = PlannedInstance(type: "probe", number: 1, command: command, port: 5000, entryIndex: 0)
        return ExportFormation(
            // As from a .drover: the formats without images leave it be.
            app: "round", root: "/", image: OptionValue("round:1", origin: .file(path: ".drover", line: 1)),
            stopTimeoutMilliseconds: 1_000, variables: variables,
            types: [
                ExportedType(
                    name: "probe", command: command, commandLocation: "Procfile:1",
                    settings: ProcessTypeSettings(restart: .always), instances: [instance])
            ])
    }

    /// The values a reader gave back, by name, against what was meant.
    static func expectSame(
        _ read: [String: String], _ values: [String], transform: (String) -> String = { $0 },
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        var wrong: [String] = []
        for (index, value) in values.enumerated() where read["V\(index)"] != transform(value) {
            wrong.append("V\(index) \(value.debugDescription) came back \(read["V\(index)"].debugDescription)")
        }
        #expect(wrong.count == 0, "\(wrong.count) of \(values.count) values differ: \(wrong.prefix(10))", sourceLocation: sourceLocation)
    }

    static func write(_ files: [ExportedFile], in directory: String) throws {
        for file in files {
            let path = "\(directory)/\(file.path)"
            try FileManager.default.createDirectory(
                atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try Data(file.contents).write(to: URL(fileURLWithPath: path))
            if file.isExecutable { try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path) }
        }
    }

    /// A dump of `env -0`, by name.
    static func environment(in path: String) -> [String: String]? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        var environment: [String: String] = [:]
        for entry in data.split(separator: 0) {
            guard let equals = entry.firstIndex(of: 0x3D) else { continue }
            environment[String(decoding: entry[..<equals], as: UTF8.self)] = String(decoding: entry[(equals + 1)...], as: UTF8.self)
        }
        return environment
    }

    static func waitForDump(_ path: String, timeout: Double = 30) -> [String: String]? {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if let environment = environment(in: path) { return environment }
            usleep(20_000)
        }
        return nil
    }

    static let yaml = ExternalTool.python(imports: "yaml", "json")
    static let plistlib = ExternalTool.python(imports: "plistlib", "json")

    @Test(.enabled(if: yaml, "PyYAML is not installed: pip install pyyaml"))
    func kubernetesAndComposeValuesReadBackThroughPyYAML() throws {
        let sandbox = try Sandbox()
        let formation = Self.formation(Self.values, dump: "/dev/null")
        try Self.write(try Export.files(.kubernetes, for: formation), in: sandbox.path)
        let documents =
            try ExternalTool.pythonJSON(
                "import yaml, json, sys; print(json.dumps(list(yaml.safe_load_all(open(sys.argv[1], encoding='utf-8')))))",
                file: "\(sandbox.path)/round.yaml") as? [[String: Any]]
        Self.expectSame(documents?.first?["data"] as? [String: String] ?? [:], Self.values)

        try Self.write(try Export.files(.compose, for: formation), in: sandbox.path)
        let compose =
            try ExternalTool.pythonJSON(
                "import yaml, json, sys; print(json.dumps(yaml.safe_load(open(sys.argv[1], encoding='utf-8'))))",
                file: "\(sandbox.path)/compose.yaml") as? [String: Any]
        let service = (compose?["services"] as? [String: Any])?["probe"] as? [String: Any]
        // What Compose then reads: every $ doubled, which its interpolation undoes.
        Self.expectSame(service?["environment"] as? [String: String] ?? [:], Self.values) {
            $0.replacingOccurrences(of: "$", with: "$$")
        }
    }

    @Test(.enabled(if: plistlib, "needs python3"))
    func launchdValuesReadBackThroughPlistlib() throws {
        let sandbox = try Sandbox()
        // XML cannot hold most C0 controls: those values are refused, the rest must survive.
        let values = Self.values.filter { PropertyList.firstUnwritable(in: $0) == nil }
        try Self.write(try Export.files(.launchd, for: Self.formation(values, dump: "/dev/null")), in: sandbox.path)
        let plist =
            try ExternalTool.pythonJSON(
                "import plistlib, json, sys; print(json.dumps(plistlib.load(open(sys.argv[1], 'rb'))))",
                file: "\(sandbox.path)/round-probe-1.plist") as? [String: Any]
        Self.expectSame(plist?["EnvironmentVariables"] as? [String: String] ?? [:], values)
    }

    @Test(.enabled(if: SupervisordExportTests.installed, "supervisord is not installed: pip install supervisor"))
    func supervisordGivesEveryValueExactly() throws {
        let sandbox = try Sandbox()
        // A carriage return is refused (configparser reads it as a line break).
        let values = Self.values.filter { !$0.contains("\r") }
        let dump = "\(sandbox.path)/environment"
        try Self.write(try Export.files(.supervisord, for: Self.formation(values, dump: dump)), in: "\(sandbox.path)/conf.d")
        let supervisord = try PrivateSupervisord(in: sandbox, including: "conf.d/*.conf")
        let environment = Self.waitForDump(dump)
        #expect(environment != nil, "no dump: \(sandbox.text("supervisord.log"))")
        Self.expectSame(environment ?? [:], values)
        let stop = try supervisord.control(["stop", "round:*"])
        #expect(stop.code == 0, "\(stop.stdout)")
        try supervisord.stop()
        withExtendedLifetime(sandbox) {}
    }

    @Test(.enabled(if: SystemdExportTests.canRunSystemd, "needs root, unshare, nsenter, cgroup2 and /lib/systemd/systemd"))
    func systemdGivesEveryValueExactly() throws {
        let sandbox = try Sandbox()
        let dump = "\(sandbox.path)/environment"
        try Self.write(try Export.files(.systemd, for: Self.formation(Self.values, dump: dump)), in: "\(sandbox.path)/units")
        let systemd = try PrivateSystemd(units: "\(sandbox.path)/units", sandbox: sandbox, starting: "round.target")
        defer { withExtendedLifetime(sandbox) { systemd.destroy() } }
        let environment = Self.waitForDump(dump)
        #expect(environment != nil, "no dump")
        Self.expectSame(environment ?? [:], Self.values)
    }

    @Test(.enabled(if: RunitExportTests.installed, "runit is not installed: apt-get install runit"))
    func runitGivesEveryValueExactly() throws {
        let sandbox = try Sandbox()
        let dump = "\(sandbox.path)/environment"
        try Self.write(try Export.files(.runit, for: Self.formation(Self.values, dump: dump)), in: "\(sandbox.path)/service")
        let runsvdir = try Runsvdir("\(sandbox.path)/service")
        let environment = Self.waitForDump(dump)
        #expect(environment != nil, "no dump")
        Self.expectSame(environment ?? [:], Self.values)
        try runsvdir.stop()
        withExtendedLifetime(sandbox) {}
    }
}
