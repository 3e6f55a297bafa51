import DroverCore

/// What every format takes as a user: a name of letters, digits, `_`, `.` and `-`
/// (not starting with `-`), or a number where the format takes one. systemd refuses
/// `a:b` outright and an empty `User=` silently means root; supervisord refuses an
/// empty `user=`; runit's chpst and launchd's UserName look a number up as a name.
enum UserName {
    static let maximumLength = 32

    static func problem(with name: String, format: ExportFormat) -> String? {
        guard let first = name.unicodeScalars.first, first != "-", name.count <= maximumLength,
            name.unicodeScalars.allSatisfy(isNameScalar)
        else {
            return "a user is a name of letters, digits, _, . and - (not starting with -, at most \(maximumLength)), or a number"
        }
        if WholeNumber.isDigits(name) && (format == .runit || format == .launchd) {
            return "\(format.rawValue) takes a user name, not a number"
        }
        return nil
    }

    private static func isNameScalar(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case "a"..."z", "A"..."Z", "0"..."9", "_", ".", "-": true
        default: false
        }
    }
}
