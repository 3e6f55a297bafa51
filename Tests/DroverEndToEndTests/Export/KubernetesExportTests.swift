import Foundation
import Testing

/// The Kubernetes export: valid for kubernetes-validate in strict mode, and read back
/// by a YAML 1.1 reader (PyYAML) as the formation.
@Suite struct KubernetesExportTests {
    static let validator = ExternalTool.has("kubernetes-validate")
    static let reader = ExternalTool.python(imports: "yaml", "json")

    @Test(.enabled(if: validator, "kubernetes-validate is not installed: pip install kubernetes-validate"))
    func kubernetesValidateAcceptsEveryObjectInStrictMode() throws {
        let fixture = try ExportFixture()
        // worker and stubborn become Jobs (OnFailure, Never): a Deployment can only restart.
        let outcome = try fixture.export(
            "kubernetes", to: "\(fixture.sandbox.path)/k8s",
            ["--image", "registry.example/app:1", "-r", "worker=on-failure", "--can-die", "stubborn", "-u", "1000"])
        #expect(outcome.stdout == "wrote \(fixture.sandbox.path)/k8s/app.yaml\n")
        let validate = try ExternalTool.run("kubernetes-validate", ["--strict", "app.yaml"], in: "\(fixture.sandbox.path)/k8s")
        #expect(validate.code == 0, "\(validate.stdout)\(validate.stderr)")
        // An unknown kind is only a warning for it: every object must be named as passed.
        let lines = (validate.stdout + validate.stderr).split(separator: "\n")
        #expect(lines.allSatisfy { $0.hasPrefix("INFO ") && $0.contains(" passed for resource ") }, "\(lines)")
        #expect(
            lines.map { $0.split(separator: " ").dropFirst(5).first.map(String.init) ?? "" } == [
                "configmap/app-env", "deployment/app-web", "service/app-web", "job/app-worker", "job/app-stubborn",
            ])
    }

    @Test(.enabled(if: reader, "PyYAML is not installed: pip install pyyaml"))
    func theObjectsReadBackAsTheFormation() throws {
        let fixture = try ExportFixture()
        let stdout = try DroverProcess.run(
            ["export", "kubernetes", "-", "--image", "registry.example/app:1", "-t", "30"] + ExportFixture.formation,
            in: fixture.root)
        try fixture.sandbox.write("app.yaml", stdout.stdout)
        let documents =
            try ExternalTool.pythonJSON(
                "import yaml, json, sys; print(json.dumps(list(yaml.safe_load_all(open(sys.argv[1], encoding='utf-8')))))",
                file: "\(fixture.sandbox.path)/app.yaml") as? [[String: Any]] ?? []
        let byName = Dictionary(
            documents.map { (document: [String: Any]) -> (String, [String: Any]) in
                let metadata = document["metadata"] as? [String: Any]
                return ("\(document["kind"] ?? "")/\(metadata?["name"] ?? "")", document)
            }, uniquingKeysWith: { first, _ in first })

        var shared = ExportFixture.values
        shared["DUMP_DIR"] = fixture.dump
        #expect((byName["ConfigMap/app-env"]?["data"] as? [String: String]) == shared)
        for (type, replicas, port) in [("web", 2, 5000), ("worker", 1, 5100), ("stubborn", 1, 5200)] {
            let deployment = byName["Deployment/app-\(type)"]
            let spec = deployment?["spec"] as? [String: Any]
            #expect(spec?["replicas"] as? Int == replicas)
            let pod = (spec?["template"] as? [String: Any])?["spec"] as? [String: Any]
            #expect(pod?["terminationGracePeriodSeconds"] as? Int == 30)
            let container = (pod?["containers"] as? [[String: Any]])?.first
            #expect(container?["image"] as? String == "registry.example/app:1")
            let command = container?["command"] as? [String] ?? []
            #expect(command.count == 3 && command[0] == "/bin/sh" && command[1] == "-c")
            // What the kubelet runs: $(NAME) expanded and $$ read as $, as Kubernetes does.
            let names = Set(shared.keys).union(["PORT", "PS"])
            #expect(Self.kubeletExpansion(command.last ?? "", known: names) == ExportFixture.script(of: type))
            let env = container?["env"] as? [[String: Any]] ?? []
            #expect(env.first?["name"] as? String == "PORT" && env.first?["value"] as? String == String(port))
            let ports = container?["ports"] as? [[String: Any]]
            #expect((ports?.first?["containerPort"] as? Int) == (type == "web" ? port : nil))
            let labels = (deployment?["metadata"] as? [String: Any])?["labels"] as? [String: String]
            #expect(labels == ["app": "app", "process-type": type])
        }
        let service = byName["Service/app-web"]?["spec"] as? [String: Any]
        #expect((service?["selector"] as? [String: String]) == ["app": "app", "process-type": "web"])
        #expect(byName["Service/app-worker"] == nil, "worker does not use $PORT")
    }

    /// Kubernetes' rule for `command`: `$$` is `$`, `$(NAME)` of a known variable is its
    /// value (here a marker), anything else stays as written.
    static func kubeletExpansion(_ text: String, known: Set<String>) -> String {
        var result = ""
        var rest = Substring(text)
        while let dollar = rest.firstIndex(of: "$") {
            result += rest[..<dollar]
            let after = rest[rest.index(after: dollar)...]
            if after.first == "$" {
                result += "$"
                rest = after.dropFirst()
            } else if after.first == "(", let close = after.firstIndex(of: ")") {
                let name = String(after[after.index(after: after.startIndex)..<close])
                result += known.contains(name) ? "<\(name)>" : "$(\(name))"
                rest = after[after.index(after: close)...]
            } else {
                result += "$"
                rest = after
            }
        }
        return result + rest
    }
}
