import DroverCore

/// `drover start`: runs the formation in the foreground.
enum StartCommand {
    static func run(options: LaunchOptions, names: [String]) throws(Diagnostics) -> ExitCode {
        let context = try ApplicationContext.current()
        _ = try context.load(options, selected: names)
        Console.error("start is not implemented yet")
        return .failure
    }
}
