#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The environment this process inherited.
public enum ProcessEnvironment {
    /// `environ` as `NAME=value` entries, in order, byte for byte (a value need not be UTF-8).
    public static func current() -> [[UInt8]] {
        var entries: [[UInt8]] = []
        var pointer = environ
        while let entry = pointer.pointee {
            entries.append(bytes(of: entry))
            pointer += 1
        }
        return entries
    }
}

/// The arguments this process was started with.
public enum ProcessArguments {
    /// `argv` byte for byte: `CommandLine.arguments` shows bytes that are not UTF-8 as U+FFFD.
    public static func current() -> [[UInt8]] {
        (0..<Int(CommandLine.argc)).compactMap { CommandLine.unsafeArgv[$0].map { bytes(of: $0) } }
    }
}

/// A C string's bytes, without its NUL.
func bytes(of string: UnsafePointer<CChar>) -> [UInt8] {
    Array(UnsafeBufferPointer(start: UnsafeRawPointer(string).assumingMemoryBound(to: UInt8.self), count: strlen(string)))
}
