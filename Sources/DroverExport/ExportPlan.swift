import DroverCore

/// The location as an export sees it, handed in so that what the export does there
/// is decided without touching the disk (paths relative to the location, "" itself).
public struct LocationView {
    public enum Kind: Equatable, Sendable {
        case missing, directory, file
        /// A link (never followed), a FIFO, a device, a socket.
        case other
    }

    /// The names in a directory; none if it is missing.
    public var entries: (String) -> [String]
    public var kind: (String) -> Kind
    /// The first `ExportMarker.searchedBytes` of a regular file; nil if it cannot be read.
    public var head: (String) -> [UInt8]?
    /// Whether a process runs with this pid: an earlier export's staging directory is
    /// stale once its drover is gone.
    public var processExists: (Int32) -> Bool

    public init(
        entries: @escaping (String) -> [String], kind: @escaping (String) -> Kind, head: @escaping (String) -> [UInt8]?,
        processExists: @escaping (Int32) -> Bool
    ) {
        self.entries = entries
        self.kind = kind
        self.head = head
        self.processExists = processExists
    }
}

/// What an export does to its location: every file written, then what an earlier
/// export of the app left that this one no longer writes removed; or, when a file
/// of the same name is not the app's, nothing at all.
public struct ExportPlan {
    public var writes: [ExportedFile]
    /// Paths relative to the location: whole stale entries, then stale files inside
    /// the directories this export keeps.
    public var removals: [String]
    /// Staging directories of exports that were killed: drover's leftovers, not the app's.
    public var staleStaging: [String] = []
    /// Top-level entries that do not exist yet: each can be built whole elsewhere and
    /// moved into place at once (a runit service appears complete to runsvdir, or not
    /// at all).
    public var newEntries: Set<String> = []
    /// Entries with a name this format writes that could not be read to see whether
    /// they are an earlier export's: left alone, and said so.
    public var unreadable: [String] = []

    /// Where an export keeps its files until every one is written: inside the location,
    /// so that renaming them into place stays on one file system.
    public static func stagingName(process: Int32) -> String { stagingPrefix + String(process) }

    private static let stagingPrefix = ".drover-export-"

    /// The drover whose staging directory `name` is, if it is one.
    static func stagingProcess(_ name: String) -> Int32? {
        name.hasPrefix(stagingPrefix) ? Int32(name.dropFirst(stagingPrefix.count)) : nil
    }

    /// - Parameter location: as the user wrote it, for messages.
    public init(
        _ files: [ExportedFile], format: ExportFormat, app: String, location: String, view: LocationView
    ) throws(Diagnostics) {
        try Self.checkPaths(files, location: location, view: view)
        // The names this export writes are looked at directly, whatever a listing of
        // the location says (one that failed would list nothing); the listing finds
        // what an earlier export left.
        let listed = view.entries("")
        let written = Set(files.map(\.topLevelName))
        let candidates = written.filter { view.kind($0) != .missing }
            .union(listed.filter { format.writesName($0, app: app) })
        let existing = candidates.sorted().map { name in
            switch view.kind(name) {
            case .directory:
                guard let marked = format.markedFileInDirectory else { return ExistingEntry(name: name, marker: nil) }
                let head = view.head(name + "/" + marked)
                let unreadable = head == nil && view.kind(name + "/" + marked) != .missing
                return ExistingEntry(name: name, marker: head.flatMap(ExportMarker.find), isReadable: !unreadable)
            case .file:
                let head = view.head(name)
                return ExistingEntry(name: name, marker: head.flatMap(ExportMarker.find), isReadable: head != nil)
            case .missing, .other:
                return ExistingEntry(name: name, marker: nil)
            }
        }
        unreadable = existing.filter { !$0.isReadable && !written.contains($0.name) }.map(\.name)
        let cleanup = ExportCleanup(existing: existing, writing: files, marker: ExportMarker(format: format, app: app))
        let conflicts = cleanup.problems(location: location)
        guard conflicts.isEmpty else { throw Diagnostics(conflicts) }
        writes = files
        // A drover killed before its renames left its staging directory.
        staleStaging = listed.filter { Self.stagingProcess($0).map { !view.processExists($0) } ?? false }.sorted()
        removals = cleanup.removals.map(\.name)
        let paths = Set(files.map(\.path))
        for directory in written.sorted() where view.kind(directory) == .directory {
            removals += ExportCleanup.leftovers(
                inside: directory, owned: format.ownedInDirectories, written: paths, listing: view.entries)
        }
        newEntries = written.filter { view.kind($0) == .missing }
    }

    /// The longest name of one file (Linux's NAME_MAX).
    public static let maximumNameBytes = 255

    /// What would stop a write half-way, found before the first: a name too long for
    /// a file, or a directory the export writes into that is not one.
    private static func checkPaths(_ files: [ExportedFile], location: String, view: LocationView) throws(Diagnostics) {
        var problems: [Diagnostic] = []
        var checked: Set<String> = []
        for file in files {
            if let long = file.path.split(separator: "/").first(where: { $0.utf8.count > maximumNameBytes }) {
                problems.append(
                    Diagnostic(
                        "the file name \"\(long)\" is longer than the \(maximumNameBytes) bytes a name may have; "
                            + "use a shorter type name or -a"))
                continue
            }
            var ancestor = ""
            for component in file.path.split(separator: "/").dropLast() {
                ancestor += (ancestor.isEmpty ? "" : "/") + component
                guard checked.insert(ancestor).inserted else { continue }
                let kind = view.kind(ancestor)
                if kind != .missing && kind != .directory {
                    problems.append(
                        Diagnostic(
                            "\(FilePath.join(location, ancestor)) is not a directory, and the export writes into it; "
                                + "move it away or export to another location"))
                }
            }
            if view.kind(file.path) == .directory {
                problems.append(
                    Diagnostic(
                        "\(FilePath.join(location, file.path)) is a directory, and the export writes a file there; "
                            + "move it away or export to another location"))
            }
        }
        if !problems.isEmpty { throw Diagnostics(problems) }
    }
}
