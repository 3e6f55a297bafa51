import DroverCore
import DroverSupervisor
import DroverSystem

/// `drover start`: runs the formation in the foreground until it stops.
enum StartCommand {
    static func run(options: LaunchOptions, names: [String]) throws(Diagnostics) -> Int32 {
        let context = try ApplicationContext.current()
        let application = try context.load(options, selected: names)
        guard !application.instances.isEmpty else {
            throw Diagnostics([Diagnostic("nothing to start: the formation has no instances")])
        }

        let signals: SignalReceiver
        let supervisor: Supervisor
        do {
            signals = try Supervisor.prepareProcess()
            let colors = application.logging.color.enabled(
                outputIsTerminal: FileDescriptor.standardOutput.isTerminal,
                term: context.inherited["TERM"], noColor: context.inherited["NO_COLOR"])
            let style = LogStyle(
                colors: colors, timestamps: application.logging.timestamps, prefixes: application.logging.prefixes,
                nameWidth: LogStyle.nameWidth(for: application.instances.map(\.name)))
            supervisor = try Supervisor(SupervisorConfiguration(application: application, style: style), signals: signals)
        } catch {
            throw Diagnostics([Diagnostic("cannot set up the supervisor: \(error)")])
        }
        return supervisor.run()
    }
}
