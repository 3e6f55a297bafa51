/// The key that detaches `drover attach` from its instance (`--detach-key`).
public struct DetachKey: Equatable, Sendable {
    /// The byte the terminal sends for it.
    public let byte: UInt8

    /// Ctrl-\: in raw mode no program needs it (it is SIGQUIT's key, a signal the
    /// process would get only from the terminal), and overmind users know it from
    /// nothing else, so it collides with little.
    public static let standard = DetachKey(byte: 0x1C)

    public init(byte: UInt8) {
        self.byte = byte
    }

    /// `ctrl-\`, `Ctrl-A`, `C-]`, `^Q`, or one printable ASCII character.
    public static func parse(_ text: String) throws(InvalidValue) -> DetachKey {
        let lowered = text.lowercased()
        for prefix in ["ctrl-", "ctrl+", "c-", "^"] where lowered.hasPrefix(prefix) && lowered.count == prefix.count + 1 {
            let key = Array(text.utf8).last!
            switch key {
            case UInt8(ascii: "a")...UInt8(ascii: "z"): return DetachKey(byte: key - 0x60)
            case 0x40...0x5F: return DetachKey(byte: key - 0x40) // @, A-Z, [, \, ], ^, _
            case UInt8(ascii: "?"): return DetachKey(byte: 0x7F)
            default: break
            }
        }
        let bytes = Array(text.utf8)
        if bytes.count == 1, (0x21...0x7E).contains(bytes[0]) { return DetachKey(byte: bytes[0]) }
        throw InvalidValue("not a key: use ctrl-X (X a letter or one of @[\\]^_?) or one printable character")
    }

    /// How messages name it: `Ctrl-\`, `Ctrl-A`, `q`.
    public var name: String {
        switch byte {
        case 0x00...0x1F: "Ctrl-" + String(UnicodeScalar(byte + 0x40))
        case 0x7F: "Ctrl-?"
        default: String(UnicodeScalar(byte))
        }
    }
}

/// What `drover attach` does with the user's keys: all go to the process, except the
/// detach key. Pressed once, it detaches when `doublePressMilliseconds` pass with no
/// other key; pressed twice within that time, the key itself goes through once. Any
/// other key while it waits detaches at once (and that key is not sent).
public struct DetachFilter: Sendable {
    public static let doublePressMilliseconds: Int64 = 500

    public let key: DetachKey
    /// When the detach key was pressed, while it waits for a second press.
    private var pressedAt: Int64?

    public init(key: DetachKey) {
        self.key = key
    }

    public struct Outcome: Equatable, Sendable {
        /// Bytes for the process, in order.
        public var forward: [UInt8]
        public var detach: Bool

        public init(forward: [UInt8], detach: Bool) {
            self.forward = forward
            self.detach = detach
        }
    }

    /// When a single press detaches if nothing else comes; nil when none waits.
    public var deadline: Int64? { pressedAt.map { $0 + Self.doublePressMilliseconds } }

    public mutating func feed(_ bytes: [UInt8], now: Int64) -> Outcome {
        // The loop may come to the keys late: a press whose time ran out has detached.
        if detachesAt(now) { return Outcome(forward: [], detach: true) }
        var forward: [UInt8] = []
        forward.reserveCapacity(bytes.count)
        for byte in bytes {
            if pressedAt != nil {
                pressedAt = nil
                guard byte == key.byte else { return Outcome(forward: forward, detach: true) }
                forward.append(byte)
            } else if byte == key.byte {
                pressedAt = now
            } else {
                forward.append(byte)
            }
        }
        return Outcome(forward: forward, detach: false)
    }

    /// Time passed with no key: whether a waiting press now detaches.
    public func detachesAt(_ now: Int64) -> Bool {
        deadline.map { now >= $0 } ?? false
    }
}
