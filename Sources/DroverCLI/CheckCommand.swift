import DroverCore

/// `drover check`: validates the Procfile, the env files and the options.
enum CheckCommand {
    static func run(options: LaunchOptions) throws(Diagnostics) -> ExitCode {
        let context = try ApplicationContext.current()
        let application = try context.load(options)
        let names = application.procfile?.names.joined(separator: ", ") ?? ""
        Console.out("valid procfile detected (\(names))\n")
        return .success
    }
}
