import DroverCore
import Foundation
import Testing

@testable import DroverExport

/// Every format's files for one formation whose values hold what breaks exports
/// (`%`, `$`, quotes, a backslash, blanks, a line break, unicode, YAML's special
/// words), compared byte for byte with the files under Golden/FORMAT/.
///
/// After a deliberate change, `DROVER_UPDATE_GOLDEN=1 swift test --filter GoldenExportTests`
/// writes them anew; read the diff before committing it.
@Suite struct GoldenExportTests {
    static let values: [(String, String)] = [
        ("PERCENT", "100% off %n %%"),
        ("DOLLAR", "$HOME ${PATH} $(date) $$"),
        ("DOUBLE", "say \"hi\""),
        ("SINGLE", "it's"),
        ("BACKSLASH", "C:\\dir\\"),
        ("SPACES", "  two  spaces  "),
        ("NEWLINE", "line one\nline two"),
        ("UNICODE", "naïve café ☕ 😀"),
        ("YES", "yes"),
        ("ZERO", "0123"),
        ("COLON", ": x"),
        ("STAR", "*star"),
        ("HASH", "a #b"),
        ("EMPTY", ""),
    ]

    /// web.1-2 (serves on $PORT, restarts always), worker.1 (a list: the shell stays,
    /// restarts on failure), release.1 (a one-shot that never restarts).
    static var formation: ExportFormation {
        let variables = values.enumerated().map { index, pair in
            SourcedVariable(EnvironmentVariable(name: pair.0, value: ByteString(pair.1)), file: ".env", line: index + 1)
        }
        func type(_ name: String, _ index: Int, _ command: String, count: Int, _ settings: ProcessTypeSettings) -> ExportedType {
            let instances = (1...count).map {
                PlannedInstance(
                    type: name, number: $0, command: ByteString(command),
                    port: PortPlan.port(base: 5000, entryIndex: index, number: $0), entryIndex: index)
            }
            return ExportedType(
                name: name, command: ByteString(command), commandLocation: "Procfile:\(index + 1)", settings: settings,
                instances: instances)
        }
        return ExportFormation(
            app: "shop", root: "/srv/shop", stopTimeoutMilliseconds: 7_500, variables: variables,
            types: [
                type("web", 0, "bundle exec puma -p $PORT -C config/puma.rb", count: 2, ProcessTypeSettings(restart: .always)),
                type(
                    "worker", 1, "sidekiq -q default ; echo '100% done' # 50% of $HOME", count: 1,
                    ProcessTypeSettings(restart: .onFailure)),
                type("release", 2, "rake db:migrate", count: 1, ProcessTypeSettings(restart: .no, canDie: true)),
            ])
    }

    static let golden = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden")

    @Test(arguments: ExportFormat.allCases)
    func matchesGoldenFiles(format: ExportFormat) throws {
        var formation = Self.formation
        func flag(_ text: String, _ name: String) -> OptionValue { OptionValue(text, origin: .commandLine(flag: name)) }
        switch format {
        case .kubernetes:
            formation.image = flag("registry.example/shop:1.4", "--image")
            formation.user = flag("1000", "-u")
        case .compose:
            formation.image = flag("registry.example/shop:1.4", "--image")
            formation.user = flag("deploy", "-u")
        default:
            formation.user = flag("deploy", "-u")
            formation.logDirectory = flag("/var/log/shop", "-l")
        }
        let files = try Export.files(format, for: formation)
        let directory = Self.golden.appendingPathComponent(format.rawValue)
        if ProcessInfo.processInfo.environment["DROVER_UPDATE_GOLDEN"] != nil {
            try? FileManager.default.removeItem(at: directory)
            for file in files {
                let url = directory.appendingPathComponent(file.path)
                try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
                try Data(file.contents).write(to: url)
            }
            // Comparing with what it just wrote would prove nothing.
            Issue.record("golden files of \(format) written anew: read the diff, then run the tests without DROVER_UPDATE_GOLDEN")
            return
        }
        let expected = Self.listing(directory)
        #expect(files.map(\.path).sorted() == expected, "the files \(format) writes")
        for file in files {
            let wanted = (try? Data(contentsOf: directory.appendingPathComponent(file.path))).map(Array.init) ?? []
            // As text where it is text, so a failure shows a readable difference.
            if let text = String(validating: file.contents, as: UTF8.self),
                let golden = String(validating: wanted, as: UTF8.self)
            {
                #expect(text == golden, "\(format)/\(file.path) differs from its golden file")
            } else {
                #expect(file.contents == wanted, "\(format)/\(file.path) differs from its golden file")
            }
        }
        #expect(files.filter(\.isExecutable).map(\.path).sorted() == expected.filter(Self.isScript))
    }

    /// Every file below `directory`, relative and sorted.
    static func listing(_ directory: URL) -> [String] {
        let enumerator = FileManager.default.enumerator(atPath: directory.path)
        var paths: [String] = []
        while let path = enumerator?.nextObject() as? String {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: directory.appendingPathComponent(path).path, isDirectory: &isDirectory),
                !isDirectory.boolValue
            {
                paths.append(path)
            }
        }
        return paths.sorted()
    }

    /// runit's `run`, `log/run`, `finish` and `control/t`: the only files written executable.
    static func isScript(_ path: String) -> Bool {
        path.hasSuffix("/run") || path.hasSuffix("/finish") || path.hasSuffix("/control/t")
    }
}
