/// One of drover's own lines (`system` in the stream): what happened, to which
/// instance, with which values, and the sentence the text format shows.
///
/// The core's decisions carry these instead of bare sentences, so the JSON format can
/// give each line an `event` and its fields while the text format stays the sentence.
/// The catalogue of events is in `SystemEvents.swift`.
public struct SystemEvent: Equatable, Sendable {
    /// One named value: `code`, `pid`, `port`, `signal`...
    public struct Field: Equatable, Sendable {
        public var key: String
        public var value: JSONValue

        public init(_ key: String, _ value: JSONValue) {
            self.key = key
            self.value = value
        }
    }

    /// `started`, `exited`, `restarting`...: a short kebab-case name.
    public var event: String
    /// The instance it is about (`web.1`), if any.
    public var instance: String?
    public var fields: [Field]
    /// The line of the text format (before its control characters are escaped).
    public var text: String

    public init(_ event: String, instance: String? = nil, fields: [Field] = [], text: String) {
        self.event = event
        self.instance = instance
        self.fields = fields
        self.text = text
    }
}
