/// What a POSIX shell takes as a variable's name: `[A-Za-z_][A-Za-z0-9_]*`. `$NAME`
/// in `.env` and in commands, and systemd's `Environment=`, all follow it.
public enum ShellName {
    public static func isStart(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "_"): true
        default: false
        }
    }

    public static func isContinuation(_ byte: UInt8) -> Bool {
        isStart(byte) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
    }

    public static func isValid(_ name: String) -> Bool {
        guard let first = name.utf8.first, isStart(first) else { return false }
        return name.utf8.allSatisfy(isContinuation)
    }
}
