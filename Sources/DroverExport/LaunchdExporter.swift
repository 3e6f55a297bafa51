import DroverCore

/// One property list per instance, `APP-TYPE-N.plist`, for `/Library/LaunchDaemons`
/// (or `~/Library/LaunchAgents`): launchd runs `/bin/sh -c SCRIPT` with the
/// instance's environment, keeps it alive as the restart policy says, and appends
/// its output to `LOG/APP-TYPE-N.log`.
enum LaunchdExporter: Exporter {
    /// foreman's default: a daemon may write there; an agent needs `-l`.
    static func defaultLogDirectory(app: String) -> String { "/var/log/\(app)" }

    static func files(for formation: ExportFormation) throws(Diagnostics) -> [ExportedFile] {
        var checks = ExportChecks("property lists")
        checks.requireText(formation)
        for variable in formation.variables {
            if let scalar = PropertyList.firstUnwritable(in: variable.value.description) {
                checks.fail(
                    "\(variable.location): the value of \(variable.name) holds the control character "
                        + "U+\(YAML.hex(scalar.value, digits: 4)), which XML property lists cannot hold")
            }
        }
        let scripts = formation.types.map { checks.script(of: $0) }
        try checks.finish()

        let logDirectory = formation.logDirectory ?? defaultLogDirectory(app: formation.app)
        let marker = ExportMarker(format: .launchd, app: formation.app)
        var files: [ExportedFile] = []
        for (index, type) in formation.types.enumerated() {
            for instance in type.instances {
                let label = "\(formation.app)-\(type.name)-\(instance.number)"
                let environment = formation.environment(of: instance).map {
                    (key: $0.name, value: PropertyListValue.string($0.value.description))
                }
                var entries: [(key: String, value: PropertyListValue)] = [
                    ("Label", .string(label)),
                    ("ProgramArguments", .array([.string("/bin/sh"), .string("-c"), .string(scripts[index])])),
                    ("EnvironmentVariables", .dictionary(environment)),
                    ("WorkingDirectory", .string(formation.root)),
                    ("RunAtLoad", .boolean(true)),
                    ("KeepAlive", keepAlive(type.settings.restart)),
                    // launchd waits this long after SIGTERM before SIGKILL; 0 would mean forever.
                    ("ExitTimeOut", .integer(max(1, formation.stopTimeoutSeconds))),
                    // Seconds between starts (launchd's default is 10); at least 1.
                    ("ThrottleInterval", .integer(max(1, (type.settings.backoff.firstDelayMilliseconds + 999) / 1000))),
                    ("StandardOutPath", .string("\(logDirectory)/\(label).log")),
                    ("StandardErrorPath", .string("\(logDirectory)/\(label).log")),
                ]
                if let user = formation.user { entries.append(("UserName", .string(user))) }
                files.append(ExportedFile(
                    path: "\(label).plist", text: PropertyList.document(.dictionary(entries), comment: marker.sentence)))
            }
        }
        return files
    }

    /// `always`: relaunch whatever the exit; `on-failure`: only after an unsuccessful
    /// one (`SuccessfulExit = false`); `no`: run once at load.
    static func keepAlive(_ policy: RestartPolicy) -> PropertyListValue {
        switch policy {
        case .always: .boolean(true)
        case .onFailure: .dictionary([("SuccessfulExit", .boolean(false))])
        case .no: .boolean(false)
        }
    }
}
