/// The JSON log format: one object per line, for log shippers.
///
///     {"time":"2026-12-03T20:01:02.345Z","name":"web.1","type":"web","number":1,"pid":4242,"line":"GET /"}
///     {"time":"...","name":"system","event":"exited","instance":"web.1","code":3,"line":"web.1 exited with code 3"}
///
/// An instance's line is a prefix (everything up to the text, rendered once per
/// millisecond and run, like the text format's prefix), the escaped text, and
/// `suffix`. Escaping writes straight into the caller's buffer: no allocation per
/// line. Bytes that are not UTF-8 become U+FFFD, as `String(decoding:as:)` replaces
/// them (one per maximal invalid subpart); control characters (C0, DEL, C1) and
/// U+2028/U+2029 are escaped, so every line is valid JSON that JavaScript reads too.
public enum JSONLogLine {
    /// The most bytes `count` bytes of text can become: a control byte takes six.
    @inline(__always)
    public static func maximumEscapedCount(_ count: Int) -> Int { count * 6 }

    /// What follows the escaped text: the string's quote and the object's brace.
    public static let suffix: [UInt8] = Array("\"}".utf8)

    /// `{"time":...,"name":...,"type":...,"number":...,"pid":...,"line":"`.
    public static func prefix(time: String, name: String, type: String, number: Int, pid: Int32?) -> [UInt8] {
        var bytes = Array("{\"time\":\"\(time)\",\"name\":".utf8)
        bytes += JSONValue.string(name).serializedBytes
        bytes += Array(",\"type\":".utf8) + JSONValue.string(type).serializedBytes
        bytes += Array(",\"number\":\(number),\"pid\":\(pid.map(String.init) ?? "null"),\"line\":\"".utf8)
        return bytes
    }

    /// A whole `system` line (without its newline): the event, its instance and
    /// fields, and `text` (the text format's line) as `line`.
    public static func system(_ event: SystemEvent, time: String, text: String) -> [UInt8] {
        var members: [(String, JSONValue)] = [("time", .string(time)), ("name", .string("system")), ("event", .string(event.event))]
        if let instance = event.instance { members.append(("instance", .string(instance))) }
        for field in event.fields { members.append((field.key, field.value)) }
        var bytes = JSONValue.object(members).serializedBytes
        // The object's closing brace goes after the line.
        bytes.removeLast()
        bytes += Array(",\"line\":\"".utf8)
        var text = text
        text.withUTF8 { append(UnsafeRawBufferPointer($0), to: &bytes) }
        return bytes + suffix
    }

    /// An instance's whole line (without its newline), for tests and the fuzzer.
    public static func line(_ text: UnsafeRawBufferPointer, prefix: [UInt8]) -> [UInt8] {
        var bytes = prefix
        append(text, to: &bytes)
        return bytes + suffix
    }

    /// Appends the escaped `text` to `bytes`.
    public static func append(_ text: UnsafeRawBufferPointer, to bytes: inout [UInt8]) {
        let start = bytes.count
        bytes += repeatElement(0, count: maximumEscapedCount(text.count))
        let written = bytes.withUnsafeMutableBytes { escape(text, into: $0.baseAddress! + start) }
        bytes.removeLast(bytes.count - start - written)
    }

    /// Writes `text` as the inside of a JSON string at `out`, which must have room for
    /// `maximumEscapedCount(text.count)` bytes; returns how many it wrote. Runs of
    /// plain bytes (printable ASCII, valid UTF-8) are copied whole.
    public static func escape(_ text: UnsafeRawBufferPointer, into out: UnsafeMutableRawPointer) -> Int {
        guard let base = text.baseAddress else { return 0 }
        let bytes = base.assumingMemoryBound(to: UInt8.self)
        let count = text.count
        var index = 0
        var run = 0
        var written = 0
        while index < count {
            let byte = bytes[index]
            if byte >= 0x20 && byte < 0x7F && byte != 0x22 && byte != 0x5C {
                index += 1
                continue
            }
            var length = 1
            var scalar = UInt32(byte)
            var valid = byte < 0x80
            if byte >= 0x80 {
                (length, valid) = sequence(bytes, at: index, count: count)
                if valid {
                    scalar = decode(bytes, at: index, length: length)
                    if scalar >= 0xA0 && scalar != 0x2028 && scalar != 0x2029 {
                        index += length
                        continue
                    }
                }
            }
            if index > run {
                (out + written).copyMemory(from: base + run, byteCount: index - run)
                written += index - run
            }
            if valid {
                written += escapeScalar(scalar, into: out + written)
            } else {
                out.storeBytes(of: 0xEF, toByteOffset: written, as: UInt8.self)
                out.storeBytes(of: 0xBF, toByteOffset: written + 1, as: UInt8.self)
                out.storeBytes(of: 0xBD, toByteOffset: written + 2, as: UInt8.self)
                written += 3
            }
            index += length
            run = index
        }
        if count > run {
            (out + written).copyMemory(from: base + run, byteCount: count - run)
            written += count - run
        }
        return written
    }

    /// The length of the UTF-8 sequence at `index` and whether it is valid; an invalid
    /// one's length is its maximal subpart (at least 1), which becomes one U+FFFD.
    @inline(__always)
    private static func sequence(_ bytes: UnsafePointer<UInt8>, at index: Int, count: Int) -> (Int, Bool) {
        let lead = bytes[index]
        var needed = 0
        var low: UInt8 = 0x80
        var high: UInt8 = 0xBF
        switch lead {
        case 0xC2...0xDF: needed = 1
        case 0xE0: (needed, low) = (2, 0xA0)
        case 0xE1...0xEC, 0xEE, 0xEF: needed = 2
        case 0xED: (needed, high) = (2, 0x9F)
        case 0xF0: (needed, low) = (3, 0x90)
        case 0xF1...0xF3: needed = 3
        case 0xF4: (needed, high) = (3, 0x8F)
        default: return (1, false)
        }
        var offset = 1
        while offset <= needed {
            guard index + offset < count else { return (offset, false) }
            let byte = bytes[index + offset]
            guard byte >= low && byte <= high else { return (offset, false) }
            (low, high) = (0x80, 0xBF)
            offset += 1
        }
        return (needed + 1, true)
    }

    @inline(__always)
    private static func decode(_ bytes: UnsafePointer<UInt8>, at index: Int, length: Int) -> UInt32 {
        let lead = UInt32(bytes[index])
        var scalar = length == 2 ? lead & 0x1F : length == 3 ? lead & 0x0F : lead & 0x07
        for offset in 1..<length { scalar = scalar << 6 | UInt32(bytes[index + offset] & 0x3F) }
        return scalar
    }

    /// `\"`, `\\`, `\n`... or `\u00XX` / `\u2028`: at most six bytes.
    private static func escapeScalar(_ scalar: UInt32, into out: UnsafeMutableRawPointer) -> Int {
        func put(_ letter: UInt8) -> Int {
            out.storeBytes(of: 0x5C, as: UInt8.self)
            out.storeBytes(of: letter, toByteOffset: 1, as: UInt8.self)
            return 2
        }
        switch scalar {
        case 0x22: return put(0x22)
        case 0x5C: return put(0x5C)
        case 0x0A: return put(UInt8(ascii: "n"))
        case 0x0D: return put(UInt8(ascii: "r"))
        case 0x09: return put(UInt8(ascii: "t"))
        case 0x08: return put(UInt8(ascii: "b"))
        case 0x0C: return put(UInt8(ascii: "f"))
        default:
            let hex: StaticString = "0123456789abcdef"
            out.storeBytes(of: 0x5C, as: UInt8.self)
            out.storeBytes(of: UInt8(ascii: "u"), toByteOffset: 1, as: UInt8.self)
            for position in 0..<4 {
                let digit = Int((scalar >> UInt32(12 - 4 * position)) & 0xF)
                out.storeBytes(of: hex.utf8Start[digit], toByteOffset: 2 + position, as: UInt8.self)
            }
            return 6
        }
    }

    /// `2026-12-03T20:01:02.345Z`: RFC 3339 in UTC, from milliseconds since the epoch.
    public static func timestamp(milliseconds: Int) -> String {
        var bytes = [UInt8](repeating: 0, count: timestampCount)
        bytes.withUnsafeMutableBytes { writeTimestamp(milliseconds: milliseconds, into: $0.baseAddress!) }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// A timestamp's length: always 24 bytes (years 0 to 9999), so a prefix's time can
    /// be rewritten in place each millisecond, without an allocation.
    public static let timestampCount = 24

    /// Where the time starts in an instance's prefix, after `{"time":"`.
    public static let timestampOffset = 9

    /// Writes the timestamp's 24 bytes at `out`.
    public static func writeTimestamp(milliseconds: Int, into out: UnsafeMutableRawPointer) {
        let (days, remainder) = milliseconds.quotientAndRemainder(dividingBy: 86_400_000)
        let (day, inDay) = remainder < 0 ? (days - 1, remainder + 86_400_000) : (days, remainder)
        // Days since 1970-01-01 to a civil date (Howard Hinnant's algorithm).
        let shifted = day + 719_468
        let era = (shifted >= 0 ? shifted : shifted - 146_096) / 146_097
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let dayOfMonth = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        let year = min(9999, max(0, yearOfEra + era * 400 + (month <= 2 ? 1 : 0)))
        var position = 0
        func digits(_ value: Int, _ width: Int, then separator: UInt8?) {
            var value = value
            for place in stride(from: width - 1, through: 0, by: -1) {
                out.storeBytes(of: UInt8(48 + value % 10), toByteOffset: position + place, as: UInt8.self)
                value /= 10
            }
            position += width
            if let separator {
                out.storeBytes(of: separator, toByteOffset: position, as: UInt8.self)
                position += 1
            }
        }
        let seconds = inDay / 1000
        digits(year, 4, then: UInt8(ascii: "-"))
        digits(month, 2, then: UInt8(ascii: "-"))
        digits(dayOfMonth, 2, then: UInt8(ascii: "T"))
        digits(seconds / 3600, 2, then: UInt8(ascii: ":"))
        digits(seconds / 60 % 60, 2, then: UInt8(ascii: ":"))
        digits(seconds % 60, 2, then: UInt8(ascii: "."))
        digits(inDay % 1000, 3, then: UInt8(ascii: "Z"))
    }
}
