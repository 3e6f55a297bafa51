import Testing

@testable import DroverExport

/// The YAML emitter: which strings stay plain, how the others are quoted, and the
/// block layout of nested collections.
@Suite struct YAMLTests {
    @Test(arguments: [
        ("web", "web"),
        ("/bin/sh", "/bin/sh"),
        ("apps/v1", "apps/v1"),
        ("my-app_2.prod", "my-app_2.prod"),
        // YAML 1.1 booleans and null, in any case: PyYAML and go-yaml v2 read them so.
        ("yes", "\"yes\""), ("No", "\"No\""), ("ON", "\"ON\""), ("off", "\"off\""), ("y", "\"y\""),
        ("n", "\"n\""), ("true", "\"true\""), ("False", "\"False\""), ("null", "\"null\""), ("NULL", "\"NULL\""),
        // Numbers of every kind, and strings a reader takes for something else.
        ("0123", "\"0123\""), ("1e3", "\"1e3\""), ("0x1F", "\"0x1F\""), ("1:20", "\"1:20\""), (".inf", "\".inf\""),
        ("5s", "\"5s\""), ("-c", "\"-c\""), ("~", "\"~\""), ("", "\"\""), ("=", "\"=\""), ("<<", "\"<<\""),
        (": x", "\": x\""), ("*star", "\"*star\""), ("&anchor", "\"&anchor\""), ("!tag", "\"!tag\""),
        ("#not a comment", "\"#not a comment\""), ("a: b", "\"a: b\""), ("a #b", "\"a #b\""), ("@x", "\"@x\""),
        ("`x`", "\"`x`\""), (" lead", "\" lead\""), ("trail ", "\"trail \""), ("[x]", "\"[x]\""), ("{x}", "\"{x}\""),
        ("%x", "\"%x\""), ("|", "\"|\""), (">", "\">\""), ("?", "\"?\""), ("'q'", "\"'q'\""),
        ("naïve", "\"naïve\""), ("😀", "\"😀\""),
    ])
    func scalars(text: String, written: String) {
        #expect(YAML.scalar(text) == written)
    }

    @Test(arguments: [
        ("say \"hi\"", #""say \"hi\"""#),
        ("C:\\dir", #""C:\\dir""#),
        ("one\ntwo", #""one\ntwo""#),
        ("tab\there", #""tab\there""#),
        ("cr\r", #""cr\r""#),
        ("bell\u{7}", #""bell\x07""#),
        ("esc\u{1B}[0m", #""esc\x1B[0m""#),
        ("del\u{7F}", #""del\x7F""#),
        ("nel\u{85}", #""nel\x85""#),
        ("line\u{2028}para\u{2029}", #""line\u2028para\u2029""#),
        ("bom\u{FEFF}", #""bom\uFEFF""#),
    ])
    func escapes(text: String, written: String) {
        #expect(YAML.doubleQuoted(text) == written)
    }

    @Test func nestedCollectionsInBlockStyle() {
        let document = YAMLValue.mapping([
            YAMLEntry("name", .string("web")),
            YAMLEntry("replicas", .integer(2)),
            YAMLEntry("enabled", .boolean(true)),
            YAMLEntry("empty", .mapping([])),
            YAMLEntry("none", .sequence([])),
            YAMLEntry("command", .sequence([.string("/bin/sh"), .string("-c"), .string("exec x")])),
            YAMLEntry(
                "containers",
                .sequence([
                    .mapping([
                        YAMLEntry("name", .string("a")),
                        YAMLEntry("env", .sequence([.mapping([YAMLEntry("name", .string("PORT")), YAMLEntry("value", .string("5000"))])])),
                    ]),
                    .sequence([.string("x")]),
                ])),
        ])
        #expect(
            YAML.document(document, comments: ["top"]) == """
                # top
                name: web
                replicas: 2
                enabled: true
                empty: {}
                none: []
                command:
                  - /bin/sh
                  - "-c"
                  - "exec x"
                containers:
                  - name: a
                    env:
                      - name: PORT
                        value: "5000"
                  -
                    - x

                """)
    }

    @Test func streamSeparatesDocuments() {
        let text = YAML.stream([.mapping([YAMLEntry("a", .integer(1))]), .mapping([YAMLEntry("b", .integer(2))])], comments: ["c"])
        #expect(text == "# c\n---\na: 1\n---\nb: 2\n")
    }
}
