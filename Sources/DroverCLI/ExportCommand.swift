import DroverCore
import DroverExport
import DroverSystem

/// `drover export FORMAT LOCATION`: the formation as another supervisor's files.
enum ExportCommand {
    static func run(options: LaunchOptions, arguments: [String]) throws(Diagnostics) -> ExitCode {
        let (format, location) = try operands(arguments)
        let context = try ApplicationContext.current()
        let application = try context.load(options, purpose: .exporting)
        let given = try context.options(options)
        let formation = try ExportFormation.resolve(application, options: given, workingDirectory: context.workingDirectory)
        let files = try Export.files(format, for: formation)
        // Only what was typed: a .drover's restart settings are for start as much.
        for option in [LaunchOption.restartDelay, .restartMaxDelay, .restartLimit] {
            guard given[option]?.isFromCommandLine == true, let reason = format.cannotCarry(option, for: formation) else {
                continue
            }
            Console.error("note: \(format.rawValue) cannot carry --\(option.rawValue) (\(reason)); the files leave it out")
        }
        if format.needsExistingLogDirectory, let log = formation.logDirectory, FileSystem.kind(of: log.text) != .directory {
            Console.error(
                "note: the log directory \(log.text) does not exist here; make it before \(format.rawValue) loads these "
                    + "files (it makes no directory for its logs)")
        }
        if location == "-" {
            // Only one-file formats get here: the file is the output, and losing it is an error.
            for file in files {
                do throws(SystemError) {
                    try FileDescriptor.standardOutput.writeAll(file.contents)
                } catch {
                    let reason = error.reason
                    throw Diagnostics([Diagnostic("cannot write the \(format.rawValue) file to standard output: \(reason)")])
                }
            }
            return .success
        }
        try ExportLocation(path: location, format: format, app: formation.app).write(files)
        return .success
    }

    /// FORMAT and LOCATION, or the usage error that says what is missing.
    private static func operands(_ arguments: [String]) throws(Diagnostics) -> (ExportFormat, String) {
        func usage(_ message: String) -> Diagnostics {
            Diagnostics([Diagnostic(UsageError(message: message, command: "export").description, kind: .usage)])
        }
        guard let name = arguments.first else {
            throw usage("export needs a FORMAT (\(ExportFormat.names)) and a LOCATION")
        }
        guard let format = ExportFormat(rawValue: name) else {
            throw usage("unknown export format \"\(name)\" (formats: \(ExportFormat.names))")
        }
        guard arguments.count >= 2 else {
            throw usage("export needs a LOCATION: a directory\(format.isSingleFile ? ", or - for standard output" : "")")
        }
        guard arguments.count == 2 else { throw usage("unexpected argument \"\(arguments[2])\"") }
        guard !arguments[1].isEmpty else { throw usage("the LOCATION cannot be empty") }
        if arguments[1] == "-" && !format.isSingleFile {
            throw usage("\(format.rawValue) writes several files: give a directory, not -")
        }
        return (format, arguments[1])
    }
}
