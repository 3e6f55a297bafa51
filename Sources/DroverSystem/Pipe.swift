import CDroverShims

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A pipe whose ends are close-on-exec; the read end may be non-blocking.
public struct Pipe: Sendable {
    public let readEnd: FileDescriptor
    public let writeEnd: FileDescriptor

    /// `pipe2(O_CLOEXEC)`, with O_NONBLOCK on the read end only when asked.
    ///
    /// The write end stays blocking: it is the child's stdout, and a child that
    /// gets EAGAIN on its stdout would lose output.
    public static func make(nonblockingReadEnd: Bool) throws(SystemError) -> Pipe {
        var descriptors: [Int32] = [-1, -1]
        guard cdrover_pipe_cloexec(&descriptors, 0) == 0 else { throw .last("pipe2") }
        let pipe = Pipe(readEnd: FileDescriptor(rawValue: descriptors[0]), writeEnd: FileDescriptor(rawValue: descriptors[1]))
        if nonblockingReadEnd {
            try pipe.readEnd.setNonblocking(true)
        }
        return pipe
    }
}

extension Pipe {
    /// Asks for a larger buffer (Linux `F_SETPIPE_SZ`), so a busy writer and drover
    /// switch less often; the kernel may grant less. Returns the size in force.
    @discardableResult
    public func requestCapacity(_ bytes: Int) -> Int? {
        let granted = cdrover_set_pipe_size(readEnd.rawValue, Int32(clamping: bytes))
        return granted > 0 ? Int(granted) : nil
    }
}

extension FileDescriptor {
    /// Sets or clears O_NONBLOCK (`fcntl(2)`); returns whether it was set before.
    @discardableResult
    public func setNonblocking(_ on: Bool) throws(SystemError) -> Bool {
        let flags = fcntl(rawValue, F_GETFL)
        guard flags >= 0 else { throw .last("fcntl") }
        let wasOn = flags & O_NONBLOCK != 0
        let wanted = on ? flags | O_NONBLOCK : flags & ~O_NONBLOCK
        if wanted != flags, fcntl(rawValue, F_SETFL, wanted) < 0 { throw .last("fcntl") }
        return wasOn
    }

    /// What kind of file this descriptor is open on.
    public enum Kind: Sendable {
        case terminal, pipeOrSocket, regularFile, other
    }

    public var kind: Kind {
        if isTerminal { return .terminal }
        var status = stat()
        guard fstat(rawValue, &status) == 0 else { return .other }
        switch status.st_mode & S_IFMT {
        case S_IFIFO, S_IFSOCK: return .pipeOrSocket
        case S_IFREG: return .regularFile
        default: return .other
        }
    }

    /// Result of one non-blocking read.
    public enum ReadResult: Equatable, Sendable {
        case bytes(Int)
        case wouldBlock
        case endOfFile
    }

    /// One `read(2)` into `buffer`, retrying EINTR.
    public func read(into buffer: UnsafeMutableRawBufferPointer) throws(SystemError) -> ReadResult {
        while true {
            let count = Glibc.read(rawValue, buffer.baseAddress, buffer.count)
            if count > 0 { return .bytes(count) }
            if count == 0 { return .endOfFile }
            switch errno {
            case EINTR: continue
            case EAGAIN, EWOULDBLOCK: return .wouldBlock
            // A pty master reports the slave's last close as EIO.
            case EIO: return .endOfFile
            default: throw .last("read")
            }
        }
    }

    /// One `write(2)`, retrying EINTR; returns the bytes written, 0 when it would block.
    public func writeSome(_ buffer: UnsafeRawBufferPointer) throws(SystemError) -> Int {
        while true {
            let count = Glibc.write(rawValue, buffer.baseAddress, buffer.count)
            if count >= 0 { return count }
            switch errno {
            case EINTR: continue
            case EAGAIN, EWOULDBLOCK: return 0
            default: throw .last("write")
            }
        }
    }
}
