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
        #expect(cleanup.problems(location: "/etc/systemd/system").map(\.message) == [
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
                inside: "shop-web-1", owned: ["env/", "finish"], writing: files, listing: { listings[$0] ?? [] })
                == ["shop-web-1/env/ALSO_GONE", "shop-web-1/env/GONE", "shop-web-1/finish"])
    }

    static let sentence = "the next export of shop replaces or removes this file."

    @Test(arguments: [
        ("# Written by drover export systemd for app shop; \(sentence)\n[Unit]\n", ExportMarker(format: .systemd, app: "shop")),
        ("#!/bin/sh\n# Written by drover export runit for app shop; \(sentence)\nexec x\n", ExportMarker(format: .runit, app: "shop")),
        ("<?xml version=\"1.0\"?>\n<!DOCTYPE plist>\n<!-- Written by drover export launchd for app shop; \(sentence) -->\n",
         ExportMarker(format: .launchd, app: "shop")),
        // Anything but the exact line, where the format puts it, is not a marker.
        ("# Written by drover export upstart for app shop; \(sentence)\n", nil),
        ("# Written by drover export systemd for app shop; \(sentence) (edited)\n", nil),
        ("# Written by drover export systemd for app shop\n", nil),
        ("<!-- Written by drover export systemd for app shop; \(sentence) -->\n", nil),
        ("[Unit]\n# a\n# b\n# Written by drover export systemd for app shop; \(sentence)\n", nil),
        ("[Unit]\nDescription=see \"Written by drover export systemd for app shop; \(sentence)\"\n", nil),
        ("[Unit]\nDescription=hand-written\n", nil),
    ] as [(String, ExportMarker?)])
    func markers(head: String, marker: ExportMarker?) {
        #expect(ExportMarker.find(in: Array(head.utf8)) == marker)
    }

    @Test func theMarkerSentenceIsFoundAgain() {
        for format in ExportFormat.allCases {
            let marker = ExportMarker(format: format, app: "shop")
            #expect(ExportMarker.find(in: Array("\(marker.line)\n".utf8)) == marker)
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
