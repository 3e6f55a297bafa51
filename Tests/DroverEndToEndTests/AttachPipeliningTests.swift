import DroverSystem
import Foundation
import Testing

/// A client may send its first frames right behind the attach request, and split a
/// frame across writes: drover keeps every byte (found by an adversarial run).
@Suite struct AttachPipeliningTests {
    static func frame(_ kind: Character, _ payload: String) -> [UInt8] {
        let bytes = Array(payload.utf8)
        let length = UInt32(bytes.count)
        return [kind.asciiValue!, UInt8(length >> 24), UInt8(length >> 16 & 0xFF), UInt8(length >> 8 & 0xFF), UInt8(length & 0xFF)]
            + bytes
    }

    @Test func framesBehindTheRequestAndSplitFramesReachTheProcess() throws {
        let sandbox = try Sandbox()
        try sandbox.write("Procfile", "echoer: exec cat\n")
        let drover = try RunningDrover(["start", "--no-timestamp", "--tty", "echoer", "-t", "1"], in: sandbox.path)
        drover.waitForOutput("echoer.1 started")
        let client = try RawControlClient("\(sandbox.path)/.drover.sock")
        client.send(Array(#"{"version":1,"command":"attach","target":"echoer"}"#.utf8) + [10] + Self.frame("i", "pipelined-bytes\n"))
        let split = Self.frame("i", "split-frame\n")
        client.send(Array(split[..<3]))
        usleep(100_000)
        client.send(Array(split[3...]))
        drover.waitForOutput("echoer.1 | pipelined-bytes")
        drover.waitForOutput("echoer.1 | split-frame")
        drover.signal(SIGTERM)
        _ = try drover.finish()
    }
}
