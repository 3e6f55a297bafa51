import DroverCore
import Testing

@Suite struct DefaultsFileTests {
    @Test func readsDroverKeyValueLines() throws {
        let text = "# defaults\nprocfile=Procfile.dev\n env = a.env,b.env \nformation=all=1,web=2\nport=3000\ntimeout=2\nroot=app\n"
        let options = try DefaultsFile.parse(text, file: ".drover", syntax: .keyEqualsValue).get()
        #expect(options[.procfile] == OptionValue("Procfile.dev", origin: .file(path: ".drover", line: 2)))
        #expect(options[.env]?.text == "a.env,b.env")
        #expect(options[.formation]?.text == "all=1,web=2")
        #expect(options[.port]?.text == "3000")
        #expect(options[.timeout]?.text == "2")
        #expect(options[.root] == OptionValue("app", origin: .file(path: ".drover", line: 7)))
    }

    @Test func readsForemansYamlFile() throws {
        let text = "---\nprocfile: \"Procfile.dev\"\nconcurrency: web=2\nport: 4000\nenv: '.env.local'\n"
        let options = try DefaultsFile.parse(text, file: ".foreman", syntax: .yamlMapping).get()
        #expect(options[.procfile]?.text == "Procfile.dev")
        #expect(options[.formation]?.text == "web=2")
        #expect(options[.port]?.text == "4000")
        #expect(options[.env]?.text == ".env.local")
    }

    @Test func reportsEveryBadLine() {
        let text = "procfile=P\nnonsense\ncolour=always\nprocfile=Q\n"
        guard case .failure(let errors) = DefaultsFile.parse(text, file: ".drover", syntax: .keyEqualsValue) else {
            Issue.record("expected errors")
            return
        }
        #expect(
            errors.all.map(\.message) == [
                #".drover:2: expected key=value or [TYPE], got "nonsense""#,
                #".drover:3: unknown option "colour" (known: procfile, env, root, formation, port, timeout, color, no-timestamp, no-prefix, socket, restart, can-die, restart-delay, restart-max-delay, restart-limit, tty, ready, ready-timeout, after, listen, listen-address, watch, watch-ignore, watch-debounce, log-format, app, user, log, image)"#,
                #".drover:4: option "procfile" is already set on line 1"#,
            ])
    }

    /// foreman keeps its export settings in `.foreman` too; `export` reads them.
    @Test func foremansExportKeysAreRead() throws {
        let text = "app: myapp\nuser: deploy\nlog: /var/log/myapp\n"
        let options = try DefaultsFile.parse(text, file: ".foreman", syntax: .yamlMapping).get()
        #expect(options[.app]?.text == "myapp")
        #expect(options[.user]?.text == "deploy")
        #expect(options[.logDirectory]?.text == "/var/log/myapp")
    }

    @Test func foremanOnlyKeysPointAtDrover() {
        guard case .failure(let errors) = DefaultsFile.parse("template: ./t\n", file: ".foreman", syntax: .yamlMapping)
        else {
            Issue.record("expected errors")
            return
        }
        #expect(
            errors.all.map(\.message) == [
                #".foreman:1: unknown option "template" (known: procfile, env, root, formation, port, timeout, color, no-timestamp, no-prefix, socket, restart, can-die, restart-delay, restart-max-delay, restart-limit, tty, ready, ready-timeout, after, listen, listen-address, watch, watch-ignore, watch-debounce, log-format, app, user, log, image); a .drover file, if present, is read instead"#
            ])
    }

    @Test func commandLineWins() {
        let file = LaunchOptions([
            .port: OptionValue("3000", origin: .file(path: ".drover", line: 1)),
            .timeout: OptionValue("9", origin: .file(path: ".drover", line: 2)),
        ])
        let flags = LaunchOptions([.port: OptionValue("4000", origin: .commandLine(flag: "-p"))])
        let merged = file.overridden(by: flags)
        #expect(merged[.port]?.text == "4000")
        #expect(merged[.timeout]?.text == "9")
    }
}

@Suite struct FilePathTests {
    @Test func joinsAndSplits() {
        #expect(FilePath.join(".", ".env") == ".env")
        #expect(FilePath.join("app", ".env") == "app/.env")
        #expect(FilePath.join("app/", ".env") == "app/.env")
        #expect(FilePath.join("app", "/abs") == "/abs")
        #expect(FilePath.directory(of: "Procfile") == ".")
        #expect(FilePath.directory(of: "config/Procfile") == "config")
        #expect(FilePath.directory(of: "/Procfile") == "/")
        #expect(FilePath.directory(of: "/srv/app/Procfile") == "/srv/app")
        #expect(FilePath.absolute(".", from: "/home/u") == "/home/u")
        #expect(FilePath.absolute("../x/./y", from: "/home/u") == "/home/x/y")
        #expect(FilePath.absolute("/a/b/..", from: "/home/u") == "/a")
    }

    @Test func secondsPrint() {
        #expect(Seconds.text(milliseconds: 5000) == "5s")
        #expect(Seconds.text(milliseconds: 500) == "0.5s")
        #expect(Seconds.text(milliseconds: 2250) == "2.25s")
        #expect(Seconds.text(milliseconds: 1005) == "1.005s")
        #expect(Seconds.text(milliseconds: 0) == "0s")
    }

    @Test func secondsParse() {
        #expect(Seconds.milliseconds("5") == 5000)
        #expect(Seconds.milliseconds("0.5") == 500)
        #expect(Seconds.milliseconds("2.25") == 2250)
        #expect(Seconds.milliseconds("0") == 0)
        for bad in ["", "-1", "1.", ".5", "1.2345", "abc", "1e3", "86401"] {
            #expect(Seconds.milliseconds(bad) == nil, "\(bad)")
        }
    }
}
