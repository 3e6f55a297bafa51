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
            entries.append(Array(UnsafeBufferPointer(start: UnsafeRawPointer(entry).assumingMemoryBound(to: UInt8.self), count: strlen(entry))))
            pointer += 1
        }
        return entries
    }
}

/// The arguments this process was started with.
public enum ProcessArguments {
    /// `argv` byte for byte: `CommandLine.arguments` shows bytes that are not UTF-8 as U+FFFD.
    public static func current() -> [[UInt8]] {
        (0..<Int(CommandLine.argc)).compactMap { index in
            CommandLine.unsafeArgv[index].map { argument in
                Array(UnsafeBufferPointer(
                    start: UnsafeRawPointer(argument).assumingMemoryBound(to: UInt8.self), count: strlen(argument)))
            }
        }
    }
}
