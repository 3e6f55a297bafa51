import DroverCore

/// `drover ps`: the instances of the running formation.
enum PsCommand {
    static func run(options: LaunchOptions, json: Bool) throws(Diagnostics) -> ExitCode {
        let client = try ClientContext.current(options)
        let reply = try client.channel.send(.status)
        if json {
            guard let instances = reply["instances"] else { throw Diagnostics([Diagnostic("no instance list in the reply")]) }
            Console.out(instances.serialized + "\n")
        } else {
            Console.out(InstanceStatus.table(try ClientContext.instances(in: reply)))
        }
        return .success
    }
}
