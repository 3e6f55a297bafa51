import DroverCore

/// `drover ps`: the instances of the running formation.
enum PsCommand {
    static func run(options: LaunchOptions, json: Bool) throws(Diagnostics) -> ExitCode {
        let client = try ClientContext.current(options)
        let status = try client.channel.status(.status)
        if json {
            Console.out(JSONValue.array(status.instances.map(\.json)).serialized + "\n")
        } else {
            Console.out(InstanceStatus.table(status.instances))
        }
        return .success
    }
}
