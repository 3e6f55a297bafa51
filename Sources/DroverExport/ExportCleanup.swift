import DroverCore

/// What is already in an export's location, as far as the clean-up needs to know.
public struct ExistingEntry: Equatable, Sendable {
    public var name: String
    /// The marker of the file (or, for a directory, of its marked file), if any.
    public var marker: ExportMarker?
    /// False when it could not be read to look for one (no permission).
    public var isReadable: Bool

    public init(name: String, marker: ExportMarker?, isReadable: Bool = true) {
        self.name = name
        self.marker = marker
        self.isReadable = isReadable
    }
}

/// Which entries of the location an export must leave alone, and which it removes.
///
/// An entry belongs to an earlier export of this app when its marker names the
/// same app and format: only those are replaced or removed. Anything else at a
/// name the export would write stops the export before it writes a byte.
public struct ExportCleanup: Equatable, Sendable {
    /// Entries the export would overwrite but that are not its own.
    public var conflicts: [ExistingEntry]
    /// Entries of an earlier export of the app that this export no longer writes.
    public var removals: [ExistingEntry]

    public init(existing: [ExistingEntry], writing files: [ExportedFile], marker: ExportMarker) {
        let written = Set(files.map(\.topLevelName))
        conflicts = existing.filter { written.contains($0.name) && $0.marker != marker }
        removals = existing.filter { !written.contains($0.name) && $0.marker == marker }
    }

    /// Inside a directory the export keeps: what it owns there (`owned`: a file name,
    /// or `name/` for a directory whose every entry is the export's) but no longer
    /// writes, as paths relative to the location. `listing(path)` names the entries of
    /// a directory, none if it is missing: the file system is handed in.
    /// - Parameter written: the paths of every file the export writes (built once: a
    ///   runit export of 5000 instances has 125,000).
    public static func leftovers(
        inside directory: String, owned: [String], written: Set<String>, listing: (String) -> [String]
    ) -> [String] {
        var stale: [String] = []
        for entry in owned {
            if entry.hasSuffix("/") {
                let subdirectory = directory + "/" + entry.dropLast()
                stale += listing(subdirectory).sorted().map { subdirectory + "/" + $0 }.filter { !written.contains($0) }
            } else if listing(directory).contains(entry), !written.contains(directory + "/" + entry) {
                stale.append(directory + "/" + entry)
            }
        }
        return stale
    }

    /// The error for the conflicts, if there are any: one line each.
    public func problems(location: String) -> [Diagnostic] {
        conflicts.map { entry in
            let path = FilePath.join(location, entry.name)
            let whose =
                entry.marker.map { "was written by drover export \($0.format.rawValue) for app \($0.app)" }
                ?? (entry.isReadable
                    ? "exists and was not written by drover export"
                    : "exists and cannot be read to see whose it is")
            return Diagnostic("\(path) \(whose); move it away or export to another location")
        }
    }
}
