// libFuzzer target: any bytes through the JSON log format, cut into lines as a pipe's
// output is, each line parsed back with the core's JSON parser. Built by
// Tests/Fuzz/run.sh together with every DroverCore source file.

private let prefix = JSONLogLine.prefix(time: "2026-12-03T20:01:02.345Z", name: "web.1", type: "web", number: 1, pid: 7)

/// Every line must be one valid JSON object whose `line` is the input decoded as
/// `String(decoding:as:)` decodes it, and never longer than the bound callers reserve.
@_cdecl("LLVMFuzzerTestOneInput")
func fuzzJSONLog(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    var framer = LineFramer(lineEnds: .newline)
    let bytes = UnsafeRawBufferPointer(start: data, count: size)
    framer.feed(bytes) { check($0) }
    framer.finish { check($0) }
    // The whole input as one line too: NUL, CR and newlines inside a string.
    check(bytes)
    return 0
}

private func check(_ line: UnsafeRawBufferPointer) {
    let output = JSONLogLine.line(line, prefix: prefix)
    precondition(output.count <= prefix.count + JSONLogLine.maximumEscapedCount(line.count) + JSONLogLine.suffix.count)
    precondition(!output.contains(10) && !output.contains(13), "a raw line break in a JSON line")
    let text = String(decoding: output, as: UTF8.self)
    precondition(Array(text.utf8) == output, "the output is not valid UTF-8")
    let value: JSONValue
    do { value = try JSONValue.parse(text) } catch { preconditionFailure("not valid JSON: \(error.reason): \(text)") }
    precondition(value["line"] == .string(String(decoding: line, as: UTF8.self)), "line does not round-trip")
    precondition(value["pid"] == .integer(7) && value["name"] == .string("web.1"))
}
