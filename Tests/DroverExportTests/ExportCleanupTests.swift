import DroverCore
import Testing

@testable import DroverExport

/// Which files of a location an export may replace or remove: only its app's own.
@Suite struct ExportCleanupTests {
    let mine = ExportMarker(format: .systemd, app: "shop")

    @Test func replacesItsOwnRemovesItsStaleAndKeepsTheRest() {
        let existing = [
            ExistingEntry(name: "shop.target", marker: mine),
            ExistingEntry(name: "shop-web.2.service", marker: mine),
            // Another app's file, whose name starts the same: never touched.
            ExistingEntry(name: "shop-api-web.1.service", marker: ExportMarker(format: .systemd, app: "shop-api")),
            // The same app in another format (a shared directory): not this export's.
            ExistingEntry(name: "shop.conf", marker: ExportMarker(format: .supervisord, app: "shop")),
            ExistingEntry(name: "shop-hand-written.service", marker: nil),
        ]
        let files = [ExportedFile(path: "shop.target", text: ""), ExportedFile(path: "shop-web.1.service", text: "")]
        let cleanup = ExportCleanup(existing: existing, writing: files, marker: mine)
        #expect(cleanup.conflicts.isEmpty)
        #expect(cleanup.removals.map(\.name) == ["shop-web.2.service"])
    }

    @Test func aFileThatIsNotTheAppsStopsTheExport() {
        let existing = [
            ExistingEntry(name: "shop.target", marker: nil),
            ExistingEntry(name: "shop-web.1.service", marker: ExportMarker(format: .systemd, app: "other")),
        ]
        let files = [ExportedFile(path: "shop.target", text: ""), ExportedFile(path: "shop-web.1.service", text: "")]
        let cleanup = ExportCleanup(existing: existing, writing: files, marker: mine)
        #expect(cleanup.removals.isEmpty)
        #expect(
            cleanup.problems(location: "/etc/systemd/system").map(\.message) == [
                "/etc/systemd/system/shop.target exists and was not written by drover export; "
                    + "move it away or export to another location",
                "/etc/systemd/system/shop-web.1.service was written by drover export systemd for app other; "
                    + "move it away or export to another location",
            ])
    }

    @Test func directoriesCountByTheirTopName() {
        let runit = ExportMarker(format: .runit, app: "shop")
        let existing = [
            ExistingEntry(name: "shop-web-1", marker: runit),
            ExistingEntry(name: "shop-web-2", marker: runit),
        ]
        let files = [
            ExportedFile(path: "shop-web-1/run", text: ""), ExportedFile(path: "shop-web-1/env/PORT", text: "5000"),
        ]
        let cleanup = ExportCleanup(existing: existing, writing: files, marker: runit)
        #expect(cleanup.removals.map(\.name) == ["shop-web-2"])
        let listings = ["shop-web-1": ["run", "env", "finish", "supervise"], "shop-web-1/env": ["PORT", "GONE", "ALSO_GONE"]]
        #expect(
            ExportCleanup.leftovers(
                inside: "shop-web-1", owned: ["env/", "finish"], written: Set(files.map(\.path)),
                listing: { listings[$0] ?? [] })
                == ["shop-web-1/env/ALSO_GONE", "shop-web-1/env/GONE", "shop-web-1/finish"])
    }

    static let sentence = "the next export of shop replaces or removes this file."

    @Test(
        arguments: [
            ("# Written by drover export systemd for app shop; \(sentence)\n[Unit]\n", ExportMarker(format: .systemd, app: "shop")),
            ("#!/bin/sh\n# Written by drover export runit for app shop; \(sentence)\nexec x\n", ExportMarker(format: .runit, app: "shop")),
            (
                "<?xml version=\"1.0\"?>\n<!DOCTYPE plist>\n<!-- Written by drover export launchd for app shop; \(sentence) -->\n",
                ExportMarker(format: .launchd, app: "shop")
            ),
            // Anything but the exact line, where the format puts it, is not a marker.
            ("# Written by drover export upstart for app shop; \(sentence)\n", nil),
            ("# Written by drover export systemd for app shop; \(sentence) (edited)\n", nil),
            ("# Written by drover export systemd for app shop\n", nil),
            ("<!-- Written by drover export systemd for app shop; \(sentence) -->\n", nil),
            ("[Unit]\n# a\n# b\n# Written by drover export systemd for app shop; \(sentence)\n", nil),
            ("[Unit]\n# Written by drover export systemd for app shop; \(sentence)\n", nil),
            ("# Written by drover export runit for app shop; \(sentence)\n", nil),
            ("[Unit]\nDescription=see \"Written by drover export systemd for app shop; \(sentence)\"\n", nil),
            ("[Unit]\nDescription=hand-written\n", nil),
        ] as [(String, ExportMarker?)])
    func markers(head: String, marker: ExportMarker?) {
        #expect(ExportMarker.find(in: Array(head.utf8)) == marker)
    }

    @Test func theMarkerSentenceIsFoundAgain() {
        for format in ExportFormat.allCases {
            let marker = ExportMarker(format: format, app: "shop")
            let before = String(repeating: "header\n", count: marker.lineIndex)
            #expect(ExportMarker.find(in: Array("\(before)\(marker.line)\n".utf8)) == marker)
        }
    }
}

/// The app name: derived from the root directory, or checked when given with -a.
@Suite struct AppNameTests {
    @Test(arguments: [
        ("/srv/shop", "shop"), ("/home/me/My App.v2", "My-App-v2"), ("/x/_private_", "private"),
        ("/x/ünïcode", "n-code"), ("/", "app"), ("/x/...", "app"), ("/x/2048", "2048"), ("/x/a--b", "a-b"),
        ("/x/" + String(repeating: "a", count: 50), String(repeating: "a", count: 40)),
    ])
    func derived(root: String, name: String) {
        #expect(AppName.derived(fromRoot: root) == name)
        #expect(AppName.problem(with: name) == nil)
    }

    @Test(arguments: ["", "-x", "_x", "a b", "a.b", "a/b", "a;b", "a--b", String(repeating: "a", count: 41)])
    func refused(name: String) {
        #expect(AppName.problem(with: name) != nil)
    }
}

/// The plan against a location held in memory: what is replaced, what removed, what
/// refused, and nothing decided from a listing alone.
@Suite struct ExportPlanTests {
    /// A location of files (path to contents) and directories (paths ending in `/`).
    struct Location {
        var files: [String: String] = [:]
        var directories: Set<String> = []
        var running: Set<Int32> = []
        var listable = true

        var view: LocationView {
            LocationView(
                entries: { directory in
                    guard listable || !directory.isEmpty else { return [] }
                    let prefix = directory.isEmpty ? "" : directory + "/"
                    let names = (Array(files.keys) + directories.map { String($0.dropLast()) })
                        .filter { $0.hasPrefix(prefix) && $0.count > prefix.count }
                        .map { String($0.dropFirst(prefix.count).split(separator: "/")[0]) }
                    return Array(Set(names))
                },
                kind: { path in
                    if files[path] != nil { return .file }
                    if directories.contains(path + "/") || files.keys.contains(where: { $0.hasPrefix(path + "/") }) {
                        return .directory
                    }
                    return .missing
                },
                head: { files[$0].map { Array($0.utf8) } },
                processExists: { running.contains($0) })
        }
    }

    static func marker(_ format: ExportFormat, _ app: String = "shop") -> String {
        ExportMarker(format: format, app: app).line + "\n"
    }

    @Test func replacesRemovesAndCleansAStaleStaging() throws {
        var location = Location()
        location.files["shop.target"] = Self.marker(.systemd)
        location.files["shop-web.2.service"] = Self.marker(.systemd)
        location.files["shop-web.2.service~"] = Self.marker(.systemd)
        location.files["other.service"] = "[Unit]\n"
        location.directories = [".drover-export-77/", ".drover-export-78/", ".drover-export-x/"]
        location.running = [78]
        let files = [ExportedFile(path: "shop.target", text: ""), ExportedFile(path: "shop-web.1.service", text: "")]
        let plan = try ExportPlan(files, format: .systemd, app: "shop", location: "units", view: location.view)
        #expect(plan.writes == files)
        #expect(plan.staleStaging == [".drover-export-77"], "78 still runs; x is no pid")
        #expect(plan.removals == ["shop-web.2.service"])
    }

    @Test func aNameItWritesIsLookedAtEvenWhenTheListingFails() {
        var location = Location()
        location.files["shop.target"] = "[Unit]\nDescription=hand-written\n"
        location.listable = false
        #expect(throws: Diagnostics.self) {
            try ExportPlan(
                [ExportedFile(path: "shop.target", text: "")], format: .systemd, app: "shop", location: "u",
                view: location.view)
        }
    }

    @Test func whatWouldStopTheWriteIsFoundFirst() {
        var location = Location()
        location.files["shop-web-1/env"] = "a file\n"
        location.files["shop-web-1/run"] = "#!/bin/sh\n" + Self.marker(.runit)
        location.directories = ["shop-web-1/finish/"]
        let files = [
            ExportedFile(path: "shop-web-1/run", text: ""), ExportedFile(path: "shop-web-1/env/PORT", text: ""),
            ExportedFile(path: "shop-web-1/finish", text: ""),
            ExportedFile(path: String(repeating: "x", count: 256), text: ""),
        ]
        #expect(
            throws: Diagnostics([
                Diagnostic(
                    "s/shop-web-1/env is not a directory, and the export writes into it; move it away or export to another location"),
                Diagnostic(
                    "s/shop-web-1/finish is a directory, and the export writes a file there; move it away or export to another location"),
                Diagnostic(
                    "the file name \"\(String(repeating: "x", count: 256))\" is longer than the 255 bytes a name may have; "
                        + "use a shorter type name or -a"),
            ])
        ) {
            try ExportPlan(files, format: .runit, app: "shop", location: "s", view: location.view)
        }
    }

    /// Every file a format writes has a name the format owns, or the export would
    /// never replace or remove it (and a hand-written file there would go unchecked).
    @Test(arguments: ExportFormat.allCases)
    func everyWrittenNameIsOneTheFormatOwns(format: ExportFormat) throws {
        var formation = GoldenExportTests.formation
        formation.types.append(
            ExportedType(
                name: "a-1_b", command: "x", commandLocation: "Procfile:4", settings: ProcessTypeSettings(),
                instances: [PlannedInstance(type: "a-1_b", number: 12, command: "x", port: 5312, entryIndex: 3)]))
        if format.runsContainers { formation.image = OptionValue("shop:1", origin: .commandLine(flag: "--image")) }
        for file in try Export.files(format, for: formation) {
            #expect(format.writesName(file.topLevelName, app: "shop"), "\(format) writes \(file.topLevelName)")
            // Compose's one name is the same for every app.
            #expect(format == .compose || !format.writesName(file.topLevelName, app: "sho"))
        }
        for name in ["shop.target.bak", "shop-web.1.service~", "shop-web-1.old", "shop-web-01.plist", "shop.yml"] {
            #expect(!format.writesName(name, app: "shop"), "\(format): \(name)")
        }
    }
}
