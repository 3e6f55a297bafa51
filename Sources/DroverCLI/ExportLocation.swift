import DroverCore
import DroverExport
import DroverSystem

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
