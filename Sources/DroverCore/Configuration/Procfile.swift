/// One `name: command` line of a Procfile: a process type.
public struct ProcfileEntry: Equatable, Sendable {
    public var name: String
    /// Bytes as written: `sh -c` gets them unchanged.
    public var command: ByteString
    /// Line number in the Procfile, for messages.
    public var line: Int

    public init(name: String, command: ByteString, line: Int) {
        self.name = name
        self.command = command
        self.line = line
    }
}

/// The process types of an application, in Procfile order.
///
/// Order matters: an entry's index decides its PORT block and its color.
public struct Procfile: Equatable, Sendable {
    public var entries: [ProcfileEntry]

    public init(entries: [ProcfileEntry]) {
        self.entries = entries
    }

    /// The process type names in Procfile order.
    public var names: [String] { entries.map(\.name) }

    /// The position of the entry with this name, if any.
    public func index(of name: String) -> Int? {
        entries.firstIndex { $0.name == name }
    }

    /// Parses a Procfile, reporting every problem rather than the first.
    ///
    /// Read as bytes (all syntax is ASCII), so a command reaches the shell exactly as
    /// written, whatever its encoding. Unlike foreman, a line that is not an entry is an
    /// error, not skipped: a typo such as `web bundle exec puma` would otherwise silently
    /// start nothing.
    /// - Parameter file: the path shown in messages.
    public static func parse(_ contents: [UInt8], file: String) -> Result<Procfile, ProcfileErrors> {
        var entries: [ProcfileEntry] = []
        var errors: [ProcfileError] = []
        var firstLineByName: [String: Int] = [:]

        for line in contents.numberedLines() {
            let trimmed = line.bytes.trimmingBlanks()
            if trimmed.isEmpty || trimmed.first == 0x23 { continue }

            guard let (name, rest) = splitEntry(line.bytes) else {
                errors.append(.malformedLine(file: file, line: line.number, text: line.text))
                continue
            }
            let command = rest.trimmingBlanks()
            if command.isEmpty {
                errors.append(.emptyCommand(file: file, line: line.number, name: name))
                continue
            }
            // A C string ends at NUL: the shell would silently run a shorter command.
            if command.contains(0) {
                errors.append(.nulInCommand(file: file, line: line.number, name: name))
                continue
            }
            if let firstLine = firstLineByName[name] {
                errors.append(.duplicateName(file: file, name: name, line: line.number, firstLine: firstLine))
                continue
            }
            firstLineByName[name] = line.number
            entries.append(ProcfileEntry(name: name, command: ByteString(command), line: line.number))
        }

        if entries.isEmpty && errors.isEmpty {
            errors.append(.noEntries(file: file))
        }
        return errors.isEmpty ? .success(Procfile(entries: entries)) : .failure(ProcfileErrors(errors))
    }

    public static func parse(_ text: String, file: String) -> Result<Procfile, ProcfileErrors> {
        parse(Array(text.utf8), file: file)
    }

    /// Matches `^([A-Za-z0-9_-]+):(.*)$`, the name part of foreman's entry pattern.
    private static func splitEntry(_ line: ArraySlice<UInt8>) -> (String, ArraySlice<UInt8>)? {
        guard let colon = line.firstIndex(of: 0x3A), colon > line.startIndex else { return nil }
        let name = line[line.startIndex..<colon]
        guard name.allSatisfy({ isNameScalar(Unicode.Scalar($0)) }) else { return nil }
        return (String(decoding: name, as: UTF8.self), line[(colon + 1)...])
    }

    /// Whether `name` may name a process type: `[A-Za-z0-9_-]+`.
    public static func isValidName(_ name: String) -> Bool {
        !name.isEmpty && name.unicodeScalars.allSatisfy(isNameScalar)
    }

    private static func isNameScalar(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case "A"..."Z", "a"..."z", "0"..."9", "_", "-": return true
        default: return false
        }
    }
}

/// Every problem found in one Procfile, in line order.
public struct ProcfileErrors: Error, Equatable, Sendable {
    public var errors: [ProcfileError]

    public init(_ errors: [ProcfileError]) {
        self.errors = errors
    }
}
