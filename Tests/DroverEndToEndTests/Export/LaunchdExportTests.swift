import Foundation
import Testing

/// The launchd export: property lists that plutil accepts and that read back, with
/// plutil and with Python's plistlib, as the formation (launchd itself is macOS's).
@Suite struct LaunchdExportTests {
    static let plutil = ExternalTool.has("plutil")
    static let plistlib = ExternalTool.python(imports: "plistlib", "json")

    @Test(.enabled(if: plutil && plistlib, "needs plutil (it comes with the Swift toolchain) and python3"))
    func everyPlistLintsAndReadsBackAsTheFormation() throws {
        let fixture = try ExportFixture()
        let agents = "\(fixture.sandbox.path)/LaunchAgents"
        let outcome = try fixture.export("launchd", to: agents, ["-l", "\(fixture.sandbox.path)/logs", "-u", "deploy"])
        #expect(outcome.stdout.split(separator: "\n").count == ExportFixture.instances.count)
        for (name, port) in ExportFixture.instances {
            let label = "app-" + name.replacingOccurrences(of: ".", with: "-")
            let file = "\(agents)/\(label).plist"
            let lint = try ExternalTool.run("plutil", ["-lint", file], in: agents)
            #expect(lint.code == 0 && lint.stdout == "\(file): OK\n", "\(lint.stdout) \(lint.stderr)")

            let converted = try ExternalTool.run("plutil", ["-convert", "json", "-o", "-", file], in: agents)
            let fromPlutil = try JSONSerialization.jsonObject(with: Data(converted.stdoutBytes)) as? [String: Any]
            let fromPython =
                try ExternalTool.pythonJSON(
                    "import plistlib, json, sys; print(json.dumps(plistlib.load(open(sys.argv[1], 'rb'))))", file: file)
                as? [String: Any]
            for plist in [fromPlutil, fromPython] {
                let type = String(name.split(separator: ".")[0])
                #expect(plist?["Label"] as? String == label)
                #expect(plist?["ProgramArguments"] as? [String] == ["/bin/sh", "-c", ExportFixture.script(of: type)])
                #expect(plist?["EnvironmentVariables"] as? [String: String] == fixture.expectedEnvironment(of: name, port: port))
                #expect(plist?["WorkingDirectory"] as? String == fixture.root)
                #expect(plist?["UserName"] as? String == "deploy")
                #expect(plist?["RunAtLoad"] as? Bool == true)
                #expect(plist?["KeepAlive"] as? Bool == true, "exports restart always by default")
                #expect(plist?["ExitTimeOut"] as? Int == 5)
                #expect(plist?["StandardOutPath"] as? String == "\(fixture.sandbox.path)/logs/\(label).log")
                #expect(plist?["StandardErrorPath"] as? String == "\(fixture.sandbox.path)/logs/\(label).log")
            }
        }
    }
}
