import DroverCore
import Testing

@testable import DroverCLI

/// What the completion scripts are made from: the command descriptions, nothing beside them.
@Suite struct CompletionSpecTests {
    @Test func everyCommandAndEveryOptionOfHelpIsThere() {
        #expect(CompletionSpec.all.map(\.name) == CommandDescription.all.map(\.name))
        for (spec, command) in zip(CompletionSpec.all, CommandDescription.all) {
            let longs = spec.options.map(\.long)
            for option in command.options { #expect(longs.contains(option.rawValue), "\(command.name) --\(option.rawValue)") }
            for option in command.local where !option.help.isEmpty { #expect(longs.contains(option.long)) }
            #expect(!longs.contains(LocalOption.detached.long), "the internal option stays hidden")
        }
    }

    @Test func valuesComeFromTheHelpsValueNames() {
        let start = CompletionSpec(.start)
        #expect(start.options.first { $0.long == "color" }?.value == .choices(["auto", "always", "never"]))
        #expect(start.options.first { $0.long == "log-format" }?.value == .choices(["text", "json"]))
        #expect(start.options.first { $0.long == "no-prefix" }?.value == CompletionSpec.Value.none)
        #expect(CompletionSpec(.logs).options.first { $0.short == "f" }?.long == "follow", "logs' -f is its own")
        #expect(CompletionSpec.exportFormats == ["systemd", "supervisord", "runit", "launchd", "kubernetes", "compose"])
    }

    /// The scripts find the Procfile through -f and -d: every command whose words or
    /// values are process types must have them, with those letters.
    @Test func whatReadsTheProcfileHasItsOptions() {
        for spec in CompletionSpec.all where spec.readsProcfile {
            #expect(spec.options.contains { $0.long == "procfile" && $0.short == "f" }, "\(spec.name)")
            #expect(spec.options.contains { $0.long == "root" && $0.short == "d" }, "\(spec.name)")
        }
    }

    @Test func everyScriptNamesEveryOption() throws {
        for shell in CompletionSpec.shells {
            let script = try #require(CompletionCommand.script(for: shell))
            for spec in CompletionSpec.all {
                #expect(script.contains(spec.name), "\(shell): \(spec.name)")
                for option in spec.options { #expect(script.contains(option.long), "\(shell): \(spec.name) --\(option.long)") }
            }
        }
        #expect(CompletionCommand.script(for: "tcsh") == nil)
    }
}
