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

    public init(
        entries: @escaping (String) -> [String], kind: @escaping (String) -> Kind, head: @escaping (String) -> [UInt8]?
    ) {
        self.entries = entries
        self.kind = kind
        self.head = head
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

    /// - Parameter location: as the user wrote it, for messages.
    public init(
        _ files: [ExportedFile], format: ExportFormat, app: String, location: String, view: LocationView
    ) throws(Diagnostics) {
        let marker = ExportMarker(format: format, app: app)
        let existing = view.entries("").sorted().filter { format.mayHaveWritten($0, app: app) }.map { name in
            switch view.kind(name) {
            case .directory:
                let marked = format.markedFileInDirectory.flatMap { view.head(name + "/" + $0) }
                return ExistingEntry(name: name, marker: marked.flatMap(ExportMarker.find))
            case .file:
                return ExistingEntry(name: name, marker: view.head(name).flatMap(ExportMarker.find))
            case .missing, .other:
                return ExistingEntry(name: name, marker: nil)
            }
        }
        let cleanup = ExportCleanup(existing: existing, writing: files, marker: marker)
        let conflicts = cleanup.problems(location: location)
        guard conflicts.isEmpty else { throw Diagnostics(conflicts) }
        writes = files
        removals = cleanup.removals.map(\.name)
        for directory in Set(files.map(\.topLevelName)).sorted() where view.kind(directory) == .directory {
            removals += ExportCleanup.leftovers(
                inside: directory, owned: format.ownedInDirectories, writing: files, listing: view.entries)
        }
    }
}
