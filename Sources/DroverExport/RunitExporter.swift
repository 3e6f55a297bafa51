import DroverCore

/// A service directory per instance, `APP-TYPE-N/`, for `runsvdir` (link or move them
/// into `/etc/service`): `run` starts `/bin/sh -c SCRIPT` through `chpst -e env`, one
/// file per variable in `env/`, `log/run` gives the output to `svlogd`, and
/// `control/t` makes `sv down` stop the whole process group with drover's timeout,
/// and `finish` keeps a type that must not always restart down (runsv restarts
/// whatever ends).
enum RunitExporter: Exporter {
    static func files(for formation: ExportFormation) throws(Diagnostics) -> [ExportedFile] {
        var checks = ExportChecks("runit service directories")
        for variable in formation.variables where variable.name.utf8.count > ExportPlan.maximumNameBytes {
            checks.fail(
                "\(variable.location): \(variable.name.prefix(20))... is too long for a file name in env/ "
                    + "(at most \(ExportPlan.maximumNameBytes) bytes)")
        }
        try checks.finish()

        let marker = ExportMarker(format: .runit, app: formation.app).line + "\n"
        let user = formation.user.map { ShellQuoting.text($0.text) }
        var files: [ExportedFile] = []
        for type in formation.types {
            let script = ShellQuoting.quoted(type.script.bytes)
            for instance in type.instances {
                let service = formation.instanceName(instance)
                // Bytes, not text: a command or value that is not UTF-8 reaches the shell as it is.
                var run = Array("#!/bin/sh\n\(marker)exec 2>&1\n".utf8)
                run += Array("# chpst -e needs the absolute path: the root is entered next.\n".utf8)
                run += Array("env_dir=\"$(pwd -P)/env\"\n".utf8)
                run += Array("cd ".utf8) + ShellQuoting.quoted(Array(formation.root.utf8)) + Array(" || exit 111\n".utf8)
                var passed: [EnvironmentVariable] = []
                for variable in formation.environment(of: instance) {
                    if let contents = RunitSyntax.environmentFile(variable.value.bytes) {
                        files.append(ExportedFile(path: "\(service)/env/\(variable.name)", contents: contents))
                    } else {
                        passed.append(variable)
                    }
                }
                if !passed.isEmpty {
                    // An env file loses trailing blanks: env(1) sets such values, whatever their name.
                    let names = passed.map(\.name).joined(separator: ", ")
                    run += Array("# env/ cannot hold the trailing blanks of \(names): env(1) sets them.\nexec env ".utf8)
                    for variable in passed {
                        run += ShellQuoting.quoted(Array("\(variable.name)=".utf8) + variable.value.bytes) + [0x20]
                    }
                } else {
                    run += Array("exec ".utf8)
                }
                // -P: the program leads its own process group, which control/t stops whole.
                run += Array("chpst -P\(user.map { " -u \($0)" } ?? "") -e \"$env_dir\" /bin/sh -c ".utf8) + script + [0x0A]
                files.append(ExportedFile(path: "\(service)/run", contents: run, isExecutable: true))

                let seconds = formation.stopTimeoutSeconds
                let control = """
                    #!/bin/sh
                    \(marker)# sv down: SIGTERM to the service's whole process group, and SIGKILL to what is
                    # left of it after \(seconds) s (runsv alone signals one process and never kills).
                    pid=$(cat supervise/pid 2>/dev/null) && [ -n "$pid" ] || exit 1
                    kill -s TERM -- "-$pid" 2>/dev/null || exit 1
                    (sleep \(seconds); kill -s KILL -- "-$pid" 2>/dev/null) </dev/null >/dev/null 2>&1 &
                    exit 0

                    """
                files.append(ExportedFile(path: "\(service)/control/t", text: control, isExecutable: true))
                if let finish = RunitSyntax.finish(type.settings.restart) {
                    let text = "#!/bin/sh\n" + marker + finish
                    files.append(ExportedFile(path: "\(service)/finish", text: text, isExecutable: true))
                }

                let logDirectory = formation.logDirectory.map { ShellQuoting.text("\($0.text)/\(service)") } ?? "./main"
                var log = "#!/bin/sh\n" + marker + "mkdir -p \(logDirectory) || exit 111\n"
                if let user {
                    log += "chown \(user) \(logDirectory) || exit 111\n"
                    log += "exec chpst -u \(user) svlogd -tt \(logDirectory)\n"
                } else {
                    log += "exec svlogd -tt \(logDirectory)\n"
                }
                files.append(ExportedFile(path: "\(service)/log/run", text: log, isExecutable: true))
            }
        }
        return files
    }
}

/// How runit reads what the export writes (measured, docs/export.md).
enum RunitSyntax {
    /// The body of `finish` for a policy runsv does not follow by itself: `d` (what
    /// `sv down` sends) tells it to leave the service down once this run has ended;
    /// runsv reads it before deciding to restart, and has no process to signal then.
    /// (`o`, `sv once`, would start it once more.) runsv gives `finish` the exit code
    /// as `$1` (-1 after a signal).
    static func finish(_ policy: RestartPolicy) -> String? {
        switch policy {
        case .always:
            return nil
        case .no:
            return "# restart=no: runsv would start it again; once it has ended, it stays down.\n"
                + "printf d > supervise/control\n"
        case .onFailure:
            return "# restart=on-failure: after exit code 0 it stays down; after a failure runsv starts it again.\n"
                + "if [ \"$1\" = 0 ]; then printf d > supervise/control; fi\n"
        }
    }

    /// The value, with its line breaks as NULs (chpst turns NUL into a line break), and
    /// a final line break, so an empty value sets the variable instead of unsetting it.
    /// nil for a value ending in a space or tab, which chpst strips.
    static func environmentFile(_ value: [UInt8]) -> [UInt8]? {
        if let last = value.last, last == 0x20 || last == 0x09 { return nil }
        return value.map { $0 == 0x0A ? 0 : $0 } + [0x0A]
    }
}
