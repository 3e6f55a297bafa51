import Foundation
import Testing

/// The Compose export: `docker-compose config` (no engine needed) accepts it and
/// resolves the same services, replicas, commands and environment.
@Suite struct ComposeExportTests {
    static let installed = ExternalTool.has("docker-compose") && ExternalTool.python(imports: "yaml", "json")

    @Test(.enabled(if: installed, "docker-compose is not installed: apt-get install docker-compose (or pip install docker-compose)"))
    func dockerComposeConfigResolvesTheFormation() throws {
        let fixture = try ExportFixture()
        // Not in the root: Compose would read drover's .env for its own interpolation.
        let directory = "\(fixture.sandbox.path)/compose"
        let outcome = try fixture.export("compose", to: directory, ["--image", "registry.example/app:1", "-t", "2.5"])
        #expect(outcome.stdout == "wrote \(directory)/compose.yaml\n")
        let config = try ExternalTool.run("docker-compose", ["-f", "compose.yaml", "config"], in: directory)
        #expect(config.code == 0, "docker-compose config: \(config.stderr)")
        #expect(!config.stderr.contains("WARNING"), "\(config.stderr)")
        try fixture.sandbox.write("resolved.yaml", config.stdout)
        let resolved =
            try ExternalTool.pythonJSON(
                "import yaml, json, sys; print(json.dumps(yaml.safe_load(open(sys.argv[1], encoding='utf-8'))))",
                file: "\(fixture.sandbox.path)/resolved.yaml") as? [String: Any]
        let services = resolved?["services"] as? [String: [String: Any]] ?? [:]
        #expect(services.keys.sorted() == ["stubborn", "web", "worker"])

        // `config` prints every $ escaped again, as $$.
        func printed(_ text: String) -> String { text.replacingOccurrences(of: "$", with: "$$") }
        for (type, replicas, port) in [("web", 2, 5000), ("worker", 1, 5100), ("stubborn", 1, 5200)] {
            let service = services[type]
            #expect((service?["deploy"] as? [String: Any])?["replicas"] as? Int == replicas)
            #expect(service?["image"] as? String == "registry.example/app:1")
            #expect(service?["command"] as? [String] == ["/bin/sh", "-c", printed(ExportFixture.script(of: type))])
            #expect(service?["stop_grace_period"] as? String == "2.5s")
            #expect(service?["restart"] as? String == "always")
            var environment = fixture.expectedEnvironment(of: "\(type).1", port: port).mapValues(printed)
            // Replicas share one environment: with two, PS would be wrong for one of them.
            if replicas > 1 { environment["PS"] = nil }
            #expect(service?["environment"] as? [String: String] == environment)
            #expect(service?["expose"] as? [String] == (type == "web" ? ["5000"] : nil))
        }
    }
}
