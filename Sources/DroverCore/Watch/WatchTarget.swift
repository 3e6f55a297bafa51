/// One path `--watch` names for a type: a change at it or under it restarts the type.
public struct WatchTarget: Equatable, Sendable {
    /// As written, relative to the root unless absolute ("." is the root).
    public var path: String
    /// Where it was written, so a path that turns out to be missing at start can be
    /// reported at its flag or file line.
    public var value: OptionValue

    public init(path: String, value: OptionValue) {
        self.path = path
        self.value = value
    }

    /// `PATH[:PATH...]`; nil text (a bare `--watch web`) is the root.
    public static func parse(_ text: String?, value: OptionValue) throws(InvalidValue) -> [WatchTarget] {
        guard let text else { return [WatchTarget(path: ".", value: value)] }
        var targets: [WatchTarget] = []
        for item in text.split(separator: ":", omittingEmptySubsequences: false) {
            let path = String(item.trimmingBlanks())
            guard !path.isEmpty else { throw InvalidValue("empty path in \"\(text)\" (paths are separated by ':')") }
            if !targets.contains(where: { $0.path == path }) { targets.append(WatchTarget(path: path, value: value)) }
        }
        return targets
    }

    /// The absolute, lexically normalised path under `root`.
    public func absolute(under root: String) -> String {
        PathName.normalised(path.hasPrefix("/") ? path : root + "/" + path)
    }
}

/// Lexical path arithmetic: no file system, so `..` is taken at its word.
public enum PathName {
    /// `/a/./b//c/../d/` is `/a/b/d`.
    public static func normalised(_ path: String) -> String {
        var parts: [Substring] = []
        for part in path.split(separator: "/") {
            switch part {
            case ".": continue
            case "..": if !parts.isEmpty { parts.removeLast() }
            default: parts.append(part)
            }
        }
        return "/" + parts.joined(separator: "/")
    }

    /// Whether `path` is `ancestor` or below it.
    public static func isWithin(_ path: String, _ ancestor: String) -> Bool {
        if ancestor == "/" { return true }
        guard path.hasPrefix(ancestor) else { return false }
        return path.utf8.count == ancestor.utf8.count
            || path.utf8[path.utf8.index(path.utf8.startIndex, offsetBy: ancestor.utf8.count)] == UInt8(ascii: "/")
    }

    /// `path` relative to `root` when it is under it (`app/main.py`), else as it is.
    public static func relative(_ path: String, to root: String) -> String {
        guard isWithin(path, root), path != root else { return path == root ? "." : path }
        return String(path.dropFirst(root == "/" ? 1 : root.count + 1))
    }
}
