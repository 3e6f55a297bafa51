/// Per-project default options: `.drover` (`key=value`) or foreman's `.foreman` (`key: value`).
public enum DefaultsFile {
    /// The two syntaxes: ours, and the flat YAML mapping foreman reads.
    public enum Syntax: Sendable {
        case keyEqualsValue
        case yamlMapping

        var separator: Character { self == .keyEqualsValue ? "=" : ":" }
    }

    /// Parses the file into options; every bad line is reported.
    public static func parse(_ text: String, file: String, syntax: Syntax) -> Result<LaunchOptions, Diagnostics> {
        var options = LaunchOptions()
        var errors: [Diagnostic] = []
        var seenOnLine: [LaunchOption: Int] = [:]
        for line in text.numberedLines() {
            let trimmed = line.text.trimmingBlanks()
            if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
            if syntax == .yamlMapping && (trimmed == "---" || trimmed == "...") { continue }
            guard let separator = trimmed.firstIndex(of: syntax.separator) else {
                let shape = syntax == .keyEqualsValue ? "key=value" : "key: value"
                errors.append(Diagnostic("\(file):\(line.number): expected \(shape), got \"\(line.text)\""))
                continue
            }
            let key = String(trimmed[..<separator].trimmingBlanks())
            var value = trimmed[trimmed.index(after: separator)...].trimmingBlanks()
            if syntax == .yamlMapping { value = unquoted(value) }
            guard let option = LaunchOption(fileKey: key) else {
                let known = LaunchOption.allCases.map(\.rawValue).joined(separator: ", ")
                let hint = syntax == .yamlMapping ? "; a .drover file, if present, is read instead" : ""
                errors.append(Diagnostic(
                    "\(file):\(line.number): unknown option \"\(key)\" (known: \(known))\(hint)"))
                continue
            }
            if let first = seenOnLine[option] {
                errors.append(Diagnostic(
                    "\(file):\(line.number): option \"\(option.rawValue)\" is already set on line \(first)"))
                continue
            }
            seenOnLine[option] = line.number
            options[option] = OptionValue(String(value), origin: .file(path: file, line: line.number))
        }
        return errors.isEmpty ? .success(options) : .failure(Diagnostics(errors))
    }

    /// YAML scalars may be quoted: `procfile: "Procfile.dev"`.
    private static func unquoted(_ value: Substring) -> Substring {
        guard value.count >= 2, let first = value.first, first == "\"" || first == "'", value.last == first
        else { return value }
        return value.dropFirst().dropLast()
    }
}
