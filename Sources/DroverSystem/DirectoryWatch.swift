#if canImport(Glibc)
    import Glibc
#endif

/// inotify: one descriptor for the epoll loop, one watch per directory (inotify does
/// not recurse, so the caller adds each directory it wants). A macOS port would put
/// kqueue or FSEvents behind the same few calls.
public final class DirectoryWatch {
    public let descriptor: FileDescriptor
    private var buffer = [UInt8](repeating: 0, count: 64 * 1024)

    /// What happened, as far as a watcher of a tree cares.
    public enum Change: Equatable, Sendable {
        /// A file (or a link, or anything but a directory) was written, created, removed,
        /// renamed or touched.
        case file(name: String)
        /// A directory appeared (created, or moved in): it needs a watch and a scan.
        /// One moved in is a change itself; a new one is only a place files may go.
        case directoryAppeared(name: String, movedIn: Bool)
        /// A directory went (removed, or moved away): its watches name old paths now.
        case directoryGone(name: String)
        /// The watched directory itself is gone; the kernel dropped its watch.
        case watchEnded
        /// The kernel's queue was full: events were lost.
        case overflow
    }

    public struct Event: Equatable, Sendable {
        /// The watch the event is for (meaningless for `.overflow`).
        public var watch: Int32
        public var change: Change
    }

    public init() throws(SystemError) {
        let raw = inotify_init1(Int32(IN_NONBLOCK | IN_CLOEXEC))
        guard raw >= 0 else { throw .last("inotify_init1") }
        descriptor = FileDescriptor(rawValue: raw)
    }

    deinit { descriptor.close() }

    private static let mask: UInt32 =
        UInt32(IN_MODIFY | IN_CLOSE_WRITE | IN_ATTRIB | IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO)
        | UInt32(IN_ONLYDIR | IN_EXCL_UNLINK)

    /// Watches one directory (not what is below it); adding one already watched
    /// returns its watch again. ENOSPC: the user's watch limit is reached.
    /// `followingLinks`: for a path the user named; directories found below are
    /// taken as they are, so a link cannot lead the walk in circles.
    public func add(directory path: String, followingLinks: Bool = false) throws(SystemError) -> Int32 {
        let mask = followingLinks ? Self.mask : Self.mask | UInt32(IN_DONT_FOLLOW)
        let watch = inotify_add_watch(descriptor.rawValue, path, mask)
        guard watch >= 0 else { throw .last("inotify_add_watch") }
        return watch
    }

    public func remove(_ watch: Int32) {
        _ = inotify_rm_watch(descriptor.rawValue, watch)
    }

    /// Every event queued now, in order; empty when none is.
    public func read() throws(SystemError) -> [Event] {
        var events: [Event] = []
        while true {
            let count = buffer.withUnsafeMutableBytes { Glibc.read(descriptor.rawValue, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                if errno == EAGAIN || errno == EWOULDBLOCK { return events }
                throw .last("read")
            }
            if count == 0 { return events }
            buffer.withUnsafeBytes { raw in Self.parse(UnsafeRawBufferPointer(rebasing: raw[0..<count]), into: &events) }
        }
    }

    /// `struct inotify_event` records: wd, mask, cookie, len, then len bytes of name.
    static func parse(_ raw: UnsafeRawBufferPointer, into events: inout [Event]) {
        let header = MemoryLayout<inotify_event>.size
        var offset = 0
        while offset + header <= raw.count {
            let watch = raw.loadUnaligned(fromByteOffset: offset, as: Int32.self)
            let mask = raw.loadUnaligned(fromByteOffset: offset + 4, as: UInt32.self)
            let length = Int(raw.loadUnaligned(fromByteOffset: offset + 12, as: UInt32.self))
            let nameBytes = raw[(offset + header)..<min(raw.count, offset + header + length)]
            let name = String(decoding: nameBytes.prefix { $0 != 0 }, as: UTF8.self)
            offset += header + length
            if let change = change(mask: mask, name: name) { events.append(Event(watch: watch, change: change)) }
        }
    }

    private static func change(mask: UInt32, name: String) -> Change? {
        if mask & UInt32(IN_Q_OVERFLOW) != 0 { return .overflow }
        if mask & UInt32(IN_IGNORED) != 0 { return .watchEnded }
        guard !name.isEmpty else { return nil }
        guard mask & UInt32(IN_ISDIR) != 0 else { return .file(name: name) }
        if mask & UInt32(IN_CREATE | IN_MOVED_TO) != 0 {
            return .directoryAppeared(name: name, movedIn: mask & UInt32(IN_MOVED_TO) != 0)
        }
        if mask & UInt32(IN_DELETE | IN_MOVED_FROM) != 0 { return .directoryGone(name: name) }
        return nil
    }

    /// A limit under /proc/sys/fs/inotify (`max_user_watches`, `max_queued_events`), for messages.
    public static func limit(_ name: String) -> Int? {
        guard case let .success(bytes) = FileSystem.readFile("/proc/sys/fs/inotify/" + name) else { return nil }
        return Int(String(decoding: bytes.filter { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }, as: UTF8.self))
    }
}
