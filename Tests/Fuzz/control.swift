// libFuzzer target: control-socket request lines and the JSON under them. Built by
// Tests/Fuzz/run.sh together with every DroverCore source file.

/// Any bytes must give a request or an error reply, never a crash; what parses must round-trip.
@_cdecl("LLVMFuzzerTestOneInput")
func fuzzControl(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let line = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    checkRequest(line)
    checkJSON(line)
    checkReply(line)
    return 0
}

/// A reply, read as the answer to each kind of request: no crash, and what reads back
/// the same after a round trip (the client must survive whatever a socket says).
private func checkReply(_ line: String) {
    let requests: [ControlRequest] = [
        .status, .scale([]), .quit, .logs(lines: 1, follow: false, targets: [], color: false),
    ]
    for request in requests {
        guard let reply = try? ControlReply.parse(line, answering: request) else { continue }
        let sent = reply.json.serialized
        do {
            let again = try ControlReply.parse(sent, answering: request)
            precondition(again == reply, "reply changed on the way: \(sent)")
        } catch {
            preconditionFailure("a serialized reply is refused (\(error.reason)): \(sent)")
        }
    }
}

/// A client sends `request.json.serialized`: the server must read back the same request.
private func checkRequest(_ line: String) {
    guard let request = try? ControlRequest.parse(line) else { return }
    let sent = request.json.serialized
    do {
        let received = try ControlRequest.parse(sent)
        precondition(received == request, "request changed on the way: \(sent)")
    } catch {
        preconditionFailure("a serialized request is refused (\(error.reason)): \(sent)")
    }
}

/// Serializing keeps every scalar, so a re-read gives an equal value and the very same text.
private func checkJSON(_ text: String) {
    guard let value = try? JSONValue.parse(text) else { return }
    let serialized = value.serialized
    precondition(!serialized.unicodeScalars.contains("\n"), "serialized JSON spans lines: \(serialized)")
    do {
        let again = try JSONValue.parse(serialized)
        precondition(again == value, "value changed on a round trip: \(serialized)")
        precondition(again.serialized.utf8.elementsEqual(serialized.utf8), "serialization unstable: \(serialized)")
    } catch {
        preconditionFailure("serialized JSON is refused (\(error.reason)): \(serialized)")
    }
}
