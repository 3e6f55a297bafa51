/// What `--watch` never counts as a change: version-control and dependency
/// directories, editors' swap and backup files, drover's own socket and log file,
/// and the `--watch-ignore` globs.
public struct WatchIgnore: Equatable, Sendable {
    /// Directories that are not watched at all, wherever they are.
    public static let directories: Set<String> = [".git", ".hg", ".svn", "node_modules", ".build", "__pycache__"]
    /// vim's swap files and its `4913` write test, backups (`name~`), emacs's lock links.
    static let names: [Glob] = ["*.swp", "*~", ".#*", "4913"].map(Glob.init(checked:))

    public var globs: [Glob]
    /// Absolute paths: drover's socket, its lock, its log file.
    public var paths: Set<String>

    public init(globs: [Glob] = [], paths: Set<String> = []) {
        self.globs = globs
        self.paths = paths
    }

    /// `path` is absolute; `root` is where relative globs start. A glob without a `/`
    /// matches any component's name; one with a `/` the path relative to the root,
    /// or any directory above it.
    public func ignores(_ path: String, root: String) -> Bool {
        if paths.contains(path) { return true }
        let relative = FilePath.relative(path, to: root)
        let components = relative.split(separator: "/")
        guard let name = components.last else { return false }
        if components.contains(where: { Self.directories.contains(String($0)) }) { return true }
        if Self.names.contains(where: { $0.matches(name) }) { return true }
        for glob in globs {
            if glob.matchesPaths {
                var prefix = ""
                for component in components {
                    prefix = prefix.isEmpty ? String(component) : prefix + "/" + component
                    if glob.matches(prefix) { return true }
                }
            } else if components.contains(where: { glob.matches($0) }) {
                return true
            }
        }
        return false
    }
}
