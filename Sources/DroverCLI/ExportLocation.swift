import DroverCore
import DroverExport
import DroverSystem

/// The directory an export writes to: made if needed, then the plan carried out.
struct ExportLocation {
    let path: String
    let format: ExportFormat
    let app: String

    /// Every file is written under a temporary name first and renamed into place only
    /// once all are written (and synced): a write that fails (a full disk) leaves the
    /// location as it was.
    func write(_ files: [ExportedFile]) throws(Diagnostics) {
        if case let .failure(error) = FileSystem.makeDirectories(path) {
            throw Diagnostics([Diagnostic("cannot make the directory \(path): \(error.reason)")])
        }
        let plan = try ExportPlan(files, format: format, app: app, location: path, view: view)
        var made: [String] = []
        var ensured: Set<String> = [path]
        var temporaries: [(temporary: String, final: String)] = []
        let process = CurrentProcess.id
        func giveUp(_ message: String) -> Diagnostics {
            for written in temporaries { FileSystem.removeEntry(written.temporary) }
            for directory in made.reversed() { FileSystem.removeEntry(directory) }
            return Diagnostics([Diagnostic(message)])
        }
        for (index, file) in plan.writes.enumerated() {
            let final = FilePath.join(path, file.path)
            let directory = FilePath.directory(of: final)
            if ensured.insert(directory).inserted {
                switch FileSystem.makeDirectories(directory) {
                case let .success(new): made += new
                case let .failure(error): throw giveUp("cannot make the directory \(directory): \(error.reason)")
                }
            }
            let temporary = FilePath.join(directory, ".drover-export-\(process)-\(index)")
            if case let .failure(error) = FileSystem.writeNewFile(
                temporary, contents: file.contents, executable: file.isExecutable, replacing: final)
            {
                throw giveUp("cannot write \(final): \(error.reason)")
            }
            temporaries.append((temporary, final))
        }
        FileSystem.synchronize()
        var report = ""
        for (offset, written) in temporaries.enumerated() {
            if case let .failure(error) = FileSystem.rename(written.temporary, over: written.final) {
                for left in temporaries[offset...] { FileSystem.removeEntry(left.temporary) }
                throw Diagnostics([Diagnostic("cannot write \(written.final): \(error.reason)")])
            }
            report += "wrote \(TerminalText.escaped(written.final))\n"
        }
        for name in plan.removals {
            let full = FilePath.join(path, name)
            if case let .failure(error) = FileSystem.removeTree(full) {
                throw Diagnostics([Diagnostic("cannot remove \(full): \(error.reason)")])
            }
            report += "removed \(TerminalText.escaped(full))\n"
        }
        do throws(SystemError) {
            try FileDescriptor.standardOutput.writeAll(report)
        } catch {
            throw Diagnostics([Diagnostic("the export is written, but its report could not be: \(error.reason)")])
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
