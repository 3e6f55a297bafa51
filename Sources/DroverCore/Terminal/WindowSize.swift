/// A terminal's size in character cells.
public struct WindowSize: Equatable, Sendable, CustomStringConvertible {
    public var rows: UInt16
    public var columns: UInt16

    /// What a pseudo-terminal gets when drover has no terminal to copy: the VT100's.
    public static let fallback = WindowSize(rows: 24, columns: 80)

    public init(rows: UInt16, columns: UInt16) {
        self.rows = rows
        self.columns = columns
    }

    /// A size a terminal reported; a zero means it does not know (a serial line, a
    /// terminal never sized), which is no size at all.
    public init?(reportedRows rows: UInt16, columns: UInt16) {
        guard rows > 0, columns > 0 else { return nil }
        self.init(rows: rows, columns: columns)
    }

    /// `24x80`, rows first as `stty size` prints them.
    public var description: String { "\(rows)x\(columns)" }
}

/// Which size an instance's pseudo-terminal should have: the size of the client that
/// attached (or resized) last while any is attached, else drover's own terminal's.
public struct WindowSizing: Equatable, Sendable {
    private struct Attached: Equatable, Sendable {
        let client: UInt64
        let size: WindowSize
    }

    /// In the order they last sized.
    private var attached: [Attached] = []
    /// Set once drover's terminal reported a size; nil means `WindowSize.fallback`.
    public private(set) var own: WindowSize?

    public init(own: WindowSize?) {
        self.own = own
    }

    /// The size the pseudo-terminal should have now.
    public var current: WindowSize { attached.last?.size ?? own ?? .fallback }

    /// A client attached, or reported a new size: it is the one followed from now on.
    public mutating func clientSized(_ client: UInt64, _ size: WindowSize) {
        attached.removeAll { $0.client == client }
        attached.append(Attached(client: client, size: size))
    }

    /// A client detached: the one that sized before it is followed again.
    public mutating func clientLeft(_ client: UInt64) {
        attached.removeAll { $0.client == client }
    }

    /// drover's terminal changed size (SIGWINCH).
    public mutating func ownSized(_ size: WindowSize?) {
        own = size
    }
}
