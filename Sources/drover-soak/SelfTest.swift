/// `drover-soak selftest`: feeds the output verifier a stream with one of each defect
/// and checks that each is counted, so a clean soak report means the checks can fire.
enum SelfTest {
    static func run() -> Bool {
        func line(_ name: String, _ pid: Int32, _ sequence: Int, _ payload: String = "abc") -> [UInt8] {
            Array("12:00:00 \(name) | ".utf8)
                + SoakLine.make(name: Array(name.utf8), pid: pid, nonce: 7, sequence: sequence, payload: Array(payload.utf8))
        }
        var stream: [UInt8] = []
        stream += Array("12:00:00 system  | alpha.1 started with pid 100 (port 5000)\n".utf8)
        stream += line("alpha.1", 100, 1) + line("alpha.1", 100, 2)
        stream += line("alpha.1", 100, 4) // gap
        stream += line("alpha.1", 100, 3) // going back
        stream += line("beta.1", 200, 2) // first line of a run lost
        stream += line("gamma.1", 300, 1, "xyz").map { $0 == UInt8(ascii: "y") ? UInt8(ascii: "Y") : $0 } // checksum
        var merged = line("alpha.2", 400, 1)
        merged.removeLast()
        stream += merged + line("alpha.2", 400, 2).dropFirst(18) // two lines run together
        stream += line("alpha.2", 500, 1).prefix(30) + [0x0A] // cut short
        stream +=
            Array("12:00:00 alpha.3 | ".utf8) + SoakLine.make(name: Array("alpha.9".utf8), pid: 600, nonce: 1, sequence: 1, payload: [])
        stream += Array("12:0:00 alpha.1 | soak\n".utf8) // bad prefix
        stream += Array("12:00:00 system | beta.1 exited with code 1; giving up after 3 restarts\n".utf8)
        stream += Array("12:00:00 system | alpha.1 terminated by SIGKILL; restarting in 0.1s (restart 1)\n".utf8)
        stream += line("alpha.1", 100, 5).dropLast() // no newline at the end
        var verifier = OutputVerifier()
        stream.withUnsafeBytes { raw in
            // In uneven pieces, as a pipe delivers them.
            var offset = 0
            var size = 1
            while offset < raw.count {
                let end = min(raw.count, offset + size)
                verifier.feed(UnsafeRawBufferPointer(rebasing: raw[offset..<end]))
                offset = end
                size = size * 3 % 97 + 1
            }
        }
        verifier.finish()
        let summary = verifier.summary
        let expected: [(String, Int, Int)] = [
            ("gaps", summary.gaps, 1), ("reorders", summary.reorders, 1), ("missing heads", summary.missingHeads, 1),
            ("torn", summary.torn, 3), ("misattributed", summary.misattributed, 1), ("bad prefixes", summary.badPrefixes, 1),
            ("alarming system lines", summary.alarmingSystemLines, 1), ("restarts", summary.restartsLogged, 1),
            ("unterminated", summary.unterminatedTail, 1), ("starts", summary.startsLogged, 1),
            ("announced groups", verifier.announcedGroups.count, 1),
        ]
        var passed = true
        for (name, found, wanted) in expected where found != wanted {
            Console.say("selftest: \(name): \(found), expected \(wanted)")
            passed = false
        }
        Console.say(passed ? "selftest: PASS" : "selftest: FAIL")
        return passed
    }
}
