// libFuzzer target: `.env` text, alone and through the application loader. Built by
// Tests/Fuzz/run.sh together with every DroverCore source file.

/// What the fuzzed files may reference from the inherited environment.
private let inheritedVariables: EnvironmentVariables = {
    var variables = EnvironmentVariables()
    variables["HOME"] = "/home/fuzz"
    variables["PORT"] = "6000"
    variables["EMPTY"] = ""
    variables["PATH"] = "/usr/bin:/bin"
    return variables
}()

/// Any bytes must give assignments or errors, never a crash, a hang or an unbounded value.
@_cdecl("LLVMFuzzerTestOneInput")
func fuzzDotEnv(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    checkParse(bytes)
    checkLoader(bytes)
    return 0
}

/// The parser alone: keys valid, values free of NUL, lines in order and in range, every
/// error one line naming the file.
private func checkParse(_ bytes: [UInt8]) {
    let lastLine = bytes.reduce(1) { $1 == 0x0A ? $0 + 1 : $0 }
    let result = DotEnv.parse(
        bytes, file: ".env", earlier: EnvironmentVariables(), inherited: { inheritedVariables[$0] })
    switch result {
    case let .success(assignments):
        var previousLine = 0
        for assignment in assignments {
            precondition(DotEnvScanner.isValidKey(assignment.name), "invalid key accepted: \(assignment.name)")
            precondition(!assignment.value.bytes.contains(0), "NUL accepted in \(assignment.name)")
            precondition(assignment.line >= previousLine && assignment.line <= lastLine, "line out of order")
            previousLine = assignment.line
        }
    case let .failure(found):
        precondition(!found.errors.isEmpty, "failure without an error")
        for error in found.errors {
            let message = error.description
            precondition(message.hasPrefix(".env:"), "message without its file: \(message)")
            precondition(!message.unicodeScalars.contains("\n"), "message over several lines: \(message)")
        }
    }
}

/// The same text as two env files in a row, so values from the first feed the second.
private func checkLoader(_ bytes: [UInt8]) {
    let files = ["Procfile": Array("web: run\nworker: work\n".utf8), "a.env": bytes, "b.env": bytes]
    let loader = ApplicationLoader(workingDirectory: "/srv/app", inherited: inheritedVariables) { path in
        files[path].map(FileReadResult.contents) ?? .missing
    }
    let options = LaunchOptions([.env: OptionValue("a.env,b.env", origin: .commandLine(flag: "-e"))])
    if case let .success(application) = loader.load(options) {
        precondition((1...PortPlan.highestPort).contains(application.basePort), "base port out of range")
        for instance in application.instances {
            precondition(application.environment(for: instance)["PORT"] != nil, "instance without a PORT")
        }
    }
}
