import DroverCore
import DroverExport
import DroverSystem

/// `drover export FORMAT LOCATION`: the formation as another supervisor's files.
enum ExportCommand {
    static func run(options: LaunchOptions, arguments: [String]) throws(Diagnostics) -> ExitCode {
        let (format, location) = try operands(arguments)
        let context = try ApplicationContext.current()
        let application = try context.load(options, defaultRestart: .always)
        let merged = try context.options(options)
        let formation = ExportFormation(
            application: application, app: merged[.app]?.text ?? AppName.derived(fromRoot: application.root),
            user: merged[.user]?.text,
            logDirectory: merged[.logDirectory].map { FilePath.absolute($0.text, from: context.workingDirectory) },
            image: merged[.image]?.text)
        let files = try Export.files(format, for: formation)
        if location == "-" {
            // Only one-file formats get here: the file is the output.
            for file in files { Console.out(bytes: file.contents) }
            return .success
        }
        try ExportLocation(path: location, format: format, app: formation.app).write(files)
        return .success
    }

    /// FORMAT and LOCATION, or the usage error that says what is missing.
    private static func operands(_ arguments: [String]) throws(Diagnostics) -> (ExportFormat, String) {
        func usage(_ message: String) -> Diagnostics {
            Diagnostics([Diagnostic(UsageError(message: message, command: "export").description, kind: .usage)])
        }
        guard let name = arguments.first else {
            throw usage("export needs a FORMAT (\(ExportFormat.names)) and a LOCATION")
        }
        guard let format = ExportFormat(rawValue: name) else {
            throw usage("unknown export format \"\(name)\" (formats: \(ExportFormat.names))")
        }
        guard arguments.count >= 2 else {
            throw usage("export needs a LOCATION: a directory\(format.isSingleFile ? ", or - for standard output" : "")")
        }
        guard arguments.count == 2 else { throw usage("unexpected argument \"\(arguments[2])\"") }
        if arguments[1] == "-" && !format.isSingleFile {
            throw usage("\(format.rawValue) writes several files: give a directory, not -")
        }
        return (format, arguments[1])
    }
}

/// The directory an export writes to: made if needed, its earlier export of the app
/// replaced, everything else in it left alone.
struct ExportLocation {
    let path: String
    let format: ExportFormat
    let app: String

    func write(_ files: [ExportedFile]) throws(Diagnostics) {
        let marker = Export.marker(format, app: app)
        if case let .failure(error) = FileSystem.makeDirectories(path) {
            throw Diagnostics([Diagnostic("cannot make the directory \(path): \(error.reason)")])
        }
        let cleanup = ExportCleanup(existing: existingEntries(), writing: files, marker: marker)
        let conflicts = cleanup.problems(location: path)
        if !conflicts.isEmpty { throw Diagnostics(conflicts) }

        var madeDirectories: Set<String> = [path]
        for file in files {
            let full = FilePath.join(path, file.path)
            let directory = FilePath.directory(of: full)
            if madeDirectories.insert(directory).inserted, case let .failure(error) = FileSystem.makeDirectories(directory) {
                throw Diagnostics([Diagnostic("cannot make the directory \(directory): \(error.reason)")])
            }
            if case let .failure(error) = FileSystem.replaceFile(full, contents: file.contents, executable: file.isExecutable) {
                throw Diagnostics([Diagnostic("cannot write \(full): \(error.reason)")])
            }
            Console.out("wrote \(full)\n")
        }
        var stale = cleanup.removals.map(\.name)
        for directory in Set(files.map(\.topLevelName)).sorted() {
            stale += ExportCleanup.leftovers(
                inside: directory, owned: format.ownedInDirectories, writing: files,
                listing: { FileSystem.directoryEntries(FilePath.join(path, $0)) })
        }
        for name in stale {
            let full = FilePath.join(path, name)
            if case let .failure(error) = FileSystem.removeTree(full) {
                throw Diagnostics([Diagnostic("cannot remove \(full): \(error.reason)")])
            }
            Console.out("removed \(full)\n")
        }
    }

    /// The entries that may be this format's for the app, each with its marker.
    private func existingEntries() -> [ExistingEntry] {
        FileSystem.directoryEntries(path).sorted().compactMap { name in
            guard format.mayHaveWritten(name, app: app) else { return nil }
            let full = FilePath.join(path, name)
            switch FileSystem.entryKind(of: full) {
            case .missing:
                return nil
            case .directory:
                let marked = format.markedFileInDirectory.flatMap { FileSystem.readPrefix(FilePath.join(full, $0), count: ExportMarker.searchedBytes) }
                return ExistingEntry(name: name, isDirectory: true, marker: marked.flatMap(ExportMarker.find))
            case .file:
                let head = FileSystem.readPrefix(full, count: ExportMarker.searchedBytes)
                return ExistingEntry(name: name, isDirectory: false, marker: head.flatMap(ExportMarker.find))
            case .other:
                return ExistingEntry(name: name, isDirectory: false, marker: nil)
            }
        }
    }
}
