import Testing

@testable import DroverExport

/// The property-list emitter: Apple's layout, and text an XML reader gives back unchanged.
@Suite struct PropertyListTests {
    @Test func documentLayout() {
        let plist = PropertyListValue.dictionary([
            ("Label", .string("a&b")),
            ("Arguments", .array([.string("<x>"), .string("cr\r")])),
            ("Empty", .array([])),
            ("None", .dictionary([])),
            ("Count", .integer(5)),
            ("On", .boolean(true)),
            ("Off", .boolean(false)),
        ])
        #expect(
            PropertyList.document(plist, comment: "note") == """
                <?xml version="1.0" encoding="UTF-8"?>
                <!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
                <!-- note -->
                <plist version="1.0">
                <dict>
                \t<key>Label</key>
                \t<string>a&amp;b</string>
                \t<key>Arguments</key>
                \t<array>
                \t\t<string>&lt;x&gt;</string>
                \t\t<string>cr&#13;</string>
                \t</array>
                \t<key>Empty</key>
                \t<array/>
                \t<key>None</key>
                \t<dict/>
                \t<key>Count</key>
                \t<integer>5</integer>
                \t<key>On</key>
                \t<true/>
                \t<key>Off</key>
                \t<false/>
                </dict>
                </plist>

                """)
    }

    @Test(arguments: [("tab\t nl\n cr\r", nil), ("bell\u{7}", UInt32(7)), ("nul\u{0}", 0), ("ok é 😀", nil)])
    func unwritableCharacters(text: String, first: UInt32?) {
        #expect(PropertyList.firstUnwritable(in: text)?.value == first)
    }
}
