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
        let scripts = formation.types.map { checks.script(of: $0) }
        // XML 1.0 cannot write most control characters, not even as references.
        func refuse(_ text: String, _ problem: (String) -> Diagnostic) {
            if let scalar = PropertyList.firstUnwritable(in: text) {
                checks.fail(problem("holds U+\(Hex.digits(scalar.value, 4)), which XML property lists cannot hold"))
            }
        }
        for variable in formation.variables {
            refuse(variable.value.description) { Diagnostic("\(variable.location): the value of \(variable.name) \($0)") }
        }
        for (index, type) in formation.types.enumerated() {
            refuse(scripts[index]) { Diagnostic("\(type.commandLocation): the command of \(type.name) \($0)") }
        }
        refuse(formation.root) { Diagnostic("the root directory \"\(formation.root)\" \($0)") }
        // macOS's file names ignore case by default: web.1 and Web.1 would be one plist.
        var byLowercase: [String: String] = [:]
        for type in formation.types {
            if let other = byLowercase.updateValue(type.name, forKey: type.name.lowercased()) {
                checks.fail(
                    "\(type.commandLocation): types \"\(other)\" and \"\(type.name)\" would share their property lists' "
                        + "names on macOS, whose file names ignore case; rename one")
            }
        }
        if let user = formation.user { refuse(user.text) { user.invalid("it \($0)", option: .user) } }
        if let log = formation.logDirectory { refuse(log.text) { log.invalid("it \($0)", option: .logDirectory) } }
        try checks.finish()

        let logDirectory = formation.logDirectory?.text ?? defaultLogDirectory(app: formation.app)
        let marker = ExportMarker(format: .launchd, app: formation.app)
        var files: [ExportedFile] = []
        for (index, type) in formation.types.enumerated() {
            for instance in type.instances {
                let label = formation.instanceName(instance)
                // Seconds between starts (launchd's default is 10); at least 1.
                let throttle = max(1, Seconds.roundedUp(milliseconds: type.settings.backoff.firstDelayMilliseconds))
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
                    ("ThrottleInterval", .integer(throttle)),
                    ("StandardOutPath", .string("\(logDirectory)/\(label).log")),
                    ("StandardErrorPath", .string("\(logDirectory)/\(label).log")),
                ]
                if let user = formation.user { entries.append(("UserName", .string(user.text))) }
                files.append(
                    ExportedFile(
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
