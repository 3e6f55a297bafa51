import DroverCore
import Foundation
import Testing

/// The JSON log format: exact lines for given input, and every output line parses back.
@Suite struct JSONLogLineTests {
    static let prefix = JSONLogLine.prefix(
        time: "2026-12-03T20:01:02.345Z", name: "web.1", type: "web", number: 1, pid: 4242)

    static func line(_ bytes: [UInt8]) -> String {
        String(decoding: bytes.withUnsafeBytes { JSONLogLine.line($0, prefix: prefix) }, as: UTF8.self)
    }

    @Test func anInstanceLineIsOneObject() {
        #expect(
            Self.line(Array("GET / \"ok\" \\ done".utf8))
                == #"{"time":"2026-12-03T20:01:02.345Z","name":"web.1","type":"web","number":1,"pid":4242,"line":"GET / \"ok\" \\ done"}"#
        )
    }

    @Test func controlCharactersAndInvalidBytesAreEscapedOrReplaced() {
        let input: [UInt8] = [0x61, 0x00, 0x1B, 0x0A, 0x0D, 0x09, 0x7F, 0xC2, 0x85, 0xE2, 0x80, 0xA8, 0xFF, 0xC3, 0xA9, 0xE2, 0x82]
        #expect(Self.line(input).hasSuffix(#""line":"a\u0000\u001b\n\r\t\u007f\u0085\u2028"# + "\u{FFFD}é\u{FFFD}\"}"))
    }

    @Test func timestampsAreRFC3339InUTCWithMilliseconds() {
        #expect(JSONLogLine.timestamp(milliseconds: 0) == "1970-01-01T00:00:00.000Z")
        #expect(JSONLogLine.timestamp(milliseconds: 1_796_328_062_345) == "2026-12-03T20:01:02.345Z")
        #expect(JSONLogLine.timestamp(milliseconds: 951_782_400_999) == "2000-02-29T00:00:00.999Z")
    }

    @Test func aSystemLineCarriesItsEventAndFields() {
        let line = JSONLogLine.system(
            .exited("web.1", .exited(code: 3)), time: "2026-12-03T20:01:02.345Z", text: "web.1 exited with code 3")
        #expect(
            String(decoding: line, as: UTF8.self)
                == #"{"time":"2026-12-03T20:01:02.345Z","name":"system","event":"exited","instance":"web.1","code":3,"line":"web.1 exited with code 3"}"#
        )
        let started = SystemEvent.started("web.1", pid: 42, port: 5000)
        #expect(started.text == "web.1 started with pid 42 (port 5000)")
        #expect(started.fields == [.init("pid", .integer(42)), .init("port", .integer(5000))])
    }

    @Test func badFormatsNameTheFlagOrTheLine() {
        #expect(throws: Diagnostic.self) { try LogFormat(OptionValue("yaml", origin: .commandLine(flag: "--log-format"))) }
        for origin in [OptionOrigin.commandLine(flag: "--log-format"), .file(path: ".drover", line: 2)] {
            do {
                _ = try LogFormat(OptionValue("yaml", origin: origin))
            } catch {
                let place = if case .file = origin { ".drover:2" } else { "--log-format" }
                #expect(error.message.contains(place) && error.message.contains("text or json"), "\(error.message)")
            }
        }
        #expect((try? LogFormat(OptionValue("json", origin: .file(path: ".drover", line: 1)))) == .json)
    }

    /// Thousands of random chunks (invalid UTF-8, NUL, ESC, CR, U+2028 included): each
    /// line parses with the core's parser and with Foundation's, and `line` is the
    /// input decoded as `String(decoding:as:)` does (invalid bytes become U+FFFD).
    @Test func randomBytesAlwaysMakeValidJSON() throws {
        var random = SplitMix(seed: 12)
        let pieces: [[UInt8]] = [
            [0], [0x1B], [0x0D], [0xE2, 0x80, 0xA8], [0xFF], [0xC3], [0xED, 0xA0, 0x80], [0x22], [0x5C], [0xF0, 0x9F, 0x98, 0x80],
        ]
        for _ in 0..<3000 {
            var bytes: [UInt8] = []
            for _ in 0..<Int(random.next() % 40) {
                if random.next() % 3 == 0 {
                    bytes += pieces[Int(random.next() % UInt64(pieces.count))]
                } else {
                    bytes.append(UInt8(truncatingIfNeeded: random.next()))
                }
            }
            let text = Self.line(bytes)
            let expected = String(decoding: bytes, as: UTF8.self)
            let parsed = try JSONValue.parse(text)
            #expect(parsed["line"] == .string(expected), "\(bytes)")
            let object = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any]
            #expect(object?["line"] as? String == expected, "\(bytes)")
        }
    }
}

/// A seeded generator, so the random test is the same on every run.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
