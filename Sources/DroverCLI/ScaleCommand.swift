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
        let reply = try client.channel.send(.scale(spec.counts.map { FormationCount(type: $0.name, count: $0.count) }))
        guard case let .scaled(formation, startErrors) = reply else { throw client.channel.unexpected("no formation") }
        let text = formation.map { "\($0.type)=\($0.count)" }.joined(separator: " ")
        Console.out("formation: \(text)\n")
        // The rest of the change stands; what could not start is an error all the same.
        guard startErrors.isEmpty else { throw Diagnostics(startErrors.map { Diagnostic($0) }) }
        return .success
    }
}
