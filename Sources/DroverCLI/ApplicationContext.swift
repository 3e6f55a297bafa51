import DroverCore
import DroverSystem

/// What every command starts from: the working directory, the inherited environment,
/// and the defaults file, read once.
struct ApplicationContext {
    let workingDirectory: String
    let inherited: EnvironmentVariables
    /// `.drover` in the current directory, else foreman's `.foreman`; none is fine.
    let defaults: LaunchOptions
    /// Its bad lines: reported with the application's own problems by `load`, alone by `options`.
    let defaultsErrors: [Diagnostic]

    static func current() throws(Diagnostics) -> ApplicationContext {
        switch FileSystem.currentDirectory() {
        case let .success(directory):
            let (defaults, errors) = readDefaults()
            return ApplicationContext(
                workingDirectory: directory, inherited: EnvironmentVariables(environ: ProcessEnvironment.current()),
                defaults: defaults, defaultsErrors: errors)
        case let .failure(error):
            throw Diagnostics([Diagnostic("cannot read the current directory: \(error.reason)")])
        }
    }

    private static func readDefaults() -> (LaunchOptions, [Diagnostic]) {
        for (file, syntax) in [(".drover", DefaultsFile.Syntax.keyEqualsValue), (".foreman", .yamlMapping)] {
            switch read(file) {
            case .missing:
                continue
            case let .failed(reason):
                return (LaunchOptions(), [Diagnostic("\(file): cannot read: \(reason)")])
            case let .contents(bytes):
                // Options, not bytes for children: read as text.
                return DefaultsFile.read(String(decoding: bytes, as: UTF8.self), file: file, syntax: syntax)
            }
        }
        return (LaunchOptions(), [])
    }

    /// Command-line options over the defaults file, which must be free of errors.
    func options(_ commandLine: LaunchOptions) throws(Diagnostics) -> LaunchOptions {
        if !defaultsErrors.isEmpty { throw Diagnostics(defaultsErrors) }
        return defaults.overridden(by: commandLine)
    }

    /// The application, with command-line options over the defaults file; every
    /// problem of both is reported at once.
    func load(
        _ commandLine: LaunchOptions, selected: [String] = [], requireProcfile: Bool = true,
        purpose: LoadPurpose = .running
    ) throws(Diagnostics) -> Application {
        let loader = ApplicationLoader(
            workingDirectory: workingDirectory, inherited: inherited,
            isDirectory: { FileSystem.kind(of: $0) == .directory },
            pathProblem: FileSystem.problem(reaching:), readFile: Self.read)
        let options = defaults.overridden(by: commandLine)
        switch loader.load(options, selected: selected, requireProcfile: requireProcfile, purpose: purpose) {
        case let .success(application):
            if !defaultsErrors.isEmpty { throw Diagnostics(defaultsErrors) }
            return application
        case let .failure(errors):
            throw Diagnostics(defaultsErrors + errors.all)
        }
    }

    /// Files are bytes, passed on as they are (the parsers keep values and commands
    /// byte for byte); a byte-order mark (which some editors write, and nobody sees)
    /// is skipped.
    static func read(_ path: String) -> FileReadResult {
        switch FileSystem.readConfigFile(path, maximumBytes: FileReadResult.maximumBytes) {
        case let .success(bytes):
            return .contents(bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? Array(bytes.dropFirst(3)) : bytes)
        case let .failure(error) where error.isNoSuchFile: return .missing
        case let .failure(.system(error)): return .failed(error.reason)
        case let .failure(.notRegular(kind)): return .failed("it is \(kind), not a regular file")
        case let .failure(.tooLarge(limit)): return .failed("larger than \(limit / 1_048_576) MiB, the most drover reads")
        }
    }
}
