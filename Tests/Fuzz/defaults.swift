// libFuzzer target: the `.drover` and `.foreman` defaults files. Built by
// Tests/Fuzz/run.sh together with every DroverCore source file.

/// Any bytes, read in both syntaxes, must give options or errors, never a crash.
@_cdecl("LLVMFuzzerTestOneInput")
func fuzzDefaults(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    check(text, file: ".drover", syntax: .keyEqualsValue)
    check(text, file: ".foreman", syntax: .yamlMapping)
    return 0
}

/// Every error is one line naming the file, so `drover check` output stays one problem per line.
private func check(_ text: String, file: String, syntax: DefaultsFile.Syntax) {
    guard case let .failure(found) = DefaultsFile.parse(text, file: file, syntax: syntax) else { return }
    precondition(!found.all.isEmpty, "failure without an error")
    for diagnostic in found.all {
        let message = diagnostic.message
        precondition(message.hasPrefix(file + ":"), "message without its file: \(message)")
        precondition(!message.unicodeScalars.contains("\n"), "message over several lines: \(message)")
    }
}
