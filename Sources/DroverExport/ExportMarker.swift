import DroverCore

/// The line every exported file opens with (after a `#!` or the XML header), in the
/// format's comment syntax: which app and format wrote the file, so a later export
/// replaces or removes only its own files.
public struct ExportMarker: Equatable, Sendable {
    public var format: ExportFormat
    public var app: String

    public init(format: ExportFormat, app: String) {
        self.format = format
        self.app = app
    }

    private static let opening = "Written by drover export "

    /// The words, without comment syntax.
    public var sentence: String {
        "\(Self.opening)\(format.rawValue) for app \(app); the next export of \(app) replaces or removes this file."
    }

    /// The whole line as the format writes it.
    public var line: String { format == .launchd ? "<!-- \(sentence) -->" : "# \(sentence)" }

    /// Which line of its files (from 0) the marker is: after a `#!` in runit's scripts,
    /// after the XML declaration and DOCTYPE in launchd's property lists.
    var lineIndex: Int {
        switch format {
        case .runit: 1
        case .launchd: 2
        case .systemd, .supervisord, .kubernetes, .compose: 0
        }
    }

    /// How many bytes of a file's start `find` needs to see.
    public static let searchedBytes = 1024

    /// The marker of a file that has one: the exact line, where its format puts it. A
    /// marker quoted anywhere else does not make a file an export's.
    public static func find(in head: [UInt8]) -> ExportMarker? {
        let lines = String(decoding: head.prefix(searchedBytes), as: UTF8.self)
            .split(separator: "\n", maxSplits: 3, omittingEmptySubsequences: false)
        for (index, line) in lines.prefix(3).enumerated() {
            guard let start = line.firstRange(of: opening) else { continue }
            let words = line[start.upperBound...].split(separator: " ", maxSplits: 3)
            guard words.count == 4, let format = ExportFormat(rawValue: String(words[0])), words[1] == "for", words[2] == "app",
                let end = words[3].firstIndex(of: ";")
            else { continue }
            let marker = ExportMarker(format: format, app: String(words[3][..<end]))
            if index == marker.lineIndex, line == marker.line, AppName.problem(with: marker.app) == nil { return marker }
        }
        return nil
    }
}
