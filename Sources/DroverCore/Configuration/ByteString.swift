/// Bytes as a file or the environment gave them: environment values and commands
/// reach children byte for byte, whether or not they are UTF-8 (a Latin-1 `é` is
/// one byte 0xE9, and must not become U+FFFD on the way).
///
/// Messages show it through `description`, which decodes leniently.
public struct ByteString: Hashable, Sendable, ExpressibleByStringLiteral, CustomStringConvertible {
    public var bytes: [UInt8]

    public init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    public init(_ bytes: some Sequence<UInt8>) {
        self.bytes = Array(bytes)
    }

    public init(_ text: String) {
        bytes = Array(text.utf8)
    }

    public init(stringLiteral text: String) {
        self.init(text)
    }

    public var isEmpty: Bool { bytes.isEmpty }
    public var count: Int { bytes.count }

    /// The text, with bytes that are not UTF-8 shown as U+FFFD: for messages and for
    /// values drover itself reads as text (PORT, TERM, PATH lookups).
    public var description: String { String(decoding: bytes, as: UTF8.self) }

    public static func + (lhs: ByteString, rhs: ByteString) -> ByteString {
        ByteString(lhs.bytes + rhs.bytes)
    }
}
