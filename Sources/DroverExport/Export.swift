import DroverCore

/// `drover export`'s entry: which files a format writes for a formation.
public enum Export {
    /// Every file `format` writes for `formation`, each opening with the app's marker;
    /// or every reason it cannot (a value the format cannot hold, a flag it has no
    /// use for), each at its file and line or its flag.
    public static func files(_ format: ExportFormat, for formation: ExportFormation) throws(Diagnostics) -> [ExportedFile] {
        var formation = formation
        formation.types.removeAll { $0.instances.isEmpty }
        var problems: [Diagnostic] = []
        if formation.types.isEmpty {
            problems.append(Diagnostic("nothing to export: the formation has no instances"))
        }
        // On the command line, a flag the format has no use for is a mistake; in a
        // defaults file, which every format reads, it is only another format's.
        if let image = formation.image, !format.runsContainers {
            if image.isFromCommandLine {
                problems.append(Diagnostic("--image is for kubernetes and compose, not \(format.rawValue)", kind: .usage))
            }
            formation.image = nil
        }
        if let log = formation.logDirectory, !format.writesLogFiles {
            if log.isFromCommandLine {
                problems.append(Diagnostic(
                    "-l is for formats that write log files; \(format.rawValue) leaves the output to the container runtime",
                    kind: .usage))
            }
            formation.logDirectory = nil
        }
        guard problems.isEmpty else { throw Diagnostics(problems) }
        return try format.exporter.files(for: formation)
    }
}

extension ExportFormat {
    /// Kubernetes and Compose run images; `--image` is theirs.
    public var runsContainers: Bool { self == .kubernetes || self == .compose }

    /// Whether `-l` means anything: container formats leave output to the runtime.
    public var writesLogFiles: Bool { !runsContainers }

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
