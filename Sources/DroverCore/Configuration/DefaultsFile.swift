/// Per-project default options: `.drover` (`key=value`, and `[TYPE]` sections for
/// one process type's settings) or foreman's `.foreman` (`key: value`).
public enum DefaultsFile {
    /// The two syntaxes: ours, and the flat YAML mapping foreman reads.
    public enum Syntax: Sendable {
        case keyEqualsValue
        case yamlMapping

        var separator: Character { self == .keyEqualsValue ? "=" : ":" }
    }

    /// Parses the file into options; every bad line is reported.
    ///
    /// Sections are checked for shape here; whether their type exists is for the
    /// loader, which has the Procfile.
    public static func parse(_ text: String, file: String, syntax: Syntax) -> Result<LaunchOptions, Diagnostics> {
        let (options, errors) = read(text, file: file, syntax: syntax)
        return errors.isEmpty ? .success(options) : .failure(Diagnostics(errors))
    }

    /// The options of every good line, and an error for every bad one: `check` reports
    /// a bad line together with what is wrong elsewhere.
    public static func read(_ text: String, file: String, syntax: Syntax) -> (options: LaunchOptions, errors: [Diagnostic]) {
        var options = LaunchOptions()
        var errors: [Diagnostic] = []
        var seenOnLine: [LaunchOption: Int] = [:]
        var section: TypeSection?
        func closeSection() {
            if let section { options.sections.append(section) }
            section = nil
        }
        for line in text.numberedLines() {
            let trimmed = line.text.trimmingBlanks()
            if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
            if syntax == .yamlMapping && (trimmed == "---" || trimmed == "...") { continue }
            let at = "\(file):\(line.number)"
            if syntax == .keyEqualsValue, trimmed.hasPrefix("["), trimmed.hasSuffix("]") {
                closeSection()
                let name = String(trimmed.dropFirst().dropLast().trimmingBlanks())
                if !Procfile.isValidName(name) {
                    errors.append(Diagnostic("\(at): \"\(name)\" is not a process type name"))
                } else if let first = options.sections.first(where: { $0.type == name }) {
                    errors.append(Diagnostic("\(at): section [\(name)] is already on line \(first.line)"))
                }
                // Keys under a bad header are still read, so their own errors show too.
                section = TypeSection(type: name, file: file, line: line.number)
                continue
            }
            guard let separator = trimmed.firstIndex(of: syntax.separator) else {
                let shape = syntax == .keyEqualsValue ? "key=value or [TYPE]" : "key: value"
                errors.append(Diagnostic("\(at): expected \(shape), got \"\(line.text)\""))
                continue
            }
            let key = String(trimmed[..<separator].trimmingBlanks())
            var value = trimmed[trimmed.index(after: separator)...].trimmingBlanks()
            if syntax == .yamlMapping { value = unquoted(value) }
            guard let option = LaunchOption(fileKey: key) else {
                let known = LaunchOption.allCases.map(\.rawValue).joined(separator: ", ")
                let hint = syntax == .yamlMapping ? "; a .drover file, if present, is read instead" : ""
                errors.append(Diagnostic("\(at): unknown option \"\(key)\" (known: \(known))\(hint)"))
                continue
            }
            let optionValue = OptionValue(String(value), origin: .file(path: file, line: line.number))
            if var current = section {
                guard option.isPerType else {
                    let perType = LaunchOption.allCases.filter(\.isPerType).map(\.rawValue).joined(separator: ", ")
                    errors.append(
                        Diagnostic(
                            "\(at): option \"\(option.rawValue)\" cannot be set for one process type (in [\(current.type)]: \(perType))"))
                    continue
                }
                if let first = current.values[option], case let .file(_, firstLine) = first.origin {
                    errors.append(
                        Diagnostic(
                            "\(at): option \"\(option.rawValue)\" is already set for [\(current.type)] on line \(firstLine)"))
                    continue
                }
                current.values[option] = optionValue
                section = current
                continue
            }
            if option.isRepeatable, let earlier = options[option] {
                options[option] = earlier.repeated(optionValue)
                continue
            }
            if let first = seenOnLine[option] {
                errors.append(Diagnostic("\(at): option \"\(option.rawValue)\" is already set on line \(first)"))
                continue
            }
            seenOnLine[option] = line.number
            options[option] = optionValue
        }
        closeSection()
        return (options, errors)
    }

    /// YAML scalars may be quoted: `procfile: "Procfile.dev"`.
    private static func unquoted(_ value: Substring) -> Substring {
        guard value.count >= 2, let first = value.first, first == "\"" || first == "'", value.last == first
        else { return value }
        return value.dropFirst().dropLast()
    }
}
