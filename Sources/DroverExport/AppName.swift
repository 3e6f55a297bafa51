import DroverCore

/// The name an export gives the application (`-a`): the prefix of every unit,
/// program, service directory, label and object it writes.
public enum AppName {
    /// Longer names leave no room for `-TYPE` in a 63-byte Kubernetes name.
    public static let maximumLength = 40

    /// The root directory's name, made safe for every format: a Procfile name's
    /// characters (letters, digits, `_`, `-`), anything else as `-` (`My App.v2`
    /// becomes `My-App-v2`); `app` if nothing is left.
    public static func derived(fromRoot root: String) -> String {
        let base = root.split(separator: "/").last.map(String.init) ?? ""
        var name = ""
        for character in base {
            let kept = Procfile.isValidName(String(character)) && character != "-" ? character : "-"
            if kept != "-" || (!name.isEmpty && !name.hasSuffix("-")) { name.append(kept) }
        }
        while let first = name.first, first == "_" { name.removeFirst() }
        name = String(name.prefix(maximumLength))
        while let last = name.last, last == "-" || last == "_" { name.removeLast() }
        return name.isEmpty ? "app" : name
    }

    /// Why `name` cannot be an app name; nil when it can.
    public static func problem(with name: String) -> String? {
        guard Procfile.isValidName(name), let first = name.first, first.isLetter || first.isNumber else {
            return "an app name starts with a letter or digit and has only letters, digits, _ and -"
        }
        // The marker sits in an XML comment in launchd's files, where `--` cannot.
        guard !name.contains("--") else { return "an app name cannot hold \"--\"" }
        guard name.count <= maximumLength else { return "an app name has at most \(maximumLength) characters" }
        return nil
    }
}

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

    /// How many bytes of a file's start `find` needs to see.
    public static let searchedBytes = 1024

    /// The marker of a file that opens with one: the exact line, within its first three
    /// (a `#!` line, or an XML declaration and DOCTYPE, may stand before it). A marker
    /// quoted anywhere else does not make a file an export's.
    public static func find(in head: [UInt8]) -> ExportMarker? {
        let lines = String(decoding: head.prefix(searchedBytes), as: UTF8.self).split(separator: "\n", maxSplits: 3)
        for line in lines.prefix(3) {
            guard let start = line.firstRange(of: opening) else { continue }
            let words = line[start.upperBound...].split(separator: " ", maxSplits: 3)
            guard words.count == 4, let format = ExportFormat(rawValue: String(words[0])), words[1] == "for", words[2] == "app",
                  let end = words[3].firstIndex(of: ";")
            else { continue }
            let marker = ExportMarker(format: format, app: String(words[3][..<end]))
            if line == marker.line && AppName.problem(with: marker.app) == nil { return marker }
        }
        return nil
    }
}
