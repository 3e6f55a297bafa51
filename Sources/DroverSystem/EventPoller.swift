import CDroverShims

#if canImport(Glibc)
    import Glibc
#endif

/// One epoll instance: descriptors registered with a token, level-triggered.
public struct EventPoller: Sendable {
    public struct Interest: OptionSet, Sendable {
        public let rawValue: UInt32
        public init(rawValue: UInt32) { self.rawValue = rawValue }

        public static let readable = Interest(rawValue: cdrover_epoll_in())
        public static let writable = Interest(rawValue: cdrover_epoll_out())
        /// Nothing: keeps the registration but reports no events (used to pause a reader).
        public static let none: Interest = []
    }

    /// One ready descriptor.
    public struct Event: Sendable {
        public var token: UInt64
        public var readable: Bool
        public var writable: Bool
        /// Hang-up or error: read until end of file to learn more.
        public var closed: Bool
    }

    public let descriptor: FileDescriptor

    public init() throws(SystemError) {
        let descriptor = cdrover_epoll_create()
        guard descriptor >= 0 else { throw .last("epoll_create1") }
        self.descriptor = FileDescriptor(rawValue: descriptor)
    }

    public func add(_ target: FileDescriptor, token: UInt64, interest: Interest) throws(SystemError) {
        guard cdrover_epoll_control(descriptor.rawValue, cdrover_epoll_add(), target.rawValue, interest.rawValue, token) == 0
        else { throw .last("epoll_ctl(ADD)") }
    }

    public func modify(_ target: FileDescriptor, token: UInt64, interest: Interest) throws(SystemError) {
        guard cdrover_epoll_control(descriptor.rawValue, cdrover_epoll_modify(), target.rawValue, interest.rawValue, token) == 0
        else { throw .last("epoll_ctl(MOD)") }
    }

    public func remove(_ target: FileDescriptor) {
        _ = cdrover_epoll_control(descriptor.rawValue, cdrover_epoll_delete(), target.rawValue, 0, 0)
    }

    /// Waits until something is ready or `timeoutMilliseconds` pass (nil: forever).
    public func wait(timeoutMilliseconds: Int?, into events: inout [Event]) throws(SystemError) {
        events.removeAll(keepingCapacity: true)
        var tokens = [UInt64](repeating: 0, count: 64)
        var flags = [UInt32](repeating: 0, count: 64)
        let timeout = timeoutMilliseconds.map { Int32(clamping: max(0, $0)) } ?? -1
        var count: Int32
        repeat {
            count = cdrover_epoll_wait(descriptor.rawValue, &tokens, &flags, 64, timeout)
        } while count < 0 && errno == EINTR
        guard count >= 0 else { throw .last("epoll_wait") }
        let readable = cdrover_epoll_in()
        let writable = cdrover_epoll_out()
        let closed = cdrover_epoll_hangup() | cdrover_epoll_error()
        for index in 0..<Int(count) {
            events.append(
                Event(
                    token: tokens[index], readable: flags[index] & readable != 0,
                    writable: flags[index] & writable != 0, closed: flags[index] & closed != 0))
        }
    }
}
