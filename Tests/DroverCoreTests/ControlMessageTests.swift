import DroverCore
import Testing

@Suite struct JSONValueTests {
    @Test func roundTrips() throws {
        let text = #"{"a":[1,-2,true,false,null,"x\"y\\z\n\t\u0001é😀"],"b":{}}"#
        let value = try JSONValue.parse(text)
        #expect(value.serialized == #"{"a":[1,-2,true,false,null,"x\"y\\z\n\t\u0001é😀"],"b":{}}"#)
        #expect(try JSONValue.parse(value.serialized) == value)
    }

    @Test func fractionsAndExponentsAreNumbersAndWholeNumbersIntegers() throws {
        #expect(
            try JSONValue.parse("[0.4,-1.25e2,1E3,7,-0]") == .array([.number(0.4), .number(-125), .number(1000), .integer(7), .integer(0)]))
        #expect(JSONValue.number(0.4).serialized == "0.4")
        for value in [0.1, 12.5, 1e-7, 3e21, -0.75] {
            #expect(try JSONValue.parse(JSONValue.number(value).serialized) == .number(value))
        }
    }

    @Test func readsEscapesAndWhitespace() throws {
        #expect(try JSONValue.parse(#" { "k" : "\u00e9\ud83d\ude00\/" } "#) == .object([("k", .string("é😀/"))]))
    }

    static let invalid: [(String, String)] = [
        ("", "unexpected end of input at byte 1"),
        ("{", "expected a key at byte 2"),
        (#"{"a":1,}"#, "expected a key at byte 8"),
        (#"{"a":1 "b":2}"#, "expected , or } at byte 8"),
        (#"{"a":1,"a":2}"#, #"duplicate key "a" at byte 11"#),
        ("[1,2", "unexpected end of input at byte 5"),
        ("1.", "bad number at byte 3"),
        ("1e+", "bad number at byte 4"),
        ("-", "bad number at byte 2"),
        ("01", "bad number at byte 3"),
        ("99999999999999999999", "number too large at byte 21"),
        ("1e999", "bad number at byte 6"),
        (#""open"#, "unterminated string at byte 6"),
        ("\"a\u{01}\"", "control character in a string at byte 3"),
        (#""\x""#, "bad escape at byte 4"),
        (#""\ud800""#, "lone surrogate at byte 8"),
        ("tru", "unexpected character at byte 1"),
        (#""\u+123""#, "bad \\u escape at byte 4"),
        (#""\u-000""#, "bad \\u escape at byte 4"),
        ("{} x", "unexpected text after the JSON value at byte 4"),
        (String(repeating: "[", count: 40), "nested too deeply at byte 34"),
    ]

    @Test func scaleTakesTheLimitItself() throws {
        #expect(
            try ControlRequest.parse(#"{"version":1,"command":"scale","counts":{"w":10000}}"#)
                == .scale([FormationCount(type: "w", count: 10_000)]))
    }

    @Test(arguments: invalid)
    func rejects(_ text: String, _ reason: String) {
        #expect(throws: InvalidValue(reason)) { try JSONValue.parse(text) }
    }
}

@Suite struct ControlRequestTests {
    @Test func everyRequestRoundTrips() throws {
        let requests: [ControlRequest] = [
            .status, .quit, .scale([FormationCount(type: "worker", count: 4), FormationCount(type: "web", count: 0)]),
            .restart([]), .restart([InstanceSelector(type: "web"), InstanceSelector(type: "worker", number: 2)]),
            .stop([InstanceSelector(type: "clock", number: 1)]), .start([InstanceSelector(type: "web")]),
            .logs(lines: 20, follow: true, targets: [InstanceSelector(type: "web")], color: false), .reopenLogs,
            .attach(InstanceSelector(type: "web", number: 2), window: WindowSize(rows: 40, columns: 120)),
            .attach(InstanceSelector(type: "console"), window: nil),
        ]
        for request in requests {
            #expect(try ControlRequest.parse(request.json.serialized) == request, "\(request.json.serialized)")
        }
    }

    @Test func logsDefaultsToAHundredLines() throws {
        #expect(
            try ControlRequest.parse(#"{"version":1,"command":"logs"}"#)
                == .logs(lines: 100, follow: false, targets: [], color: false))
    }

    static let invalid: [(String, String)] = [
        ("[]", "a request is a JSON object"),
        (#"{"command":"ps"}"#, #"missing "version""#),
        (#"{"version":2,"command":"ps"}"#, "unsupported protocol version 2 (this drover speaks 1)"),
        (#"{"version":1}"#, #"missing "command""#),
        (#"{"version":1,"command":"reboot"}"#, #"unknown command "reboot""#),
        (#"{"version":1,"command":"scale"}"#, #"scale needs "counts", an object such as {"worker": 4}"#),
        (#"{"version":1,"command":"scale","counts":{"w":-1}}"#, #"the count for "w" must be a whole number from 0 to 10000"#),
        (#"{"version":1,"command":"scale","counts":{"w":"4"}}"#, #"the count for "w" must be a whole number from 0 to 10000"#),
        (#"{"version":1,"command":"scale","counts":{"w":10001}}"#, #"the count for "w" is above the limit of 10000, got 10001"#),
        (
            #"{"version":1,"command":"scale","counts":{"w":99999999999}}"#,
            #"the count for "w" is above the limit of 10000, got 99999999999"#
        ),
        (#"{"version":"1","command":"ps"}"#, #""version" must be a number (1), not a string"#),
        (#"{"version":null,"command":"ps"}"#, #""version" must be a number (1), not null"#),
        (#"{"version":1,"command":["ps"]}"#, #""command" must be a string, not an array"#),
        (#"{"version":1,"command":"scale","counts":{"w.1":1}}"#, #""w.1" is not a process type"#),
        (#"{"version":1,"command":"stop","targets":"web"}"#, #""targets" must be an array of names"#),
        (#"{"version":1,"command":"stop","targets":["web.0"]}"#, #""web.0" is not a process name (NAME or NAME.N)"#),
        (#"{"version":1,"command":"logs","follow":"yes"}"#, #""follow" must be true or false"#),
        (#"{"version":1,"command":"logs","lines":-5}"#, #""lines" must be a whole number"#),
        (#"{"version":1,"command":"attach"}"#, #"attach needs "target", an instance name such as "web.1""#),
        (#"{"version":1,"command":"attach","target":"web.x"}"#, #""web.x" is not a process name (NAME or NAME.N)"#),
        (
            #"{"version":1,"command":"attach","target":"web","rows":24}"#,
            #""rows" and "columns" must both be whole numbers from 1 to 65535"#
        ),
        (
            #"{"version":1,"command":"attach","target":"web","rows":0,"columns":80}"#,
            #""rows" and "columns" must both be whole numbers from 1 to 65535"#
        ),
        (
            #"{"version":1,"command":"attach","target":"web","rows":24,"columns":65536}"#,
            #""rows" and "columns" must both be whole numbers from 1 to 65535"#
        ),
    ]

    @Test(arguments: invalid)
    func rejects(_ text: String, _ reason: String) {
        #expect(throws: InvalidValue(reason)) { try ControlRequest.parse(text) }
    }

    @Test func selectorsMatch() throws {
        let type = try InstanceSelector.parse("web")
        let one = try InstanceSelector.parse("web.2")
        #expect(type.matches(type: "web", number: 5))
        #expect(one.matches(type: "web", number: 2))
        #expect(!one.matches(type: "web", number: 1))
        #expect(!type.matches(type: "worker", number: 1))
    }

    @Test func noSelectorTakesEverything() throws {
        let none: [InstanceSelector] = []
        #expect(none.selects(type: "web", number: 3))
        let some = [try InstanceSelector.parse("web.2"), try InstanceSelector.parse("clock")]
        #expect(some.selects(type: "web", number: 2))
        #expect(some.selects(type: "clock", number: 9))
        #expect(!some.selects(type: "web", number: 1))
    }

    @Test func repliesKeepTheirWireShape() {
        #expect(ControlReply.quitting(pid: 4).json.serialized == #"{"version":1,"ok":true,"pid":4}"#)
        #expect(ControlReply.failure("no").json.serialized == #"{"version":1,"ok":false,"error":"no"}"#)
        #expect(ControlReply.logs(follow: true).json.serialized == #"{"version":1,"ok":true,"follow":true}"#)
        #expect(ControlReply.reopened(path: "a.log").json.serialized == #"{"version":1,"ok":true,"log":"a.log"}"#)
        #expect(ControlRequest.reopenLogs.json.serialized == #"{"version":1,"command":"reopen-logs"}"#)
        #expect(
            ControlRequest.attach(InstanceSelector(type: "web", number: 1), window: WindowSize(rows: 24, columns: 80))
                .json.serialized == #"{"version":1,"command":"attach","target":"web.1","rows":24,"columns":80}"#)
        #expect(ControlReply.attached(name: "web.1").json.serialized == #"{"version":1,"ok":true,"name":"web.1"}"#)
        #expect(
            ControlReply.scaled([FormationCount(type: "web", count: 2)]).json.serialized
                == #"{"version":1,"ok":true,"formation":{"web":2}}"#)
        #expect(
            ControlReply.status(FormationStatus(pid: 7, stopping: false, instances: [])).json.serialized
                == #"{"version":1,"ok":true,"pid":7,"stopping":false,"instances":[]}"#)
        #expect(
            ControlReply.scaled([FormationCount(type: "web", count: 2)], startErrors: ["web.2 could not start"])
                .json.serialized == #"{"version":1,"ok":true,"formation":{"web":2},"start_errors":["web.2 could not start"]}"#)
    }

    @Test func everyReplyReadsBackAsTheRequestExpectsIt() throws {
        let row = InstanceStatus(
            type: "worker", number: 2, pid: nil, state: .backoff, port: 5101, uptimeSeconds: nil, restarts: 3,
            exitCode: 3, retryInMilliseconds: 400)
        var terminal = row
        terminal.tty = true
        let cases: [(ControlReply, ControlRequest)] = [
            (.status(FormationStatus(pid: 7, stopping: true, instances: [row, terminal])), .status),
            (.attached(name: "console.1"), .attach(InstanceSelector(type: "console"), window: nil)),
            (.status(FormationStatus(pid: 7, stopping: false, instances: [])), .restart([])),
            (.scaled([FormationCount(type: "web", count: 0), FormationCount(type: "worker", count: 3)]), .scale([])),
            (
                .scaled([FormationCount(type: "web", count: 4)], startErrors: ["web.4 could not start: Too many open files"]),
                .scale([])
            ),
            (
                .status(FormationStatus(pid: 7, stopping: false, instances: [], startErrors: ["web.1 could not start"])),
                .restart([])
            ),
            (.quitting(pid: 12), .quit),
            (.logs(follow: false), .logs(lines: 1, follow: false, targets: [], color: false)),
            (.reopened(path: "log/drover.log"), .reopenLogs),
            (.failure("no instance matches \"x\""), .stop([])),
        ]
        for (reply, request) in cases {
            #expect(try ControlReply.parse(reply.json.serialized, answering: request) == reply)
        }
    }

    @Test func aReplyOfTheWrongShapeIsAnError() {
        #expect(throws: InvalidValue("the reply has no instance list")) {
            try ControlReply.parse(#"{"version":1,"ok":true,"pid":4}"#, answering: .status)
        }
        #expect(throws: InvalidValue("no \"ok\" in the reply")) {
            try ControlReply.parse(#"{"version":1}"#, answering: .quit)
        }
    }
}

@Suite struct InstanceStatusTests {
    @Test func tableAndJSON() throws {
        let rows = [
            InstanceStatus(
                type: "web", number: 1, pid: 4242, state: .running, port: 5000, uptimeSeconds: 65,
                restarts: 1, exitCode: nil),
            InstanceStatus(
                type: "worker", number: 12, pid: nil, state: .stopped, port: 5111, uptimeSeconds: nil,
                restarts: 0, exitCode: 143),
        ]
        #expect(
            InstanceStatus.table(rows) == """
                NAME       PID   STATE    UPTIME  PORT  RESTARTS  EXIT
                web.1      4242  running  1m05s   5000  1         -
                worker.12  -     stopped  -       5111  0         143

                """)
        #expect(
            rows[0].json.serialized
                == #"{"name":"web.1","type":"web","number":1,"pid":4242,"state":"running","port":5000,"uptime_s":65,"restarts":1,"exit_code":null,"retry_in_s":null,"tty":false,"ready":true}"#
        )
        #expect(try InstanceStatus(json: rows[1].json) == rows[1])
        #expect(InstanceStatus.duration(7322) == "2h02m")
    }

    @Test func aBackoffShowsWhenItRetries() throws {
        let row = InstanceStatus(
            type: "worker", number: 1, pid: nil, state: .backoff, port: 5100, uptimeSeconds: nil, restarts: 2,
            exitCode: 3, retryInMilliseconds: 1600)
        #expect(row.json["retry_in_s"] == .number(1.6))
        #expect(try InstanceStatus(json: row.json) == row)
        #expect(InstanceStatus.table([row]).contains("worker.1  -    backoff (1.6s)  -       5100  2         3\n"))
    }

    @Test func aWildRetryTimeIsNoValueNotATrap() throws {
        for wild in ["1e300", "-1", "9223372036854775"] {
            let row = try InstanceStatus(
                json: JSONValue.parse(
                    #"{"type":"w","number":1,"state":"backoff","port":5000,"restarts":0,"retry_in_s":"# + wild + "}"))
            #expect(row.retryInMilliseconds == nil, "\(wild)")
        }
    }

    @Test func rowsFollowTheLifecycle() {
        let instance = PlannedInstance(type: "web", number: 2, command: "x", port: 5001, entryIndex: 0)
        var lifecycle = InstanceLifecycle(name: "web.2", settings: ProcessTypeSettings(restart: .always), graceMilliseconds: 1000)
        var row = InstanceStatus(instance, lifecycle, tty: false, now: 0)
        #expect(row.state == .stopped && row.pid == nil && row.restarts == 0)
        _ = lifecycle.handle(.start, now: 0)
        _ = lifecycle.handle(.spawned(pid: 77, ready: true), now: 0)
        row = InstanceStatus(instance, lifecycle, tty: false, now: 65_400)
        #expect(row.state == .running && row.pid == 77 && row.uptimeSeconds == 65 && row.port == 5001)
        _ = lifecycle.handle(.exited(.exited(code: 1)), now: 70_000)
        row = InstanceStatus(instance, lifecycle, tty: false, now: 70_030)
        #expect(row.state == .backoff && row.retryInMilliseconds == 70 && row.exitCode == 1 && row.pid == nil)
    }
}

@Suite struct ControlAccessTests {
    @Test func onlyTheOwnerAndRootMayConnect() {
        #expect(ControlAccess.allows(peer: 1000, own: 1000))
        #expect(ControlAccess.allows(peer: 0, own: 1000))
        #expect(!ControlAccess.allows(peer: 1001, own: 1000))
        #expect(!ControlAccess.allows(peer: 65534, own: 0))
        #expect(!ControlAccess.allows(peer: nil, own: 1000))
    }
}
