import DroverCore
import DroverSystem

/// Reads the defaults file and the application the way every command needs it.
struct ApplicationContext {
    let workingDirectory: String
    let inherited: EnvironmentVariables

    static func current() throws(Diagnostics) -> ApplicationContext {
        switch FileSystem.currentDirectory() {
        case let .success(directory):
            return ApplicationContext(
                workingDirectory: directory, inherited: EnvironmentVariables(environ: ProcessEnvironment.current()))
        case let .failure(error):
            throw Diagnostics([Diagnostic("cannot read the current directory: \(error.reason)")])
        }
    }

    /// `.drover` in the current directory, else foreman's `.foreman`; none is fine.
    func defaults() throws(Diagnostics) -> LaunchOptions {
        for (file, syntax) in [(".drover", DefaultsFile.Syntax.keyEqualsValue), (".foreman", .yamlMapping)] {
            switch Self.read(file) {
            case .missing:
                continue
            case let .failed(reason):
                throw Diagnostics([Diagnostic("\(file): cannot read: \(reason)")])
            case let .contents(text):
                switch DefaultsFile.parse(text, file: file, syntax: syntax) {
                case let .success(options): return options
                case let .failure(errors): throw errors
                }
            }
        }
        return LaunchOptions()
    }

    /// The application, with command-line options over the defaults file.
    func load(
        _ commandLine: LaunchOptions, selected: [String] = [], requireProcfile: Bool = true
    ) throws(Diagnostics) -> Application {
        let options = try defaults().overridden(by: commandLine)
        let loader = ApplicationLoader(workingDirectory: workingDirectory, inherited: inherited, readFile: Self.read)
        switch loader.load(options, selected: selected, requireProcfile: requireProcfile) {
        case let .success(application): return application
        case let .failure(errors): throw errors
        }
    }

    /// Files are text; bytes that are not UTF-8 are shown as U+FFFD rather than refused.
    static func read(_ path: String) -> FileReadResult {
        switch FileSystem.readFile(path) {
        case let .success(bytes): return .contents(String(decoding: bytes, as: UTF8.self))
        case let .failure(error) where error.isNoSuchFile: return .missing
        case let .failure(error): return .failed(error.reason)
        }
    }
}
