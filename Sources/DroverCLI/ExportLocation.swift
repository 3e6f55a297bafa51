import DroverCore
import DroverExport
import DroverSystem

/// The directory an export writes to: made if needed, then the plan carried out.
struct ExportLocation {
    let path: String
    let format: ExportFormat
    let app: String

    /// Every file is written into a staging directory first and renamed into place only
    /// once all are written (and synced): a write that fails (a full disk) leaves the
    /// location as it was. One line is printed as each file is replaced or removed.
    func write(_ files: [ExportedFile]) throws(Diagnostics) {
        let plan = try ExportPlan(files, format: format, app: app, location: path, view: view)
        var made: [String] = []
        func giveUp(_ message: String, staging: String? = nil) -> Diagnostics {
            if let staging { _ = FileSystem.removeTree(staging) }
            for directory in made.reversed() { FileSystem.removeEntry(directory) }
            return Diagnostics([Diagnostic(message)])
        }
        for directory in [path] + Set(plan.writes.map { FilePath.directory(of: FilePath.join(path, $0.path)) }).sorted() {
            switch FileSystem.makeDirectories(directory) {
            case let .success(new): made += new
            case let .failure(error): throw giveUp("cannot make the directory \(directory): \(error.reason)")
            }
        }
        let staging = FilePath.join(path, ExportPlan.stagingName(process: CurrentProcess.id))
        if case let .failure(error) = FileSystem.makeDirectories(staging) {
            throw giveUp("cannot make the directory \(staging): \(error.reason)")
        }
        for (index, file) in plan.writes.enumerated() {
            let final = FilePath.join(path, file.path)
            if case let .failure(error) = FileSystem.writeNewFile(
                "\(staging)/\(index)", contents: file.contents, executable: file.isExecutable, replacing: final)
            {
                throw giveUp("cannot write \(final): \(error.reason)", staging: staging)
            }
        }
        FileSystem.synchronize(fileSystemOf: path)

        var report = Report()
        for (index, file) in plan.writes.enumerated() {
            let final = FilePath.join(path, file.path)
            if case let .failure(error) = FileSystem.rename("\(staging)/\(index)", over: final) {
                _ = FileSystem.removeTree(staging)
                throw Diagnostics([Diagnostic("cannot replace \(final): \(error.reason); the files above are replaced")])
            }
            report.line("wrote \(final)")
        }
        FileSystem.removeEntry(staging)
        for name in plan.removals {
            let full = FilePath.join(path, name)
            if case let .failure(error) = FileSystem.removeTree(full) {
                throw Diagnostics([Diagnostic("cannot remove \(full): \(error.reason)")])
            }
            // A stale staging directory is drover's own leftover, not an export's file.
            if !name.hasPrefix(".drover-export-") { report.line("removed \(full)") }
        }
        if let failure = report.failure {
            throw Diagnostics([Diagnostic("the export is written, but its report could not be: \(failure.reason)")])
        }
    }

    /// The lines on standard output, each as it happens; the first failure to write
    /// one is kept for the end, since the files are what matters.
    private struct Report {
        var failure: SystemError?

        mutating func line(_ text: String) {
            guard failure == nil else { return }
            do throws(SystemError) {
                try FileDescriptor.standardOutput.writeAll(TerminalText.escaped(text) + "\n")
            } catch {
                failure = error
            }
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
            head: { FileSystem.readPrefix(full($0), count: ExportMarker.searchedBytes) },
            processExists: ProcessTable.exists)
    }
}
