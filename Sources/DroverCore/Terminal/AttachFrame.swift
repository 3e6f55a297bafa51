/// After the reply to an `attach` request, each direction of the connection carries
/// frames: one kind byte, the payload's length as four bytes (big-endian), the
/// payload. Frames keep the process's bytes apart from what is not the process's
/// (a window size, the end of the run), which raw bytes could not.
public enum AttachFrame: Equatable, Sendable {
    /// Client to drover: bytes for the process, as typed.
    case input([UInt8])
    /// Client to drover: the client's terminal size; the pseudo-terminal follows it.
    case resize(WindowSize)
    /// Drover to client: what the process wrote to its terminal, unchanged.
    case output([UInt8])
    /// Drover to client, the last frame: the run ended with this exit code (128+N
    /// for signal N), and drover closes the connection.
    case exited(code: Int32)

    /// A payload longer than this is a broken peer, not a frame.
    public static let maximumPayload = 1 << 20

    enum Kind: UInt8 {
        case input = 0x69 // "i"
        case resize = 0x77 // "w"
        case output = 0x6F // "o"
        case exited = 0x65 // "e"
    }

    /// The frame as sent.
    public var encoded: [UInt8] {
        switch self {
        case let .input(bytes): Self.header(.input, count: bytes.count) + bytes
        case let .output(bytes): Self.header(.output, count: bytes.count) + bytes
        case let .resize(size):
            Self.header(.resize, count: 4) + [UInt8(size.rows >> 8), UInt8(size.rows & 0xFF)]
                + [UInt8(size.columns >> 8), UInt8(size.columns & 0xFF)]
        case let .exited(code):
            Self.header(.exited, count: 4) + withUnsafeBytes(of: UInt32(bitPattern: code).bigEndian, Array.init)
        }
    }

    /// The header of an output frame of `count` bytes, for writing the payload
    /// from where it already is.
    public static func outputHeader(count: Int) -> [UInt8] {
        header(.output, count: count)
    }

    static func header(_ kind: Kind, count: Int) -> [UInt8] {
        let length = UInt32(clamping: count)
        return [kind.rawValue, UInt8(length >> 24), UInt8(length >> 16 & 0xFF), UInt8(length >> 8 & 0xFF), UInt8(length & 0xFF)]
    }
}

/// Cuts a byte stream into `AttachFrame`s, however its bytes were split into reads.
public struct AttachFrameReader: Sendable {
    private var buffer: [UInt8] = []
    private var start = 0

    public init() {}

    public mutating func append(_ bytes: UnsafeRawBufferPointer) {
        if start > 0 && start == buffer.count {
            buffer.removeAll(keepingCapacity: true)
            start = 0
        }
        buffer.append(contentsOf: bytes)
    }

    public mutating func append(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { append($0) }
    }

    /// The next complete frame, nil while it has not all arrived; a frame no peer of
    /// drover's sends is an error (and the connection should be closed).
    public mutating func next() throws(InvalidValue) -> AttachFrame? {
        guard buffer.count - start >= 5 else { return nil }
        let kindByte = buffer[start]
        let length = buffer[(start + 1)..<(start + 5)].reduce(0) { $0 << 8 | Int($1) }
        guard let kind = AttachFrame.Kind(rawValue: kindByte) else {
            throw InvalidValue("unknown attach frame kind \(kindByte)")
        }
        guard length <= AttachFrame.maximumPayload else {
            throw InvalidValue("attach frame of \(length) bytes (at most \(AttachFrame.maximumPayload))")
        }
        guard buffer.count - start - 5 >= length else { return nil }
        let payload = Array(buffer[(start + 5)..<(start + 5 + length)])
        start += 5 + length
        if start > 1 << 16 {
            buffer.removeFirst(start)
            start = 0
        }
        switch kind {
        case .input: return .input(payload)
        case .output: return .output(payload)
        case .resize:
            guard length == 4 else { throw InvalidValue("a resize frame holds 4 bytes, not \(length)") }
            let rows = UInt16(payload[0]) << 8 | UInt16(payload[1])
            let columns = UInt16(payload[2]) << 8 | UInt16(payload[3])
            guard let size = WindowSize(reportedRows: rows, columns: columns) else {
                throw InvalidValue("a window of \(rows)x\(columns) has no cells")
            }
            return .resize(size)
        case .exited:
            guard length == 4 else { throw InvalidValue("an exit frame holds 4 bytes, not \(length)") }
            return .exited(code: Int32(bitPattern: payload.reduce(0) { $0 << 8 | UInt32($1) }))
        }
    }
}
