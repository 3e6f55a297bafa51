/// When a formation of can-die types is over on its own, and with which code.
///
/// drover exits once every instance has ended by itself (exited or failed) and
/// none waits for a restart: 0 if all exited 0, else the first other code. An
/// instance a user stopped keeps the formation alive: it waits for `drover start`.
public struct FormationEnding: Equatable, Sendable {
    /// The first non-zero code an instance ended with for good.
    public private(set) var firstFailure: Int32?

    public init() {}

    /// An instance ended for good with `termination`.
    public mutating func record(_ termination: Termination?) {
        if let code = termination?.shellCode, code != 0, firstFailure == nil { firstFailure = code }
    }

    /// drover's exit code if the formation is over; nil while anything may still run.
    /// An empty formation (everything scaled to 0) is not over: it waits for a scale-up.
    public func exitCode(_ lifecycles: some Collection<InstanceLifecycle>) -> Int32? {
        guard !lifecycles.isEmpty, lifecycles.allSatisfy(\.hasEnded) else { return nil }
        return firstFailure ?? 0
    }
}
