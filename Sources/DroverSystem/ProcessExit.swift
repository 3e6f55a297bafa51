#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// `exit(3)`; drover writes straight to descriptors, so there is no buffer to flush.
public func exitProcess(_ code: Int32) -> Never {
    exit(code)
}
