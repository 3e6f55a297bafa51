#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A NULL-terminated `char *[]` (argv or envp) for `posix_spawn` and `execve`, built
/// once from bytes: nothing is re-encoded, so what drover read reaches the child.
///
/// An array made by `appending` borrows its base's strings instead of copying them:
/// the application's environment is built once, and each instance adds its own two
/// variables (5,000 instances share one copy). Immutable, so it may cross threads.
/// Strings must hold no NUL (the parsers refuse one; nothing else can carry one).
public final class CStringArray: @unchecked Sendable {
    /// The strings this array allocated; freed with it.
    private let owned: [UnsafeMutablePointer<CChar>]
    /// Keeps the borrowed strings alive.
    private let base: CStringArray?
    /// Every string, then NULL.
    private let pointers: [UnsafeMutablePointer<CChar>?]

    public init(_ strings: [[UInt8]]) {
        owned = strings.map(Self.copy)
        base = nil
        pointers = owned + [nil]
    }

    public convenience init(_ strings: [String]) {
        self.init(strings.map { Array($0.utf8) })
    }

    /// `base`'s strings, then `strings`.
    public init(_ base: CStringArray, appending strings: [[UInt8]]) {
        owned = strings.map(Self.copy)
        self.base = base
        pointers = base.pointers.dropLast() + owned + [nil]
    }

    deinit {
        for pointer in owned { free(pointer) }
    }

    public var count: Int { pointers.count - 1 }

    /// The strings back, for tests and messages.
    public var strings: [[UInt8]] {
        pointers.dropLast().map { bytes(of: $0!) }
    }

    /// Runs `body` with the `char *[]`; valid only during the call.
    public func withUnsafePointer<Result>(_ body: (UnsafePointer<UnsafeMutablePointer<CChar>?>) -> Result) -> Result {
        pointers.withUnsafeBufferPointer { body($0.baseAddress!) }
    }

    private static func copy(_ bytes: [UInt8]) -> UnsafeMutablePointer<CChar> {
        let pointer = malloc(bytes.count + 1)!.assumingMemoryBound(to: CChar.self)
        bytes.withUnsafeBytes { source in
            if let address = source.baseAddress { memcpy(pointer, address, bytes.count) }
        }
        pointer[bytes.count] = 0
        return pointer
    }
}
