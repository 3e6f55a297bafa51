import CDroverShims

/// The open-file limit (RLIMIT_NOFILE).
///
/// Many systems start processes with a soft limit of 1024 under a hard limit of
/// thousands: drover, which holds one pipe per instance, raises its own soft limit
/// to the hard one, and hands children the soft limit it was started with, since
/// some programs misbehave with a huge one (select(2), loops closing every fd).
public enum ResourceLimits {
    public struct FileLimit: Equatable, Sendable {
        public var soft: UInt64
        public var hard: UInt64

        public init(soft: UInt64, hard: UInt64) {
            self.soft = soft
            self.hard = hard
        }
    }

    public static func fileLimit() throws(SystemError) -> FileLimit {
        var soft: UInt64 = 0
        var hard: UInt64 = 0
        guard cdrover_get_file_limit(&soft, &hard) == 0 else { throw .last("getrlimit") }
        return FileLimit(soft: UInt64(soft), hard: UInt64(hard))
    }

    public static func setFileLimit(_ limit: FileLimit) throws(SystemError) {
        guard cdrover_set_file_limit(limit.soft, limit.hard) == 0 else { throw .last("setrlimit") }
    }

    /// Raises the soft limit to the hard one; returns the limit drover was started with.
    public static func raiseFileLimit() throws(SystemError) -> FileLimit {
        let original = try fileLimit()
        if original.soft < original.hard {
            try setFileLimit(FileLimit(soft: original.hard, hard: original.hard))
        }
        return original
    }
}
