// libFuzzer target: Procfile text. Built by Tests/Fuzz/run.sh together with every
// DroverCore source file, so the core's internal API is visible here.

/// Any bytes must give entries or errors, never a crash; what comes back must obey the grammar.
@_cdecl("LLVMFuzzerTestOneInput")
func fuzzProcfile(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    let lineCount = text.numberedLines().count
    switch Procfile.parse(text, file: "Procfile") {
    case let .success(procfile):
        precondition(!procfile.entries.isEmpty, "success without an entry")
        var names: Set<String> = []
        var previousLine = 0
        for entry in procfile.entries {
            precondition(Procfile.isValidName(entry.name), "invalid name accepted: \(entry.name)")
            precondition(names.insert(entry.name).inserted, "duplicate name accepted: \(entry.name)")
            precondition(!entry.command.isEmpty, "empty command accepted")
            precondition(
                entry.command.trimmingBlanks().unicodeScalars.count == entry.command.unicodeScalars.count,
                "untrimmed command")
            precondition(entry.line > previousLine && entry.line <= lineCount, "line \(entry.line) out of order")
            previousLine = entry.line
        }
    case let .failure(found):
        precondition(!found.errors.isEmpty, "failure without an error")
        for error in found.errors {
            let message = error.description
            precondition(message.hasPrefix("Procfile:"), "message without its file: \(message)")
            precondition(!message.unicodeScalars.contains("\n"), "message over several lines: \(message)")
            let shown = TerminalText.escaped(message)
            precondition(
                !shown.unicodeScalars.contains { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) },
                "a control character reaches the terminal: \(shown)")
        }
    }
    return 0
}
