/// How the merged log stream looks: `HH:MM:SS name.N | text`.
public struct LogStyle: Equatable, Sendable {
    public var colors: Bool
    public var timestamps: Bool
    /// Without prefixes lines are passed on bare (no time, no name).
    public var prefixes: Bool
    /// Names are padded to this width so the `|` line up.
    public var nameWidth: Int
    /// JSON lines have no colors or prefixes: the fields above are then unused.
    public var format: LogFormat

    public static let minimumNameWidth = 6

    public init(
        colors: Bool, timestamps: Bool = true, prefixes: Bool = true, nameWidth: Int = minimumNameWidth,
        format: LogFormat = .text
    ) {
        self.format = format
        self.colors = colors
        self.timestamps = timestamps
        self.prefixes = prefixes
        self.nameWidth = nameWidth
    }

    /// The widest of `names` and "system", but at least 6 (foreman's rule).
    public static func nameWidth(for names: some Sequence<String>) -> Int {
        names.reduce(max(minimumNameWidth, "system".count)) { max($0, $1.count) }
    }

    /// The bytes before a line's text; everything but the time can be computed once.
    /// - Parameters:
    ///   - colorIndex: the entry's Procfile position, or nil for drover's own lines.
    ///   - time: `HH:MM:SS`.
    public func prefix(name: String, colorIndex: Int?, time: String) -> [UInt8] {
        guard prefixes else { return [] }
        var text = ""
        if colors { text += Palette.escape(for: colorIndex) }
        if timestamps { text += time + " " }
        text += name
        if name.count < nameWidth { text += String(repeating: " ", count: nameWidth - name.count) }
        text += " | "
        if colors { text += Palette.reset }
        return Array(text.utf8)
    }
}

/// foreman's colors, by Procfile position: cyan, yellow, green, magenta, red, blue,
/// then their bright variants (which foreman names but prints as the plain ones).
public enum Palette {
    static let codes = ["36", "33", "32", "35", "31", "34", "96", "93", "92", "95", "91", "94"]
    /// drover's own `system` lines.
    static let systemCode = "37"
    public static let reset = "\u{1B}[0m"

    public static func escape(for colorIndex: Int?) -> String {
        guard let colorIndex else { return "\u{1B}[\(systemCode)m" }
        return "\u{1B}[\(codes[colorIndex % codes.count])m"
    }
}

/// `HH:MM:SS`, from a time of day in seconds.
public enum ClockTime {
    public static func format(hour: Int, minute: Int, second: Int) -> String {
        func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return "\(two(hour)):\(two(minute)):\(two(second))"
    }
}

/// `--color auto|always|never`.
public enum ColorChoice: String, Sendable, CaseIterable {
    case auto, always, never

    /// The choice an option value names, or an error pointing at where it was written.
    public init(_ value: OptionValue) throws(Diagnostic) {
        guard let choice = ColorChoice(rawValue: value.text) else {
            throw value.invalid("must be auto, always or never", option: .color)
        }
        self = choice
    }

    /// auto: only to a terminal whose TERM is set and not "dumb", and only without NO_COLOR.
    public func enabled(outputIsTerminal: Bool, term: String?, noColor: String?) -> Bool {
        switch self {
        case .always: return true
        case .never: return false
        case .auto:
            if let noColor, !noColor.isEmpty { return false }
            guard let term, !term.isEmpty, term != "dumb" else { return false }
            return outputIsTerminal
        }
    }
}
