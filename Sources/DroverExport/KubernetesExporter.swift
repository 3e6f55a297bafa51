import DroverCore

/// `APP.yaml`: a ConfigMap with the env files' variables, a Deployment per type that
/// restarts always (a Job for the others: a Deployment can only restart), and a
/// Service per type that serves on `$PORT`.
///
/// Replicas of one Deployment cannot differ in their environment: every replica gets
/// instance 1's PORT, and PS is the pod's name (the downward API), unique per replica.
enum KubernetesExporter: Exporter {
    static func fileName(app: String) -> String { "\(app).yaml" }

    static func files(for formation: ExportFormation) throws(Diagnostics) -> [ExportedFile] {
        var checks = ExportChecks("Kubernetes files")
        checks.requireText(formation)
        let app = KubernetesName.app(formation.app, checks: &checks)
        let names = KubernetesName.types(formation.types, app: app, checks: &checks)
        var runAsUser: Int?
        if let user = formation.user {
            runAsUser = WholeNumber.parse(user.text, maximum: Int(Int32.max))
            if runAsUser == nil {
                checks.fail(user.invalid("Kubernetes runs a container as a numeric user id (runAsUser)", option: .user))
            }
        }
        if formation.image == nil {
            checks.fail("kubernetes needs --image IMAGE: the image the containers run", kind: .usage)
        }
        let shared = formation.variables.filter { $0.name != "PORT" && $0.name != "PS" }
        KubernetesName.checkConfigMap(shared, checks: &checks)
        let scripts = formation.types.map { checks.script(of: $0) }
        try checks.finish()
        let image = formation.image?.text ?? "" // checked above: there is one

        let configMap = app + "-env"
        var documents: [YAMLValue] = [
            object(
                "v1", "ConfigMap", name: configMap, labels: [("app", app)],
                [
                    YAMLEntry("data", .mapping(shared.map { YAMLEntry($0.name, .string($0.value.description)) }))
                ])
        ]
        for (index, type) in formation.types.enumerated() {
            let name = "\(app)-\(names[index])"
            let labels = [("app", app), ("process-type", names[index])]
            let container = container(
                type, name: names[index], image: image, script: scripts[index], configMap: configMap)
            var pod: [YAMLEntry] = []
            if type.settings.restart != .always {
                pod.append(YAMLEntry("restartPolicy", .string(type.settings.restart == .onFailure ? "OnFailure" : "Never")))
            }
            pod.append(YAMLEntry("terminationGracePeriodSeconds", .integer(formation.stopTimeoutSeconds)))
            if let runAsUser {
                pod.append(YAMLEntry("securityContext", .mapping([YAMLEntry("runAsUser", .integer(runAsUser))])))
            }
            pod.append(YAMLEntry("containers", .sequence([container])))
            let template = YAMLValue.mapping([
                YAMLEntry("metadata", .mapping([YAMLEntry("labels", mapping(labels))])),
                YAMLEntry("spec", .mapping(pod)),
            ])
            documents.append(workload(type, name: name, labels: labels, template: template))
            if type.takesPort {
                let port = YAMLValue.mapping([
                    YAMLEntry("port", .integer(type.port)), YAMLEntry("targetPort", .integer(type.port)),
                ])
                documents.append(
                    object(
                        "v1", "Service", name: name, labels: labels,
                        [
                            YAMLEntry("spec", .mapping([YAMLEntry("selector", mapping(labels)), YAMLEntry("ports", .sequence([port]))]))
                        ]))
            }
        }
        let marker = ExportMarker(format: .kubernetes, app: formation.app)
        return [ExportedFile(path: fileName(app: formation.app), text: YAML.stream(documents, comments: [marker.sentence]))]
    }

    /// The type's one container: `/bin/sh -c SCRIPT`, the ConfigMap's variables, then
    /// PORT (instance 1's) and PS (the pod's name), and the port if the type serves one.
    private static func container(
        _ type: ExportedType, name: String, image: String, script: String, configMap: String
    ) -> YAMLValue {
        let configMapRef = YAMLValue.mapping([YAMLEntry("configMapRef", .mapping([YAMLEntry("name", .string(configMap))]))])
        let podName = YAMLValue.mapping([YAMLEntry("fieldRef", .mapping([YAMLEntry("fieldPath", .string("metadata.name"))]))])
        var entries = [
            YAMLEntry("name", .string(name)),
            YAMLEntry("image", .string(image)),
            YAMLEntry("command", .sequence([.string("/bin/sh"), .string("-c"), .string(escapedReferences(script))])),
            YAMLEntry("envFrom", .sequence([configMapRef])),
            YAMLEntry(
                "env",
                .sequence([
                    .mapping([YAMLEntry("name", .string("PORT")), YAMLEntry("value", .string(String(type.port)))]),
                    .mapping([YAMLEntry("name", .string("PS")), YAMLEntry("valueFrom", podName)]),
                ])),
        ]
        if type.takesPort {
            entries.append(YAMLEntry("ports", .sequence([.mapping([YAMLEntry("containerPort", .integer(type.port))])])))
        }
        return .mapping(entries)
    }

    /// A Deployment for a type that restarts always; a Job, which runs to completion,
    /// for one that does not (its pod template says `restartPolicy`).
    private static func workload(
        _ type: ExportedType, name: String, labels: [(String, String)], template: YAMLValue
    ) -> YAMLValue {
        let count = type.instances.count
        if type.settings.restart == .always {
            return object(
                "apps/v1", "Deployment", name: name, labels: labels,
                [
                    YAMLEntry(
                        "spec",
                        .mapping([
                            YAMLEntry("replicas", .integer(count)),
                            YAMLEntry("selector", .mapping([YAMLEntry("matchLabels", mapping(labels))])),
                            YAMLEntry("template", template),
                        ]))
                ])
        }
        // `no`: never again.
        let backoffLimit = type.settings.restart == .no ? 0 : type.restartLimitCount
        return object(
            "batch/v1", "Job", name: name, labels: labels,
            [
                YAMLEntry(
                    "spec",
                    .mapping([
                        YAMLEntry("completions", .integer(count)),
                        YAMLEntry("parallelism", .integer(count)),
                        YAMLEntry("backoffLimit", .integer(backoffLimit)),
                        YAMLEntry("template", template),
                    ]))
            ])
    }

    /// `apiVersion`, `kind`, `metadata` (name and labels), then `rest`.
    private static func object(
        _ apiVersion: String, _ kind: String, name: String, labels: [(String, String)], _ rest: [YAMLEntry]
    ) -> YAMLValue {
        .mapping(
            [
                YAMLEntry("apiVersion", .string(apiVersion)),
                YAMLEntry("kind", .string(kind)),
                YAMLEntry("metadata", .mapping([YAMLEntry("name", .string(name)), YAMLEntry("labels", mapping(labels))])),
            ] + rest)
    }

    private static func mapping(_ labels: [(String, String)]) -> YAMLValue {
        .mapping(labels.map { YAMLEntry($0.0, .string($0.1)) })
    }

    /// Kubernetes expands `$(NAME)` in a command and reads `$$` as `$`: a `$` before
    /// `(` or another `$` is doubled so the shell gets the script as written.
    static func escapedReferences(_ script: String) -> String {
        var escaped = ""
        var scalars = script.unicodeScalars.makeIterator()
        var next = scalars.next()
        while let current = next {
            next = scalars.next()
            escaped.unicodeScalars.append(current)
            if current == "$", next == "(" || next == "$" { escaped += "$" }
        }
        return escaped
    }
}

/// Names as Kubernetes takes them: DNS labels (lower-case letters, digits and `-`,
/// at most 63, starting with a letter for a Service).
enum KubernetesName {
    static let maximumLength = 63

    /// The app's part of every name; a problem if it cannot start a Service name.
    static func app(_ app: String, checks: inout ExportChecks) -> String {
        let name = label(app)
        if name.unicodeScalars.first.map({ !("a"..."z").contains($0) }) ?? true {
            checks.fail(
                "the app name \"\(app)\" does not start with a letter, as Kubernetes Service names must; give one with -a",
                kind: .usage)
        }
        return name
    }

    /// Each type's part, in the order given; a problem for a name that maps to nothing,
    /// that two types share, or that makes `APP-TYPE` too long.
    static func types(_ types: [ExportedType], app: String, checks: inout ExportChecks) -> [String] {
        var owners: [String: String] = [:]
        return types.map { type in
            let name = label(type.name)
            if name.isEmpty {
                checks.fail("\(type.commandLocation): the type name \"\(type.name)\" leaves nothing for a Kubernetes name")
            } else if let other = owners.updateValue(type.name, forKey: name) {
                checks.fail(
                    "\(type.commandLocation): types \"\(other)\" and \"\(type.name)\" would both be \"\(name)\" "
                        + "in Kubernetes names; "
                        + "rename one")
            } else if app.utf8.count + 1 + name.utf8.count > maximumLength {
                checks.fail(
                    "\(type.commandLocation): \"\(app)-\(name)\" is longer than the \(maximumLength) characters "
                        + "of a Kubernetes name; "
                        + "use a shorter type name or -a")
            }
            return name
        }
    }

    /// The API server refuses a ConfigMap key over 253 characters and data over 1 MiB,
    /// though a schema check passes both.
    static func checkConfigMap(_ variables: [SourcedVariable], checks: inout ExportChecks) {
        let limit = 1_048_576
        var total = 0
        for variable in variables {
            if variable.name.utf8.count > 253 {
                checks.fail("\(variable.location): \(variable.name.prefix(20))... is longer than the 253 characters of a ConfigMap key")
            }
            total += variable.name.utf8.count + variable.value.count
            if total > limit {
                checks.fail("\(variable.location): the env files' variables come to more than the 1 MiB a ConfigMap holds")
                return
            }
        }
    }

    /// Lower case, `_` as `-`, no `-` at either end.
    static func label(_ name: String) -> String {
        var label = String(name.lowercased().map { $0 == "_" ? "-" : $0 })
        while label.hasPrefix("-") { label.removeFirst() }
        while label.hasSuffix("-") { label.removeLast() }
        return label
    }
}
