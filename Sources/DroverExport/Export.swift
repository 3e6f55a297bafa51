import DroverCore

/// `drover export`'s decisions: which files a format writes for a formation, and
/// which entries of the location belong to an earlier export of the same app.
public enum Export {
    /// Every file `format` writes for `formation`, each opening with the app's marker;
    /// or every reason it cannot (a value the format cannot hold, a flag it has no
    /// use for), each at its file and line or its flag.
    public static func files(_ format: ExportFormat, for formation: ExportFormation) throws(Diagnostics) -> [ExportedFile] {
        var problems: [Diagnostic] = []
        if formation.types.isEmpty {
            problems.append(Diagnostic("nothing to export: the formation has no instances"))
        }
        if formation.image != nil && format != .kubernetes && format != .compose {
            problems.append(Diagnostic("--image is for kubernetes and compose, not \(format.rawValue)", kind: .usage))
        }
        if formation.logDirectory != nil && !format.writesLogFiles {
            problems.append(Diagnostic(
                "-l is for formats that write log files; \(format.rawValue) keeps the output of containers", kind: .usage))
        }
        if let problem = AppName.problem(with: formation.app) {
            problems.append(Diagnostic("invalid value \"\(formation.app)\" for -a: \(problem)", kind: .usage))
        }
        guard problems.isEmpty else { throw Diagnostics(problems) }
        return try format.exporter.files(for: formation)
    }

    /// The marker of every file `format` writes for `app`.
    public static func marker(_ format: ExportFormat, app: String) -> ExportMarker {
        ExportMarker(format: format, app: app)
    }
}

extension ExportFormat {
    /// Whether `-l` means anything: container formats leave output to the runtime.
    public var writesLogFiles: Bool { self != .kubernetes && self != .compose }

    /// Whether an entry of the location may be a file of this format for `app`, worth
    /// reading for its marker: every name it writes starts with the app's name, but
    /// Compose's, which is always `compose.yaml`.
    public func mayHaveWritten(_ name: String, app: String) -> Bool {
        self == .compose ? name == ComposeExporter.fileName : name.hasPrefix(app)
    }

    /// For a directory of the location: the file inside it that carries the marker
    /// (runit's service directories are marked by their `run`); nil where this format
    /// writes no directories.
    public var markedFileInDirectory: String? { self == .runit ? "run" : nil }

    /// What an exported directory holds that is the export's alone, so whatever of it
    /// the export no longer writes is removed: runit's `env/` (a stale file would still
    /// set its variable) and `finish` (only some restart policies have one).
    public var ownedInDirectories: [String] { self == .runit ? ["env/", "finish"] : [] }
}
