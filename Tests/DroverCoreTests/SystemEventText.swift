import DroverCore

/// The lifecycle tables compare drover's lines by their text: a string literal stands
/// for a line with that text, and `textual` reduces the actions to the same (the
/// events' names and fields are checked in JSONLogLineTests and WatchPlanTests).
extension SystemEvent: ExpressibleByStringLiteral {
    public init(stringLiteral text: String) {
        self = .notice(text)
    }
}

extension Array where Element == InstanceLifecycle.Action {
    var textual: [InstanceLifecycle.Action] {
        map { if case let .log(event) = $0 { .log(.notice(event.text)) } else { $0 } }
    }
}

extension Array where Element == ShutdownPlan.Action {
    var textual: [ShutdownPlan.Action] {
        map { if case let .log(event) = $0 { .log(.notice(event.text)) } else { $0 } }
    }
}
