import Foundation
import Testing

/// docs/drover.1 as groff reads it, and as the binary's hidden `help --man` writes it.
@Suite struct ManPageLintTests {
    static let page = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../docs/drover.1")
        .standardizedFileURL.path
    static let groff = ShellLookup.find("groff")

    @Test(.enabled(if: groff != nil, "groff is not installed: apt-get install groff"))
    func groffReadsThePageWithoutAWarning() throws {
        let sandbox = try Sandbox()
        let outcome = try DroverProcess.runProgram(Self.groff!, ["groff", "-man", "-ww", "-z", Self.page], in: sandbox.path)
        #expect(outcome.code == 0)
        #expect(outcome.stderr == "")
    }

    @Test func theBinaryWritesTheCommittedPage() throws {
        let sandbox = try Sandbox()
        let outcome = try DroverProcess.run(["help", "--man"], in: sandbox.path)
        #expect(outcome.code == 0)
        #expect(outcome.stdout == (try String(contentsOfFile: Self.page, encoding: .utf8)), "docs/drover.1 is out of date: run make man")
    }
}
