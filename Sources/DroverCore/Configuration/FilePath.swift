/// Path arithmetic on strings, the way the shell user wrote them (no file system access).
public enum FilePath {
    public static func isAbsolute(_ path: String) -> Bool { path.hasPrefix("/") }

    /// `a` + `b`; an absolute `b` wins, and `.` as a directory disappears.
    public static func join(_ directory: String, _ name: String) -> String {
        if isAbsolute(name) || directory.isEmpty || directory == "." { return name }
        return directory.hasSuffix("/") ? directory + name : directory + "/" + name
    }

    /// The directory part: `Procfile` → `.`, `/x/Procfile` → `/x`, `/Procfile` → `/`.
    public static func directory(of path: String) -> String {
        var trimmed = Substring(path)
        while trimmed.count > 1, trimmed.hasSuffix("/") { trimmed = trimmed.dropLast() }
        guard let slash = trimmed.lastIndex(of: "/") else { return "." }
        if slash == trimmed.startIndex { return "/" }
        return String(trimmed[..<slash])
    }

    /// `path` made absolute against `workingDirectory`, with `.` and `..` resolved lexically.
    public static func absolute(_ path: String, from workingDirectory: String) -> String {
        let full = isAbsolute(path) ? path : join(workingDirectory, path)
        var parts: [Substring] = []
        for part in full.split(separator: "/") {
            switch part {
            case ".": continue
            case "..": if !parts.isEmpty { parts.removeLast() }
            default: parts.append(part)
            }
        }
        return "/" + parts.joined(separator: "/")
    }

    /// Whether `path` is `ancestor` or below it (both absolute and normalised).
    public static func isWithin(_ path: String, _ ancestor: String) -> Bool {
        if ancestor == "/" { return true }
        guard path.hasPrefix(ancestor) else { return false }
        let rest = path.utf8.dropFirst(ancestor.utf8.count)
        return rest.isEmpty || rest.first == UInt8(ascii: "/")
    }

    /// `path` relative to `root` when it is under it (`app/main.py`; `.` for the root
    /// itself), else as it is.
    public static func relative(_ path: String, to root: String) -> String {
        guard isWithin(path, root) else { return path }
        if path == root { return "." }
        return String(path.dropFirst(root == "/" ? 1 : root.count + 1))
    }
}
