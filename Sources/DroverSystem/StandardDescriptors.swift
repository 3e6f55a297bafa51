#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Descriptors 0, 1 and 2 belong to stdin, stdout and stderr, even when drover was
/// started with one of them closed (`drover start >&-`).
public enum StandardDescriptors {
    /// Opens /dev/null on any of 0, 1, 2 that is closed. Call it before anything opens
    /// a descriptor: otherwise the next `open` or `signalfd` lands on 1, and drover's
    /// log stream would be written into its own signal descriptor.
    public static func reserve() {
        for target: Int32 in 0...2 where fcntl(target, F_GETFD) < 0 && errno == EBADF {
            let descriptor = open("/dev/null", O_RDWR)
            guard descriptor >= 0 else { return }
            // The lowest free number is `target` (the lower ones are open by now), but be sure.
            if descriptor != target {
                _ = dup2(descriptor, target)
                _ = close(descriptor)
            }
        }
    }
}
