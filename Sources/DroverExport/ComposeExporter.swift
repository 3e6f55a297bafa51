import DroverCore

/// `compose.yaml`: a service per type, with its replicas, command, environment, stop
/// grace, restart policy and port.
///
/// The replicas of one service share one environment: all get instance 1's PORT
/// (each container has its own network, so they do not clash), and PS is `TYPE.1`
/// only when there is one replica: with more, PS is left out rather than be wrong.
enum ComposeExporter: Exporter {
    static let fileName = "compose.yaml"

    static func files(for formation: ExportFormation) throws(Diagnostics) -> [ExportedFile] {
        var checks = ExportChecks("Compose files")
        checks.requireText(formation)
        let scripts = formation.types.map { checks.script(of: $0) }
        try checks.finish()

        var services: [YAMLEntry] = []
        for (index, type) in formation.types.enumerated() {
            var service: [YAMLEntry] = []
            if let image = formation.image {
                service.append(YAMLEntry("image", .string(escapedDollars(image.text))))
            } else {
                service.append(YAMLEntry("build", .string(escapedDollars(formation.root))))
            }
            service.append(
                YAMLEntry(
                    "command", .sequence([.string("/bin/sh"), .string("-c"), .string(escapedDollars(scripts[index]))])))
            guard let first = type.instances.first else { continue }
            var environment = formation.environment(of: first)
            if type.instances.count > 1 { environment.removeAll { $0.name == "PS" } }
            service.append(
                YAMLEntry(
                    "environment", .mapping(environment.map { YAMLEntry($0.name, .string(escapedDollars($0.value.description))) })))
            if let user = formation.user { service.append(YAMLEntry("user", .string(user.text))) }
            let grace = Seconds.text(milliseconds: formation.stopTimeoutMilliseconds)
            service.append(YAMLEntry("stop_grace_period", .string(grace)))
            service.append(YAMLEntry("restart", .string(restart(type))))
            service.append(YAMLEntry("deploy", .mapping([YAMLEntry("replicas", .integer(type.instances.count))])))
            if type.takesPort {
                service.append(YAMLEntry("expose", .sequence([.string(String(type.port))])))
                // A host port can be published once: only a single replica gets it.
                if type.instances.count == 1 {
                    service.append(YAMLEntry("ports", .sequence([.string("\(type.port):\(type.port)")])))
                }
            }
            services.append(YAMLEntry(type.name, .mapping(service)))
        }
        // No top-level `name:`: Compose v1 (docker-compose 1.29) refuses it; the project
        // is named with `-p APP` (docs/export.md).
        let document = YAMLValue.mapping([YAMLEntry("services", .mapping(services))])
        let marker = ExportMarker(format: .compose, app: formation.app)
        return [ExportedFile(path: fileName, text: YAML.document(document, comments: [marker.sentence]))]
    }

    /// `always`, `"no"`, or `on-failure:N` with drover's restart limit (Compose's
    /// `on-failure` alone never gives up).
    static func restart(_ type: ExportedType) -> String {
        let limit = type.settings.backoff.limit
        return type.settings.restart == .onFailure && limit > 0 ? "on-failure:\(limit)" : type.settings.restart.rawValue
    }

    /// Compose interpolates `$NAME` and `${NAME}` in every value and reads `$$` as `$`.
    static func escapedDollars(_ text: String) -> String {
        text.contains("$") ? String(text.flatMap { $0 == "$" ? ["$", "$"] : [$0] }) : text
    }
}
