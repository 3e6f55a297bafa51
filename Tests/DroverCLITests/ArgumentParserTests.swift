import DroverCore
import Testing

@testable import DroverCLI

@Suite struct ArgumentParserTests {
    static func command(_ arguments: [String]) throws -> (String, LaunchOptions, [String]) {
        guard case let .command(name, options, _, rest) = try ArgumentParser.parse(arguments) else {
            throw UsageError(message: "not a command", command: nil)
        }
        return (name, options, rest)
    }

    @Test func acceptsEveryFlagSpelling() throws {
        for spelling in [["-f", "P"], ["-fP"], ["--procfile", "P"], ["--procfile=P"]] {
            let (_, options, _) = try Self.command(["check"] + spelling)
            #expect(options[.procfile]?.text == "P", "\(spelling)")
        }
        let (_, options, _) = try Self.command(["start", "--port=", "-e", "a", "-e", "b,c"])
        #expect(options[.port]?.text == "", "an explicit empty value is kept, then rejected by the loader")
        #expect(options[.env]?.text == "a,b,c")
        #expect(options[.env]?.origin == .commandLine(flag: "-e"))
    }

    @Test func valueMayLookLikeAFlag() throws {
        let (_, options, _) = try Self.command(["start", "-m", "-weird"])
        #expect(options[.formation]?.text == "-weird")
    }

    @Test func startTakesNamesAnywhere() throws {
        let (name, options, names) = try Self.command(["start", "web", "-p", "3000", "worker"])
        #expect(name == "start")
        #expect(names == ["web", "worker"])
        #expect(options[.port]?.text == "3000")
    }

    @Test func runStopsAtTheCommand() throws {
        let (_, options, command) = try Self.command(["run", "-e", "x.env", "ls", "-la", "-e", "--", "y"])
        #expect(options[.env]?.text == "x.env")
        #expect(command == ["ls", "-la", "-e", "--", "y"])
        let (_, _, dashed) = try Self.command(["run", "--", "-p"])
        #expect(dashed == ["-p"])
    }

    @Test func helpAndVersion() throws {
        #expect(try ArgumentParser.parse([]) == .help(command: nil))
        #expect(try ArgumentParser.parse(["check", "-h"]) == .help(command: "check"))
        #expect(try ArgumentParser.parse(["start", "web", "--help"]) == .help(command: "start"))
        #expect(try ArgumentParser.parse(["help", "run"]) == .help(command: "run"))
        #expect(try ArgumentParser.parse(["--version"]) == .version)
        // After run's command, --help belongs to that command.
        let (_, _, command) = try Self.command(["run", "ls", "--help"])
        #expect(command == ["ls", "--help"])
    }

    @Test func errorsPointAtTheRightHelp() {
        #expect(throws: UsageError(message: "unknown option \"-z\" for start", command: "start")) {
            try ArgumentParser.parse(["start", "-z"])
        }
        #expect(throws: UsageError(message: "option --env needs a value (FILE[,FILE...])", command: "run")) {
            try ArgumentParser.parse(["run", "--env"])
        }
        #expect(UsageError(message: "m", command: "run").description == "m (see 'drover run --help')")
    }
}
