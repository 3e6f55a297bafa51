/// The line every writer prints and the verifier checks:
///
///     soak NAME PID NONCE SEQ LENGTH PAYLOAD CHECKSUM
///
/// NAME is `$PS` (so a line shown under the wrong instance is caught), PID and NONCE
/// identify one run of one writer (pids are reused here: pid_max is 32768), SEQ counts
/// from 1 within the run, LENGTH is the payload's byte count and CHECKSUM is FNV-1a over
/// everything before it, as 8 hex digits. The payload has no blanks, so a torn or merged
/// line cannot pass for a whole one.
enum SoakLine {
    static let tag: [UInt8] = Array("soak ".utf8)
    /// Pipes write up to PIPE_BUF (4096) bytes atomically; the longest line stays below it,
    /// so the writers' children, who share the pipe, can never split one another's lines.
    static let longestPayload = 3500

    static func checksum(_ bytes: ArraySlice<UInt8>) -> UInt32 {
        var hash: UInt32 = 0x811C_9DC5
        for byte in bytes {
            hash ^= UInt32(byte)
            hash &*= 0x0100_0193
        }
        return hash
    }

    /// The whole line, newline included, ready for one write(2).
    static func make(name: [UInt8], pid: Int32, nonce: UInt32, sequence: Int, payload: [UInt8]) -> [UInt8] {
        var line = tag
        line.reserveCapacity(payload.count + name.count + 64)
        line += name
        line.append(0x20)
        line += Array(String(pid).utf8)
        line.append(0x20)
        line += hex(nonce)
        line.append(0x20)
        line += Array(String(sequence).utf8)
        line.append(0x20)
        line += Array(String(payload.count).utf8)
        line.append(0x20)
        line += payload
        let sum = checksum(line[...])
        line.append(0x20)
        line += hex(sum)
        line.append(0x0A)
        return line
    }

    /// One parsed line: which run wrote it, and where in the run it is.
    struct Parsed {
        var name: ArraySlice<UInt8>
        var pid: Int32
        var nonce: UInt32
        var sequence: Int
    }

    enum Problem: String, Error {
        case fields = "wrong number of fields"
        case number = "a number field does not parse"
        case length = "payload length differs"
        case checksum = "checksum differs"
    }

    static func parse(_ text: ArraySlice<UInt8>) -> Result<Parsed, Problem> {
        // Split on single blanks, keeping empty fields: an empty payload is two blanks.
        var fields: [ArraySlice<UInt8>] = []
        fields.reserveCapacity(8)
        var start = text.startIndex
        for index in text.indices where text[index] == 0x20 {
            fields.append(text[start..<index])
            start = index + 1
            if fields.count > 8 { return .failure(.fields) }
        }
        fields.append(text[start...])
        guard fields.count == 8, fields[0].elementsEqual(tag.dropLast()) else { return .failure(.fields) }
        guard let pid = decimal(fields[2]), let nonce = hexValue(fields[3]), let sequence = decimal(fields[4]),
            let length = decimal(fields[5]), let sum = hexValue(fields[7]), fields[7].count == 8
        else { return .failure(.number) }
        guard length == fields[6].count else { return .failure(.length) }
        // The checksum covers everything up to the blank before it.
        guard checksum(text[text.startIndex..<(fields[7].startIndex - 1)]) == UInt32(sum) else {
            return .failure(.checksum)
        }
        return .success(Parsed(name: fields[1], pid: Int32(truncatingIfNeeded: pid), nonce: UInt32(nonce), sequence: sequence))
    }

    private static let digits: [UInt8] = Array("0123456789abcdef".utf8)

    static func hex(_ value: UInt32) -> [UInt8] {
        (0..<8).map { digits[Int((value >> (28 - 4 * UInt32($0))) & 0xF)] }
    }

    static func decimal(_ field: ArraySlice<UInt8>) -> Int? {
        guard !field.isEmpty, field.count <= 18 else { return nil }
        var value = 0
        for byte in field {
            guard byte >= 0x30, byte <= 0x39 else { return nil }
            value = value * 10 + Int(byte - 0x30)
        }
        return value
    }

    static func hexValue(_ field: ArraySlice<UInt8>) -> UInt64? {
        guard !field.isEmpty, field.count <= 8 else { return nil }
        var value: UInt64 = 0
        for byte in field {
            let digit: UInt8
            switch byte {
            case 0x30...0x39: digit = byte - 0x30
            case 0x61...0x66: digit = byte - 0x61 + 10
            default: return nil
            }
            value = value << 4 | UInt64(digit)
        }
        return value
    }
}
