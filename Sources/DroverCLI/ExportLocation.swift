import DroverCore
import DroverExport
import DroverSystem

/// The directory an export writes to: made if needed, then the plan carried out.
struct ExportLocation {
    let path: String
    let format: ExportFormat
    let app: String

    /// Every file is written into a staging directory (the tree as it will be) and only
    /// once all are written and synced moved into place: a new entry whole, in one
    /// rename, a kept one file by file. A write that fails (a full disk) leaves the
    /// location as it was; a drover killed meanwhile leaves only its staging directory,
    /// which the next export removes. One line is printed as each file is replaced or
    /// removed; a removal that fails does not stop the others.
    func write(_ files: [ExportedFile]) throws(Diagnostics) {
        let plan = try ExportPlan(files, format: format, app: app, location: path, view: view)
        for name in plan.unreadable {
            Console.error("note: \(FilePath.join(path, name)) cannot be read to see whether it is stale; left as it is")
        }
        let madeLocation: [String]
        switch FileSystem.makeDirectories(path) {
        case let .success(made): madeLocation = made
        case let .failure(error): throw Diagnostics([Diagnostic("cannot make the directory \(path): \(error.reason)")])
        }
        let staging = FilePath.join(path, ExportPlan.stagingName(process: CurrentProcess.id))
        func giveUp(_ message: String) -> Diagnostics {
            _ = FileSystem.removeTree(staging)
            for directory in madeLocation.reversed() { FileSystem.removeEntry(directory) }
            return Diagnostics([Diagnostic(message)])
        }
        var ensured: Set<String> = []
        for file in plan.writes {
            let staged = FilePath.join(staging, file.path)
            let directory = FilePath.directory(of: staged)
            if ensured.insert(directory).inserted, case let .failure(error) = FileSystem.makeDirectories(directory) {
                throw giveUp("cannot make the directory \(directory): \(error.reason)")
            }
            let final = FilePath.join(path, file.path)
            if case let .failure(error) = FileSystem.writeNewFile(
                staged, contents: file.contents, executable: file.isExecutable, replacing: final)
            {
                throw giveUp("cannot write \(final): \(error.reason)")
            }
        }
        FileSystem.synchronize(fileSystemOf: path)

        var report = Report()
        var moved: Set<String> = []
        for file in plan.writes {
            let top = file.topLevelName
            let final = FilePath.join(path, file.path)
            if plan.newEntries.contains(top) {
                if moved.insert(top).inserted,
                    case let .failure(error) = FileSystem.rename(FilePath.join(staging, top), over: FilePath.join(path, top))
                {
                    report.flush()
                    throw giveUp("cannot put \(FilePath.join(path, top)) in place: \(error.reason)")
                }
            } else {
                let directory = FilePath.directory(of: final)
                if ensured.insert(directory).inserted, case let .failure(error) = FileSystem.makeDirectories(directory) {
                    report.flush()
                    throw giveUp("cannot make the directory \(directory): \(error.reason)")
                }
                if case let .failure(error) = FileSystem.rename(FilePath.join(staging, file.path), over: final) {
                    report.flush()
                    throw giveUp("cannot replace \(final): \(error.reason); the files above are replaced")
                }
            }
            report.line("wrote \(final)")
        }
        var problems: [Diagnostic] = []
        for (index, name) in (plan.staleStaging + plan.removals).enumerated() {
            let full = FilePath.join(path, name)
            // Out of the way first, in one rename: what cannot be deleted afterwards is
            // left in the staging directory, not half-deleted where runsv or systemd looks.
            let aside = FilePath.join(staging, ".removed-\(index)")
            if case let .failure(error) = FileSystem.rename(full, over: aside) {
                problems.append(Diagnostic("cannot remove \(full): \(error.reason)"))
                continue
            }
            // A stale staging directory is drover's own leftover, not an export's file.
            if index >= plan.staleStaging.count { report.line("removed \(full)") }
        }
        report.flush()
        if case let .failure(error) = FileSystem.removeTree(staging) {
            problems.append(
                Diagnostic(
                    "cannot remove \(staging) (what was taken away is in it): \(error.reason); the next export tries again"))
        }
        if let failure = report.failure {
            problems.append(Diagnostic("the export is written, but its report could not be: \(failure.reason)"))
        }
        if let hint = format.stopHint(forRemoved: plan.removals) { Console.error("note: \(hint)") }
        if !problems.isEmpty { throw Diagnostics(problems) }
    }

    /// The lines on standard output as they happen, in writes of up to 64 KiB (a runit
    /// export of 5000 instances has 125,000 lines); the first failure to write is kept
    /// for the end, since the files are what matters.
    private struct Report {
        private(set) var failure: SystemError?
        private var pending: [UInt8] = []

        mutating func line(_ text: String) {
            pending += Array((TerminalText.escaped(text) + "\n").utf8)
            if pending.count >= 65_536 { flush() }
        }

        mutating func flush() {
            defer { pending.removeAll(keepingCapacity: true) }
            guard failure == nil, !pending.isEmpty else { return }
            do throws(SystemError) {
                try FileDescriptor.standardOutput.writeAll(pending)
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
