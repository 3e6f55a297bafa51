import Foundation
import Testing

/// `drover export` as a user meets it: its operands and flags, the directory it
/// writes, and what it leaves alone there.
@Suite struct ExportCommandTests {
    static func sandbox(_ procfile: String = "web: serve $PORT\nworker: work\n", env: String = "") throws -> Sandbox {
        let sandbox = try Sandbox()
        try sandbox.write("shop/Procfile", procfile)
        try sandbox.write("shop/.env", env)
        return sandbox
    }

    @Test func operandsAreChecked() throws {
        let sandbox = try Self.sandbox()
        let root = "\(sandbox.path)/shop"
        let unknown = try DroverProcess.run(["export", "upstart", "out"], in: root)
        #expect(unknown.code == 64)
        #expect(
            unknown.stderr == """
                drover: unknown export format "upstart" (formats: systemd, supervisord, runit, launchd, kubernetes, compose) (see 'drover export --help')

                """)
        let none = try DroverProcess.run(["export"], in: root)
        #expect(none.code == 64)
        #expect(none.stderr.hasPrefix("drover: export needs a FORMAT (systemd, supervisord, runit, launchd, kubernetes, compose)"))
        let noLocation = try DroverProcess.run(["export", "compose"], in: root)
        #expect(noLocation.code == 64)
        #expect(noLocation.stderr.hasPrefix("drover: export needs a LOCATION: a directory, or - for standard output"))
        let dash = try DroverProcess.run(["export", "systemd", "-"], in: root)
        #expect(dash.code == 64)
        #expect(dash.stderr.hasPrefix("drover: systemd writes several files: give a directory, not -"))
        let extra = try DroverProcess.run(["export", "runit", "a", "b"], in: root)
        #expect(extra.code == 64)
        #expect(extra.stderr.hasPrefix("drover: unexpected argument \"b\""))
        let image = try DroverProcess.run(["export", "kubernetes", "-"], in: root)
        #expect(image.code == 64)
        #expect(image.stderr == "drover: kubernetes needs --image IMAGE: the image the containers run\n")
        #expect(image.stdout == "")
        for outcome in [unknown, none, noLocation, dash, extra, image] { #expect(outcome.stdout == "") }
        #expect(!FileManager.default.fileExists(atPath: "\(root)/out"), "nothing written")
    }

    @Test func aOneFileFormatGoesToStandardOutput() throws {
        let sandbox = try Self.sandbox(env: "GREETING=hello world\n")
        let outcome = try DroverProcess.run(["export", "compose", "-", "-m", "web=1,worker=0"], in: "\(sandbox.path)/shop")
        #expect(outcome.code == 0)
        #expect(outcome.stderr == "")
        #expect(
            outcome.stdout.hasPrefix(
                "# Written by drover export compose for app shop; the next export of shop replaces or removes this file.\n"))
        #expect(outcome.stdout.contains("      GREETING: \"hello world\"\n"))
        #expect(!outcome.stdout.contains("worker"), "counts of 0 are left out")
    }

    @Test func theDirectoryIsMadeAndEveryFileIsNamedOnce() throws {
        let sandbox = try Self.sandbox()
        let outcome = try DroverProcess.run(
            ["export", "systemd", "../units/system", "-m", "web=2", "-a", "store"], in: "\(sandbox.path)/shop")
        #expect(outcome.code == 0, "\(outcome.stderr)")
        #expect(
            outcome.stdout == """
                wrote ../units/system/store.target
                wrote ../units/system/store-web.1.service
                wrote ../units/system/store-web.2.service

                """)
        let unit = sandbox.text("units/system/store-web.2.service")
        #expect(unit.contains("\nEnvironment=\"PORT=5001\"\nEnvironment=\"PS=web.2\"\n"))
        #expect(unit.contains("\nWorkingDirectory=\(sandbox.path)/shop\n"))
        #expect(unit.contains("\nRestart=always\n"), "exports restart always by default")
    }

    @Test func aLaterExportRemovesItsStaleFilesAndNothingElse() throws {
        let sandbox = try Self.sandbox()
        let root = "\(sandbox.path)/shop"
        #expect(try DroverProcess.run(["export", "systemd", "../units", "-m", "web=3,worker=1"], in: root).code == 0)
        #expect(try DroverProcess.run(["export", "systemd", "../units", "-a", "shop-api"], in: root).code == 0)
        try sandbox.write("units/shop-mine.service", "[Service]\nExecStart=/bin/true\n")
        try sandbox.write("units/other.service", "[Service]\nExecStart=/bin/true\n")

        let again = try DroverProcess.run(["export", "systemd", "../units", "-m", "web=1"], in: root)
        #expect(again.code == 0, "\(again.stderr)")
        #expect(
            again.stdout == """
                wrote ../units/shop.target
                wrote ../units/shop-web.1.service
                removed ../units/shop-web.2.service
                removed ../units/shop-web.3.service
                removed ../units/shop-worker.1.service

                """)
        let left = try FileManager.default.contentsOfDirectory(atPath: "\(sandbox.path)/units").sorted()
        #expect(
            left == [
                "other.service", "shop-api-web.1.service", "shop-api-worker.1.service", "shop-api.target",
                "shop-mine.service", "shop-web.1.service", "shop.target",
            ])
    }

    /// Only names the format writes are ever removed: a copy someone kept is not one.
    @Test func copiesOfExportedFilesAreLeftAlone() throws {
        let sandbox = try Self.sandbox()
        let root = "\(sandbox.path)/shop"
        #expect(try DroverProcess.run(["export", "systemd", "../units", "-m", "web=2"], in: root).code == 0)
        #expect(try DroverProcess.run(["export", "runit", "../service", "-m", "web=2"], in: root).code == 0)
        let units = "\(sandbox.path)/units"
        for (from, to) in [("shop.target", "shop.target.bak"), ("shop-web.2.service", "shop-web.2.service~")] {
            try FileManager.default.copyItem(atPath: "\(units)/\(from)", toPath: "\(units)/\(to)")
        }
        try FileManager.default.copyItem(atPath: "\(sandbox.path)/service/shop-web-2", toPath: "\(sandbox.path)/service/shop-web-2.old")
        let systemd = try DroverProcess.run(["export", "systemd", "../units", "-m", "web=1"], in: root)
        #expect(systemd.stdout.hasSuffix("removed ../units/shop-web.2.service\n"), "\(systemd.stdout)")
        let runit = try DroverProcess.run(["export", "runit", "../service", "-m", "web=1"], in: root)
        #expect(runit.stdout.hasSuffix("removed ../service/shop-web-2\n"), "\(runit.stdout)")
        #expect(
            try FileManager.default.contentsOfDirectory(atPath: units).sorted() == [
                "shop-web.1.service", "shop-web.2.service~", "shop.target", "shop.target.bak",
            ])
        #expect(
            try FileManager.default.contentsOfDirectory(atPath: "\(sandbox.path)/service").sorted() == [
                "shop-web-1", "shop-web-2.old",
            ])
    }

    /// What would fail half-way (a name too long, a file where a directory must be) is
    /// found before anything is written.
    @Test func whatWouldStopTheWriteHalfWayStopsItBefore() throws {
        let long = String(repeating: "w", count: 250)
        let sandbox = try Self.sandbox("web: serve\n\(long): work\n")
        let root = "\(sandbox.path)/shop"
        let outcome = try DroverProcess.run(["export", "systemd", "../units"], in: root)
        #expect(outcome.code == 1)
        #expect(
            outcome.stderr == """
                drover: the file name "shop-\(long).1.service" is longer than the 255 bytes a name may have; use a shorter type name or -a

                """)
        #expect(!FileManager.default.fileExists(atPath: "\(sandbox.path)/units"), "not even the location is made")

        try sandbox.write("shop/Procfile", "web: serve\n")
        #expect(try DroverProcess.run(["export", "runit", "../service", "-m", "web=2"], in: root).code == 0)
        try FileManager.default.removeItem(atPath: "\(sandbox.path)/service/shop-web-2/env")
        try sandbox.write("service/shop-web-2/env", "not a directory\n")
        try sandbox.write("shop/.env", "NEW=1\n")
        let blocked = try DroverProcess.run(["export", "runit", "../service", "-m", "web=2"], in: root)
        #expect(blocked.code == 1)
        #expect(blocked.stderr.hasPrefix("drover: ../service/shop-web-2/env is not a directory, and the export writes into it"))
        #expect(!FileManager.default.fileExists(atPath: "\(sandbox.path)/service/shop-web-1/env/NEW"), "nothing written")
    }

    @Test func aLinkToADirectoryIsALocationAndNothingElseIsBlank() throws {
        let sandbox = try Self.sandbox()
        let root = "\(sandbox.path)/shop"
        try FileManager.default.createDirectory(atPath: "\(sandbox.path)/real", withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: "\(sandbox.path)/service", withDestinationPath: "\(sandbox.path)/real")
        let linked = try DroverProcess.run(["export", "runit", "../service"], in: root)
        #expect(linked.code == 0, "\(linked.stderr)")
        #expect(FileManager.default.fileExists(atPath: "\(sandbox.path)/real/shop-web-1/run"))
        let blank = try DroverProcess.run(["export", "runit", ""], in: root)
        #expect(blank.code == 64)
        #expect(blank.stderr.hasPrefix("drover: the LOCATION cannot be empty"))
        let noLog = try DroverProcess.run(["export", "runit", "../service", "-l", ""], in: root)
        #expect(noLog.code == 64)
        #expect(noLog.stderr == "drover: invalid value \"\" for -l: a log directory cannot be empty\n")
        let user = try DroverProcess.run(["export", "systemd", "../units", "-u", "deploy:staff"], in: root)
        #expect(user.code == 64)
        #expect(user.stderr.hasPrefix("drover: invalid value \"deploy:staff\" for -u: a user is a name of letters"))
    }

    @Test func whatAFormatCannotCarryIsSaid() throws {
        let sandbox = try Self.sandbox()
        let root = "\(sandbox.path)/shop"
        let outcome = try DroverProcess.run(
            ["export", "runit", "../service", "--restart-limit", "3", "--restart-delay", "1"], in: root)
        #expect(outcome.code == 0)
        #expect(
            outcome.stderr == """
                drover: note: runit cannot carry --restart-delay (runsv restarts after a second); the files leave it out
                drover: note: runit cannot carry --restart-limit (runsv restarts without a limit); the files leave it out

                """)
        try sandbox.write("shop/.drover", "restart-limit=3\n")
        let quiet = try DroverProcess.run(["export", "runit", "../service"], in: root)
        #expect(quiet.code == 0)
        #expect(quiet.stderr == "", "a .drover's restart settings are start's too: no note")
        let carried = try DroverProcess.run(["export", "systemd", "../units", "--restart-limit", "3"], in: root)
        #expect(carried.stderr == "")
    }

    @Test func reportedPathsShowControlCharactersEscaped() throws {
        let sandbox = try Self.sandbox()
        let outcome = try DroverProcess.run(["export", "compose", "../out\u{1B}[31m"], in: "\(sandbox.path)/shop")
        #expect(outcome.code == 0)
        #expect(outcome.stdout == "wrote ../out\\u{1b}[31m/compose.yaml\n")
        let full = try DroverProcess.runProgram(
            "/bin/sh", ["sh", "-c", "exec \"$0\" export compose ../full > /dev/full", DroverProcess.binary],
            in: "\(sandbox.path)/shop")
        #expect(full.code == 1)
        #expect(full.stderr == "drover: the export is written, but its report could not be: no space left on device\n")
    }

    @Test func aFileThatIsNotTheAppsStopsTheExportBeforeAnythingIsWritten() throws {
        let sandbox = try Self.sandbox()
        let root = "\(sandbox.path)/shop"
        try sandbox.write("units/shop.target", "[Unit]\nDescription=written by hand\n")
        let outcome = try DroverProcess.run(["export", "systemd", "../units"], in: root)
        #expect(outcome.code == 1)
        #expect(
            outcome.stderr == """
                drover: ../units/shop.target exists and was not written by drover export; move it away or export to another location

                """)
        #expect(try FileManager.default.contentsOfDirectory(atPath: "\(sandbox.path)/units") == ["shop.target"])
        #expect(sandbox.text("units/shop.target") == "[Unit]\nDescription=written by hand\n")

        // Compose's file has a fixed name: one written by hand is never replaced.
        try sandbox.write("compose/compose.yaml", "services: {}\n")
        let compose = try DroverProcess.run(["export", "compose", "../compose"], in: root)
        #expect(compose.code == 1)
        #expect(sandbox.text("compose/compose.yaml") == "services: {}\n")
    }

    @Test func aLinkIsNeverFollowedNorReplaced() throws {
        let sandbox = try Self.sandbox()
        let root = "\(sandbox.path)/shop"
        try sandbox.write("elsewhere/precious", "mine\n")
        try FileManager.default.createDirectory(atPath: "\(sandbox.path)/units", withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(
            atPath: "\(sandbox.path)/units/shop.target", withDestinationPath: "\(sandbox.path)/elsewhere/precious")
        let outcome = try DroverProcess.run(["export", "systemd", "../units"], in: root)
        #expect(outcome.code == 1)
        #expect(outcome.stderr.hasPrefix("drover: ../units/shop.target exists and was not written by drover export"))
        #expect(sandbox.text("elsewhere/precious") == "mine\n")
        #expect(
            try FileManager.default.destinationOfSymbolicLink(atPath: "\(sandbox.path)/units/shop.target")
                == "\(sandbox.path)/elsewhere/precious")
    }

    @Test func standardOutputThatCannotBeWrittenIsAnError() throws {
        let sandbox = try Self.sandbox()
        let outcome = try DroverProcess.runProgram(
            "/bin/sh", ["sh", "-c", "exec \"$0\" export compose - > /dev/full", DroverProcess.binary], in: "\(sandbox.path)/shop")
        #expect(outcome.code == 1)
        #expect(outcome.stderr == "drover: cannot write the compose file to standard output: no space left on device\n")
    }

    @Test func runitKeepsItsEnvironmentDirectoryExact() throws {
        let sandbox = try Self.sandbox("web: serve\n", env: "A=1\nB=2\n")
        let root = "\(sandbox.path)/shop"
        #expect(try DroverProcess.run(["export", "runit", "../service", "-r", "web=no"], in: root).code == 0)
        #expect(FileManager.default.fileExists(atPath: "\(sandbox.path)/service/shop-web-1/finish"))
        try sandbox.write("shop/.env", "A=1\n")
        // runsv's own files in the service directory are not the export's to remove.
        try sandbox.write("service/shop-web-1/supervise/stat", "run\n")
        let outcome = try DroverProcess.run(["export", "runit", "../service"], in: root)
        #expect(outcome.code == 0, "\(outcome.stderr)")
        // Restarting always needs no finish: the one a `no` left would keep it down.
        #expect(
            outcome.stdout.hasSuffix("removed ../service/shop-web-1/env/B\nremoved ../service/shop-web-1/finish\n"),
            "\(outcome.stdout)")
        #expect(
            try FileManager.default.contentsOfDirectory(atPath: "\(sandbox.path)/service/shop-web-1/env").sorted() == [
                "A", "PORT", "PS",
            ])
        #expect(sandbox.text("service/shop-web-1/supervise/stat") == "run\n")
        let mode = try FileManager.default.attributesOfItem(atPath: "\(sandbox.path)/service/shop-web-1/run")[.posixPermissions]
        #expect((mode as? Int).map { $0 & 0o111 != 0 } == true, "run is executable")
    }

    @Test func settingsComeFromDroverAndForemanFiles() throws {
        let sandbox = try Self.sandbox(env: "")
        let root = "\(sandbox.path)/shop"
        try sandbox.write("shop/.drover", "app=store\nuser=deploy\ntimeout=12\n[worker]\nrestart=on-failure\n")
        let outcome = try DroverProcess.run(["export", "supervisord", "-"], in: root)
        #expect(outcome.code == 0, "\(outcome.stderr)")
        #expect(outcome.stdout.contains("[program:store-web-1]\n"))
        #expect(outcome.stdout.contains("\nuser=deploy\n"))
        #expect(outcome.stdout.contains("\nstopwaitsecs=12\n"))
        #expect(outcome.stdout.contains("[program:store-worker-1]\n"))
        #expect(outcome.stdout.contains("\nautorestart=unexpected\nexitcodes=0\n"), "[worker] restart=on-failure")
        #expect(outcome.stdout.hasSuffix("[group:store]\nprograms=store-web-1,store-worker-1\n"))

        try FileManager.default.removeItem(atPath: "\(root)/.drover")
        try sandbox.write("shop/.foreman", "app: legacy\nlog: /var/log/legacy\n")
        let foreman = try DroverProcess.run(["export", "launchd", "../agents"], in: root)
        #expect(foreman.code == 0, "\(foreman.stderr)")
        #expect(sandbox.text("agents/legacy-web-1.plist").contains("<string>/var/log/legacy/legacy-web-1.log</string>"))
        // The same file's log: is not Compose's business: no error for what the user did not type.
        let compose = try DroverProcess.run(["export", "compose", "-"], in: root)
        #expect(compose.code == 0, "\(compose.stderr)")
        #expect(try DroverProcess.run(["export", "compose", "-", "-l", "logs"], in: root).code == 64)

        try sandbox.write("shop/.foreman", "app: my app\n")
        let named = try DroverProcess.run(["export", "runit", "../service"], in: root)
        #expect(named.code == 1)
        #expect(
            named.stderr == """
                drover: .foreman:1: invalid value "my app" for app: an app name starts with a letter or digit and has only letters, digits, _ and -

                """)
    }

    @Test func valuesAFormatCannotHoldAreErrorsAtTheirLine() throws {
        let sandbox = try Self.sandbox(env: "OK=1\nweb.host=localhost\n")
        let outcome = try DroverProcess.run(["export", "systemd", "../units"], in: "\(sandbox.path)/shop")
        #expect(outcome.code == 1)
        #expect(
            outcome.stderr == """
                drover: .env:2: systemd cannot set web.host: its variable names are letters, digits and _, not starting with a digit

                """)
        #expect(!FileManager.default.fileExists(atPath: "\(sandbox.path)/units"))
        let bad = try DroverProcess.run(["export", "compose", "-", "-a", "my shop"], in: "\(sandbox.path)/shop")
        #expect(bad.code == 64)
        #expect(bad.stderr.hasPrefix("drover: invalid value \"my shop\" for -a: an app name starts with a letter or digit"))
        let broken = try Self.sandbox("web serve\n")
        let procfile = try DroverProcess.run(["export", "compose", "-"], in: "\(broken.path)/shop")
        #expect(procfile.code == 1)
        #expect(procfile.stderr == "drover: Procfile:1: expected \"name: command\", got \"web serve\"\n")
    }

    /// What the developer's shell has is not the server's: an env file may not take it
    /// into an export (where start would expand it, an export fails at the line).
    @Test func drover_sOwnEnvironmentDoesNotLeakIntoAnExport() throws {
        let sandbox = try Self.sandbox(env: "DATA=${DATA_DIR:-/srv/data}\nKEY=$AWS_SECRET\n")
        let root = "\(sandbox.path)/shop"
        let environment = DroverProcess.environment(["AWS_SECRET": "hunter2", "DATA_DIR": "/home/me/data"])
        let outcome = try DroverProcess.run(["export", "compose", "-"], in: root, environment: environment)
        #expect(outcome.code == 1)
        #expect(
            outcome.stderr == """
                drover: .env:2: no env file sets $AWS_SECRET, and an export does not take values from drover's own environment: set it in an env file, or give a default (${AWS_SECRET:-value})

                """)
        try sandbox.write("shop/.env", "DATA=${DATA_DIR:-/srv/data}\n")
        let defaulted = try DroverProcess.run(["export", "compose", "-"], in: root, environment: environment)
        #expect(defaulted.code == 0, "\(defaulted.stderr)")
        #expect(defaulted.stdout.contains("      DATA: /srv/data\n"), "the default, not this machine's DATA_DIR")
        #expect(!defaulted.stdout.contains("/home/me"))
        // start, on this machine, takes it as before.
        let check = try DroverProcess.run(["run", "echo $DATA"], in: root, environment: environment)
        #expect(check.stdout == "/home/me/data\n")
    }

    @Test func whatIsLeftToDoIsSaid() throws {
        let sandbox = try Self.sandbox()
        let root = "\(sandbox.path)/shop"
        #expect(try DroverProcess.run(["export", "systemd", "../units", "-m", "web=3"], in: root).code == 0)
        let smaller = try DroverProcess.run(["export", "systemd", "../units", "-m", "web=1"], in: root)
        #expect(smaller.code == 0)
        #expect(
            smaller.stderr == """
                drover: note: systemd runs removed units until they are stopped: systemctl stop shop-web.2.service shop-web.3.service

                """)
        let logs = try DroverProcess.run(["export", "supervisord", "-", "-l", "/nonexistent/logs"], in: root)
        #expect(logs.code == 0)
        #expect(
            logs.stderr == """
                drover: note: the log directory /nonexistent/logs does not exist here; make it before supervisord loads these files (it makes no directory for its logs)

                """)
        // A drover killed before its renames left its staging directory: the next export takes it away.
        try FileManager.default.createDirectory(
            atPath: "\(sandbox.path)/units/.drover-export-2147483646/shop-web-9", withIntermediateDirectories: true)
        let again = try DroverProcess.run(["export", "systemd", "../units", "-m", "web=1"], in: root)
        #expect(again.code == 0, "\(again.stderr)")
        #expect(!again.stdout.contains(".drover-export"), "drover's own leftovers are not the app's files")
        #expect(
            try FileManager.default.contentsOfDirectory(atPath: "\(sandbox.path)/units").sorted() == [
                "shop-web.1.service", "shop.target",
            ])
    }

    @Test(.enabled(if: getuid() == 0 && ExternalTool.has("setpriv"), "needs root and setpriv (util-linux), to run as nobody"))
    func anUnreadableFileIsSaidNotGuessed() throws {
        let sandbox = try Self.sandbox()
        let root = "\(sandbox.path)/shop"
        #expect(try DroverProcess.run(["export", "systemd", "../units", "-m", "web=2"], in: root).code == 0)
        try FileManager.default.setAttributes([.posixPermissions: 0o777], ofItemAtPath: sandbox.path)
        try FileManager.default.setAttributes([.posixPermissions: 0o777], ofItemAtPath: "\(sandbox.path)/units")
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: root)
        for unit in ["shop.target", "shop-web.1.service"] {
            try FileManager.default.setAttributes([.posixPermissions: 0o666], ofItemAtPath: "\(sandbox.path)/units/\(unit)")
        }
        try FileManager.default.setAttributes([.posixPermissions: 0o000], ofItemAtPath: "\(sandbox.path)/units/shop-web.2.service")
        let setpriv = ExternalTool.find("setpriv") ?? "setpriv"
        // As nobody, who may write the directory but not read web.2's unit: it is left, and said so.
        let outcome = try DroverProcess.runProgram(
            setpriv,
            [
                "setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", DroverProcess.binary, "export", "systemd",
                "../units", "-m", "web=1", "-d", root, "-f", "\(root)/Procfile",
            ],
            in: root)
        #expect(outcome.code == 0, "\(outcome.stderr)")
        #expect(
            outcome.stderr == """
                drover: note: ../units/shop-web.2.service cannot be read to see whether it is stale; left as it is

                """)
    }

    @Test func helpDescribesTheCommand() throws {
        let outcome = try DroverProcess.run(["help", "export"], in: "/")
        #expect(outcome.code == 0)
        #expect(
            outcome.stdout.hasPrefix(
                "OVERVIEW: Write the formation as systemd, supervisord, runit, launchd, Kubernetes or Compose files\n"))
        for flag in ["-a, --app NAME", "-u, --user USER", "-l, --log DIR", "    --image IMAGE", "-t, --timeout SECONDS"] {
            #expect(outcome.stdout.contains("  \(flag)"), "\(flag)")
        }
        #expect(try DroverProcess.run(["export", "--help"], in: "/").stdout == outcome.stdout)
        #expect(try DroverProcess.run(["--help"], in: "/").stdout.contains("\n  export "))
    }
}
