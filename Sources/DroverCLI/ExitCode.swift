/// drover's exit codes, decided in one place.
enum ExitCode: Int32 {
    case success = 0
    /// Bad input (Procfile, env file, .drover), or a formation that had to be killed.
    case failure = 1
    /// The command line cannot be understood (sysexits' EX_USAGE).
    case usage = 64
    /// `run`: found but cannot be executed (as a shell reports it).
    case cannotExecute = 126
    /// `run`: not found on the PATH (as a shell reports it).
    case notFound = 127
}
