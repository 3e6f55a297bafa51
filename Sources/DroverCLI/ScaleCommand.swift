import DroverCore

/// `drover scale worker=4 web=0`: new counts, applied live.
enum ScaleCommand {
    static func run(options: LaunchOptions, arguments: [String]) throws(Diagnostics) -> ExitCode {
        guard !arguments.isEmpty else {
            throw Diagnostics([Diagnostic("scale needs NAME=COUNT, such as worker=4", kind: .usage)])
        }
        let spec: FormationSpec
        do {
            spec = try FormationSpec.parse(arguments.joined(separator: ","))
        } catch {
            throw Diagnostics([Diagnostic("invalid scale: \(error.reason)", kind: .usage)])
        }
        guard spec.allCount == nil else {
            throw Diagnostics([Diagnostic("scale takes one NAME=COUNT per type; \"all\" is for -m", kind: .usage)])
        }
        let client = try ClientContext.current(options)
        let reply = try client.channel.send(.scale(spec.counts.map { (type: $0.name, count: $0.count) }))
        guard case let .object(formation)? = reply["formation"] else {
            throw Diagnostics([Diagnostic("drover answered without the new formation")])
        }
        let text = formation.map { name, count in "\(name)=\(count.serialized)" }.joined(separator: " ")
        Console.out("formation: \(text)\n")
        return .success
    }
}
