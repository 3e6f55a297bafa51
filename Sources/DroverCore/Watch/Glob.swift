/// A shell-style pattern over bytes: `*` (any run within one path component), `**`
/// (any run, slashes included), `?` (one byte but `/`), `[abc]`, `[a-z]`, `[!x]`;
/// a backslash takes the next byte as it is.
public struct Glob: Equatable, Sendable, CustomStringConvertible {
    public let description: String
    private let pattern: [UInt8]

    public init(_ text: String) throws(InvalidValue) {
        guard !text.isEmpty else { throw InvalidValue("an empty pattern matches nothing") }
        let bytes = Array(text.utf8)
        var index = 0
        while index < bytes.count {
            if bytes[index] == UInt8(ascii: "\\") {
                index += 2
                continue
            }
            if bytes[index] == UInt8(ascii: "["), Self.classEnd(bytes[...], from: index) == nil {
                throw InvalidValue("\"\(text)\" has a '[' without its ']'")
            }
            index += 1
        }
        description = text
        pattern = bytes
    }

    /// A pattern known to be well formed (drover's own).
    init(checked text: String) {
        description = text
        pattern = Array(text.utf8)
    }

    /// Whether the pattern has a `/`, so it is matched against a path, not a name.
    public var matchesPaths: Bool { pattern.contains(UInt8(ascii: "/")) }

    public func matches(_ text: some StringProtocol) -> Bool {
        let subject = Array(text.utf8)
        return Self.match(pattern[...], subject[...])
    }

    private static func match(_ pattern: ArraySlice<UInt8>, _ subject: ArraySlice<UInt8>) -> Bool {
        var p = pattern.startIndex
        var s = subject.startIndex
        while p < pattern.endIndex {
            let byte = pattern[p]
            switch byte {
            case UInt8(ascii: "*"):
                let crossesSlashes = p + 1 < pattern.endIndex && pattern[p + 1] == UInt8(ascii: "*")
                var rest = p + (crossesSlashes ? 2 : 1)
                // `a/**/b` also matches `a/b`.
                if crossesSlashes, rest < pattern.endIndex, pattern[rest] == UInt8(ascii: "/"),
                    match(pattern[(rest + 1)...], subject[s...])
                {
                    return true
                }
                while rest < pattern.endIndex, pattern[rest] == UInt8(ascii: "*") { rest += 1 }
                var end = s
                while true {
                    if match(pattern[rest...], subject[end...]) { return true }
                    guard end < subject.endIndex, crossesSlashes || subject[end] != UInt8(ascii: "/") else { return false }
                    end += 1
                }
            case UInt8(ascii: "?"):
                guard s < subject.endIndex, subject[s] != UInt8(ascii: "/") else { return false }
            case UInt8(ascii: "["):
                guard s < subject.endIndex, let end = classEnd(pattern, from: p), classContains(pattern[(p + 1)..<end], subject[s])
                else { return false }
                p = end
            case UInt8(ascii: "\\") where p + 1 < pattern.endIndex:
                p += 1
                guard s < subject.endIndex, subject[s] == pattern[p] else { return false }
            default:
                guard s < subject.endIndex, subject[s] == byte else { return false }
            }
            p += 1
            s += 1
        }
        return s == subject.endIndex
    }

    /// The index of the `]` closing the class opened at `start`; a `]` right after `[` or `[!` is a member.
    private static func classEnd(_ bytes: ArraySlice<UInt8>, from start: Int) -> Int? {
        var index = start + 1
        if index < bytes.endIndex, bytes[index] == UInt8(ascii: "!") { index += 1 }
        if index < bytes.endIndex, bytes[index] == UInt8(ascii: "]") { index += 1 }
        while index < bytes.endIndex {
            if bytes[index] == UInt8(ascii: "]") { return index }
            index += 1
        }
        return nil
    }

    private static func classContains(_ members: ArraySlice<UInt8>, _ byte: UInt8) -> Bool {
        guard byte != UInt8(ascii: "/") else { return false }
        var index = members.startIndex
        let negated = index < members.endIndex && members[index] == UInt8(ascii: "!")
        if negated { index += 1 }
        var found = false
        while index < members.endIndex {
            let low = members[index]
            if index + 2 < members.endIndex, members[index + 1] == UInt8(ascii: "-") {
                if low <= byte && byte <= members[index + 2] { found = true }
                index += 3
            } else {
                if low == byte { found = true }
                index += 1
            }
        }
        return found != negated
    }
}
