import DroverCore

/// The init systems and orchestrators `drover export` writes for.
public enum ExportFormat: String, CaseIterable, Sendable {
    case systemd
    case supervisord
    case runit
    case launchd
    case kubernetes
    case compose

    /// `systemd, supervisord, ...`: for the error that names them.
    public static let names = allCases.map(\.rawValue).joined(separator: ", ")

    /// Whether the whole export is one file, which `-` may send to stdout instead.
    public var isSingleFile: Bool {
        switch self {
        case .supervisord, .kubernetes, .compose: true
        case .systemd, .runit, .launchd: false
        }
    }

    /// The exporter that writes this format.
    var exporter: any Exporter.Type {
        switch self {
        case .systemd: SystemdExporter.self
        case .supervisord: SupervisordExporter.self
        case .runit: RunitExporter.self
        case .launchd: LaunchdExporter.self
        case .kubernetes: KubernetesExporter.self
        case .compose: ComposeExporter.self
        }
    }
}

/// One format's writer: the files for a formation, or every reason it cannot hold it.
protocol Exporter {
    static func files(for formation: ExportFormation) throws(Diagnostics) -> [ExportedFile]
}

/// A file an export writes, relative to its location.
public struct ExportedFile: Equatable, Sendable {
    /// `myapp-web-1/env/PORT`: `/`-separated, never absolute, never `..`.
    public var path: String
    public var contents: [UInt8]
    /// Scripts (runit's `run`): written executable.
    public var isExecutable: Bool

    public init(path: String, contents: [UInt8], isExecutable: Bool = false) {
        self.path = path
        self.contents = contents
        self.isExecutable = isExecutable
    }

    public init(path: String, text: String, isExecutable: Bool = false) {
        self.init(path: path, contents: Array(text.utf8), isExecutable: isExecutable)
    }

    /// The entry of the location this file lives in: itself, or its top directory.
    public var topLevelName: String {
        String(path.split(separator: "/", maxSplits: 1).first ?? Substring(path))
    }
}
