import DroverCore
import Testing

@Suite struct LogStyleTests {
    static func prefix(_ style: LogStyle, _ name: String, _ color: Int?) -> String {
        String(decoding: style.prefix(name: name, colorIndex: color, time: "09:05:07"), as: UTF8.self)
    }

    @Test func plainPrefixIsPaddedToTheWidestName() {
        let width = LogStyle.nameWidth(for: ["web.1", "worker.10"])
        #expect(width == 9)
        let style = LogStyle(colors: false, nameWidth: width)
        #expect(Self.prefix(style, "web.1", 0) == "09:05:07 web.1     | ")
        #expect(Self.prefix(style, "worker.10", 1) == "09:05:07 worker.10 | ")
        #expect(Self.prefix(style, "system", nil) == "09:05:07 system    | ")
    }

    @Test func widthIsAtLeastSix() {
        #expect(LogStyle.nameWidth(for: ["a.1"]) == 6)
        #expect(LogStyle.nameWidth(for: []) == 6)
    }

    @Test func colorsFollowForemansOrderAndResetAfterThePrefix() {
        let style = LogStyle(colors: true, nameWidth: 6)
        #expect(Self.prefix(style, "web.1", 0) == "\u{1B}[36m09:05:07 web.1  | \u{1B}[0m")
        #expect(Self.prefix(style, "w.1", 1) == "\u{1B}[33m09:05:07 w.1    | \u{1B}[0m")
        #expect(Self.prefix(style, "x.1", 5) == "\u{1B}[34m09:05:07 x.1    | \u{1B}[0m")
        #expect(Self.prefix(style, "x.1", 6) == "\u{1B}[96m09:05:07 x.1    | \u{1B}[0m")
        #expect(Self.prefix(style, "x.1", 12) == "\u{1B}[36m09:05:07 x.1    | \u{1B}[0m", "wraps around")
        #expect(Self.prefix(style, "system", nil) == "\u{1B}[37m09:05:07 system | \u{1B}[0m")
    }

    @Test func timestampsAndPrefixesCanBeTurnedOff() {
        #expect(Self.prefix(LogStyle(colors: false, timestamps: false), "web.1", 0) == "web.1  | ")
        #expect(Self.prefix(LogStyle(colors: true, prefixes: false), "web.1", 0) == "")
    }

    @Test func clockTimeIsZeroPadded() {
        #expect(ClockTime.format(hour: 9, minute: 5, second: 7) == "09:05:07")
        #expect(ClockTime.format(hour: 23, minute: 59, second: 59) == "23:59:59")
    }

    static let colorChoices: [(ColorChoice, Bool, String?, String?, Bool)] = [
        (.auto, true, "xterm-256color", nil, true),
        (.auto, false, "xterm", nil, false),
        (.auto, true, "dumb", nil, false),
        (.auto, true, nil, nil, false),
        (.auto, true, "xterm", "1", false),
        (.auto, true, "xterm", "", true),
        (.always, false, nil, "1", true),
        (.never, true, "xterm", nil, false),
    ]

    @Test(arguments: colorChoices)
    func colorChoice(_ choice: ColorChoice, _ terminal: Bool, _ term: String?, _ noColor: String?, _ expected: Bool) {
        #expect(choice.enabled(outputIsTerminal: terminal, term: term, noColor: noColor) == expected)
    }
}
