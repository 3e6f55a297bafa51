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
        while let first = name.first, first == "-" || first == "_" { name.removeFirst() }
        name = String(name.prefix(maximumLength))
        while let last = name.last, last == "-" || last == "_" { name.removeLast() }
        return problem(with: name) == nil ? name : "app"
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
