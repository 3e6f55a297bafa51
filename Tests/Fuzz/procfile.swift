// libFuzzer target: Procfile text. Built by Tests/Fuzz/run.sh together with every
// DroverCore source file, so the core's internal API is visible here.

/// Any bytes must give entries or errors, never a crash; what comes back must obey the grammar.
@_cdecl("LLVMFuzzerTestOneInput")
func fuzzProcfile(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let lineCount = bytes.numberedLines().count
    switch Procfile.parse(bytes, file: "Procfile") {
    case let .success(procfile):
        precondition(!procfile.entries.isEmpty, "success without an entry")
        var names: Set<String> = []
        var previousLine = 0
        for entry in procfile.entries {
            precondition(Procfile.isValidName(entry.name), "invalid name accepted: \(entry.name)")
            precondition(names.insert(entry.name).inserted, "duplicate name accepted: \(entry.name)")
            precondition(!entry.command.isEmpty, "empty command accepted")
            precondition(entry.command.bytes[...].trimmingBlanks().count == entry.command.count, "untrimmed command")
            precondition(!entry.command.bytes.contains(0), "NUL accepted in a command")
            // The shell rewrite only ever adds `exec ` or the trap prefix; it never loses a byte.
            let script = ShellCommand.script(for: entry.command.bytes)
            precondition(script.count >= entry.command.count, "the shell script lost bytes")
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
