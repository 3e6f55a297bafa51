import DroverCore

/// The name an export gives the application (`-a`): the prefix of every unit,
/// program, service directory, label and object it writes.
public enum AppName {
    /// Longer names leave no room for `-TYPE` in a 63-byte Kubernetes name.
    public static let maximumLength = 40

    /// The root directory's name, made safe for every format: letters, digits, `_` and
    /// `-`, anything else as `-` (`My App.v2` becomes `My-App-v2`); `app` if nothing is left.
    public static func derived(fromRoot root: String) -> String {
        let base = root.split(separator: "/").last.map(String.init) ?? ""
        var name = ""
        for scalar in base.unicodeScalars {
            if isNameScalar(scalar) {
                name.unicodeScalars.append(scalar)
            } else if !name.isEmpty && !name.hasSuffix("-") {
                name += "-"
            }
        }
        while let last = name.last, last == "-" || last == "_" { name.removeLast() }
        while let first = name.first, first == "_" { name.removeFirst() }
        if name.utf8.count > maximumLength {
            name = String(name.prefix(maximumLength))
            while let last = name.last, last == "-" || last == "_" { name.removeLast() }
        }
        return name.isEmpty ? "app" : name
    }

    /// Why `name` cannot be an app name; nil when it can.
    public static func problem(with name: String) -> String? {
        guard let first = name.unicodeScalars.first else { return "an app name cannot be empty" }
        guard isLetterOrDigit(first), name.unicodeScalars.allSatisfy(isNameScalar) else {
            return "an app name starts with a letter or digit and has only letters, digits, _ and -"
        }
        guard name.utf8.count <= maximumLength else { return "an app name has at most \(maximumLength) characters" }
        return nil
    }

    static func isNameScalar(_ scalar: Unicode.Scalar) -> Bool {
        isLetterOrDigit(scalar) || scalar == "_" || scalar == "-"
    }

    static func isLetterOrDigit(_ scalar: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar)
    }
}

/// The line every exported file opens with (in the format's comment syntax): it says
/// which app and format wrote the file, so a later export removes only its own files.
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

    /// How many bytes of a file's start `find` needs to see.
    public static let searchedBytes = 1024

    /// The marker at the start of a file, if it has one.
    public static func find(in head: [UInt8]) -> ExportMarker? {
        let text = String(decoding: head.prefix(searchedBytes), as: UTF8.self)
        guard let start = text.firstRange(of: Self.opening) else { return nil }
        let rest = text[start.upperBound...]
        guard let space = rest.firstIndex(of: " "), let format = ExportFormat(rawValue: String(rest[..<space])) else {
            return nil
        }
        let afterFormat = rest[space...]
        guard afterFormat.hasPrefix(" for app "), let end = afterFormat.firstIndex(of: ";") else { return nil }
        let app = String(afterFormat.dropFirst(" for app ".count)[..<end])
        guard AppName.problem(with: app) == nil else { return nil }
        return ExportMarker(format: format, app: app)
    }
}
