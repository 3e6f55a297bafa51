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
        FilePath.absolute(path, from: root)
    }
}
