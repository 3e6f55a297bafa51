import Foundation
import Testing

@testable import DroverCLI

/// docs/drover.1 is made from the help texts: it must be what they make now, and its
/// escaping must keep troff from reading text as requests.
@Suite struct ManPageTests {
    static let committed = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../docs/drover.1")
        .standardizedFileURL

    @Test func theCommittedPageIsTheGeneratedOne() throws {
        let page = try String(contentsOf: Self.committed, encoding: .utf8)
        #expect(page == ManPage.render(), "docs/drover.1 is out of date: run make man")
    }

    @Test func everyCommandAndOptionHasItsPlace() {
        let page = ManPage.render()
        for section in ["NAME", "SYNOPSIS", "DESCRIPTION", "COMMANDS", "ENVIRONMENT", "FILES", "EXIT STATUS", "SEE ALSO"] {
            #expect(page.contains(".SH \(section)\n"), "\(section)")
        }
        for command in CommandDescription.all {
            #expect(page.contains(".SS \"\(ManPage.literal(command.name))\"\n"), "\(command.name)")
            for option in command.options {
                #expect(page.contains("\\fB\\-\\-\(ManPage.literal(option.rawValue))\\fR"), "\(command.name) --\(option.rawValue)")
            }
        }
        #expect(page.contains(".BR foreman (1)"))
    }

    @Test func textCannotBecomeARequest() {
        #expect(ManPage.text(".drover is read") == "\\&.drover is read")
        #expect(ManPage.text("'drover attach' types") == "\\&'drover attach' types")
        #expect(ManPage.text("ctrl-\\ detaches") == "ctrl-\\e detaches", "a backslash is troff's escape")
        #expect(ManPage.text("a can-die type, --can-die and -f") == "a can-die type, \\-\\-can\\-die and \\-f")
        #expect(ManPage.literal("drover reopen-logs -s x") == "drover reopen\\-logs \\-s x")
        #expect(ManPage.text("100 × n") == "100 \\[u00D7] n", "beyond ASCII, as groff's named code points")
    }

    @Test func examplesKeepTheirLines() {
        let troff = ManPage.paragraphs("Example:\n\n  a {\n      b\n  }\n\nAfter.")
        #expect(troff == "Example:\n.PP\n.RS 4\n.nf\na {\n    b\n}\n.fi\n.RE\n.PP\nAfter.")
    }
}
