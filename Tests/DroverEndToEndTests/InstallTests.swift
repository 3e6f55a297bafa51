import Foundation
import Testing

/// `make install` and `make uninstall` under a scratch PREFIX. The build step is
/// skipped (`SWIFT=true`) and the debug binary stands in for the static one, which
/// takes minutes to build: what is checked is where each file goes, that the binary
/// is stripped, and that uninstall takes away exactly what install put there.
@Suite struct InstallTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../..")
        .standardizedFileURL.path
    static let make = ShellLookup.find("make")
    static let nm = ShellLookup.find("nm")
    static let files = [
        "bin/drover", "share/man/man1/drover.1", "share/bash-completion/completions/drover",
        "share/zsh/site-functions/_drover", "share/fish/vendor_completions.d/drover.fish",
    ]

    @Test(.enabled(if: make != nil && nm != nil, "make or nm is missing: apt-get install make binutils"))
    func installPutsEachFileWhereItsToolLooksAndUninstallRemovesThem() throws {
        let sandbox = try Sandbox()
        let prefix = sandbox.path + "/prefix"
        let variables = ["SWIFT=true", "STATIC=\(DroverProcess.binary)", "COMPLETIONS=\(sandbox.path)/completions", "PREFIX=\(prefix)"]
        let installed = try DroverProcess.runProgram(
            Self.make!, ["make", "-s", "-C", Self.root, "install"] + variables, in: sandbox.path, timeout: 120)
        #expect(installed.code == 0, "\(installed.stderr)")
        for file in Self.files {
            #expect(FileManager.default.fileExists(atPath: prefix + "/" + file), "\(file) is not installed")
        }

        let binary = prefix + "/bin/drover"
        let symbols = try DroverProcess.runProgram(Self.nm!, ["nm", binary], in: sandbox.path)
        #expect(symbols.stderr.contains("no symbols"), "the installed binary is not stripped: \(symbols.stderr)")
        let size = { (path: String) in (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0 }
        #expect(size(binary) < size(DroverProcess.binary))
        let version = try DroverProcess.runProgram(binary, ["drover", "--version"], in: sandbox.path)
        #expect(version.code == 0 && version.stdout.hasPrefix("drover "), "\(version.stdout)\(version.stderr)")

        let bash = try DroverProcess.run(["completion", "bash"], in: sandbox.path).stdout
        #expect(sandbox.text("prefix/share/bash-completion/completions/drover") == bash)
        #expect(sandbox.text("prefix/share/man/man1/drover.1") == (try String(contentsOfFile: ManPageLintTests.page, encoding: .utf8)))

        let removed = try DroverProcess.runProgram(
            Self.make!, ["make", "-s", "-C", Self.root, "uninstall"] + variables, in: sandbox.path)
        #expect(removed.code == 0, "\(removed.stderr)")
        for file in Self.files {
            #expect(!FileManager.default.fileExists(atPath: prefix + "/" + file), "\(file) is left after uninstall")
        }
        #expect(FileManager.default.fileExists(atPath: prefix + "/share/man/man1"), "directories others share stay")
    }
}
