import DroverCore
import DroverExport
import DroverSystem

/// `drover export FORMAT LOCATION`: the formation as another supervisor's files.
enum ExportCommand {
    static func run(options: LaunchOptions, arguments: [String]) throws(Diagnostics) -> ExitCode {
        let (format, location) = try operands(arguments)
        let context = try ApplicationContext.current()
        let application = try context.load(options, defaultRestart: .always)
        let formation = try ExportFormation.resolve(
            application, options: try context.options(options), workingDirectory: context.workingDirectory)
        let files = try Export.files(format, for: formation)
        if location == "-" {
            // Only one-file formats get here: the file is the output, and losing it is an error.
            for file in files {
                do throws(SystemError) {
                    try FileDescriptor.standardOutput.writeAll(file.contents)
                } catch {
                    throw Diagnostics([Diagnostic("cannot write the \(format.rawValue) file to standard output: \(error.reason)")])
                }
            }
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

/// The directory an export writes to: made if needed, then the plan carried out.
struct ExportLocation {
    let path: String
    let format: ExportFormat
    let app: String

    func write(_ files: [ExportedFile]) throws(Diagnostics) {
        if case let .failure(error) = FileSystem.makeDirectories(path) {
            throw Diagnostics([Diagnostic("cannot make the directory \(path): \(error.reason)")])
        }
        let plan = try ExportPlan(files, format: format, app: app, location: path, view: view)
        var madeDirectories: Set<String> = [path]
        for file in plan.writes {
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
        for name in plan.removals {
            let full = FilePath.join(path, name)
            if case let .failure(error) = FileSystem.removeTree(full) {
                throw Diagnostics([Diagnostic("cannot remove \(full): \(error.reason)")])
            }
            Console.out("removed \(full)\n")
        }
    }

    /// The location through the file system: links never followed, heads read whole.
    private var view: LocationView {
        let path = path
        func full(_ relative: String) -> String { relative.isEmpty ? path : FilePath.join(path, relative) }
        return LocationView(
            entries: { FileSystem.directoryEntries(full($0)) },
            kind: { relative in
                switch FileSystem.entryKind(of: full(relative)) {
                case .missing: .missing
                case .directory: .directory
                case .file: .file
                case .other: .other
                }
            },
            head: { FileSystem.readPrefix(full($0), count: ExportMarker.searchedBytes) })
    }
}
