import DroverCore
import DroverSystem

/// What every command starts from: the working directory, the inherited environment,
/// and the defaults file, read once.
struct ApplicationContext {
    let workingDirectory: String
    let inherited: EnvironmentVariables
    /// `.drover` in the current directory, else foreman's `.foreman`; none is fine.
    let defaults: LaunchOptions

    static func current() throws(Diagnostics) -> ApplicationContext {
        switch FileSystem.currentDirectory() {
        case let .success(directory):
            return ApplicationContext(
                workingDirectory: directory, inherited: EnvironmentVariables(environ: ProcessEnvironment.current()),
                defaults: try readDefaults())
        case let .failure(error):
            throw Diagnostics([Diagnostic("cannot read the current directory: \(error.reason)")])
        }
    }

    private static func readDefaults() throws(Diagnostics) -> LaunchOptions {
        for (file, syntax) in [(".drover", DefaultsFile.Syntax.keyEqualsValue), (".foreman", .yamlMapping)] {
            switch read(file) {
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

    /// Command-line options over the defaults file.
    func options(_ commandLine: LaunchOptions) -> LaunchOptions {
        defaults.overridden(by: commandLine)
    }

    /// The application, with command-line options over the defaults file.
    func load(
        _ commandLine: LaunchOptions, selected: [String] = [], requireProcfile: Bool = true
    ) throws(Diagnostics) -> Application {
        let loader = ApplicationLoader(workingDirectory: workingDirectory, inherited: inherited, readFile: Self.read)
        switch loader.load(options(commandLine), selected: selected, requireProcfile: requireProcfile) {
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
