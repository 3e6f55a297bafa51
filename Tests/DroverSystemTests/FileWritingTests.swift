import DroverSystem
import Foundation
import Testing

/// What `drover export` does to a directory: never through a link, never half a file.
@Suite struct FileWritingTests {
    static func directory() throws -> String {
        var template = Array("\(FileManager.default.temporaryDirectory.path)/drover-files-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw CocoaError(.fileWriteUnknown) }
        return String(cString: made)
    }

    @Test func makeDirectoriesMakesEveryLevelAndAcceptsWhatExists() throws {
        let base = try Self.directory()
        defer { try? FileManager.default.removeItem(atPath: base) }
        #expect(throws: Never.self) { _ = try FileSystem.makeDirectories("\(base)/a/b/c").get() }
        #expect(throws: Never.self) { _ = try FileSystem.makeDirectories("\(base)/a/b").get() }
        #expect(FileSystem.entryKind(of: "\(base)/a/b/c") == .directory)
        try "x".write(toFile: "\(base)/file", atomically: false, encoding: .utf8)
        #expect(throws: SystemError.self) { _ = try FileSystem.makeDirectories("\(base)/file").get() }
    }

    /// A file is written under another name, then renamed over the old one.
    static func replace(_ path: String, _ contents: String, executable: Bool = false) throws {
        try FileSystem.writeNewFile(
            path + ".new", contents: Array(contents.utf8), executable: executable, replacing: path
        ).get()
        try FileSystem.rename(path + ".new", over: path).get()
    }

    @Test func aNewFileReplacesTheOldWholeAndKeepsItsMode() throws {
        let base = try Self.directory()
        defer { try? FileManager.default.removeItem(atPath: base) }
        try "old contents that are longer".write(toFile: "\(base)/unit", atomically: false, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: "\(base)/unit")
        try Self.replace("\(base)/unit", "new")
        #expect(try String(contentsOfFile: "\(base)/unit", encoding: .utf8) == "new")
        let mode = try FileManager.default.attributesOfItem(atPath: "\(base)/unit")[.posixPermissions] as? Int
        #expect(mode == 0o600, "a unit someone made private stays private")
        #expect(try FileManager.default.contentsOfDirectory(atPath: base) == ["unit"])
        try Self.replace("\(base)/run", "#!/bin/sh\n", executable: true)
        #expect(FileManager.default.isExecutableFile(atPath: "\(base)/run"))
        #expect(throws: SystemError.self, "never over a file that is there") {
            try FileSystem.writeNewFile("\(base)/run", contents: [], executable: false, replacing: "\(base)/run").get()
        }
        #expect(throws: SystemError.self) {
            try FileSystem.writeNewFile("\(base)/missing/unit", contents: [], executable: false, replacing: "x").get()
        }
    }

    @Test func makeDirectoriesSaysWhatItMadeAndFollowsALinkToADirectory() throws {
        let base = try Self.directory()
        defer { try? FileManager.default.removeItem(atPath: base) }
        #expect(try FileSystem.makeDirectories("\(base)/a/b").get() == ["\(base)/a", "\(base)/a/b"])
        try FileManager.default.createSymbolicLink(atPath: "\(base)/service", withDestinationPath: "\(base)/a")
        #expect(try FileSystem.makeDirectories("\(base)/service").get() == [])
    }

    @Test func aLinkIsReplacedNotWrittenThrough() throws {
        let base = try Self.directory()
        defer { try? FileManager.default.removeItem(atPath: base) }
        try "precious".write(toFile: "\(base)/target", atomically: false, encoding: .utf8)
        try FileManager.default.createSymbolicLink(atPath: "\(base)/unit", withDestinationPath: "\(base)/target")
        #expect(FileSystem.entryKind(of: "\(base)/unit") == .other)
        #expect(FileSystem.readPrefix("\(base)/unit", count: 100) == nil, "a link is not read")
        try Self.replace("\(base)/unit", "new")
        #expect(try String(contentsOfFile: "\(base)/target", encoding: .utf8) == "precious")
        #expect(FileSystem.entryKind(of: "\(base)/unit") == .file)
    }

    @Test func removeTreeRemovesLinksNotWhatTheyName() throws {
        let base = try Self.directory()
        defer { try? FileManager.default.removeItem(atPath: base) }
        try FileManager.default.createDirectory(atPath: "\(base)/keep", withIntermediateDirectories: true)
        try "precious".write(toFile: "\(base)/keep/file", atomically: false, encoding: .utf8)
        try FileManager.default.createDirectory(atPath: "\(base)/stale/env", withIntermediateDirectories: true)
        try "1".write(toFile: "\(base)/stale/env/A", atomically: false, encoding: .utf8)
        try FileManager.default.createSymbolicLink(atPath: "\(base)/stale/link", withDestinationPath: "\(base)/keep")
        try FileSystem.removeTree("\(base)/stale").get()
        #expect(FileSystem.entryKind(of: "\(base)/stale") == .missing)
        #expect(try String(contentsOfFile: "\(base)/keep/file", encoding: .utf8) == "precious")
        #expect(throws: SystemError.self, "a path that is not there is not silently removed") {
            try FileSystem.removeTree("\(base)/stale").get()
        }
    }

    @Test func readPrefixReadsAtMostTheStart() throws {
        let base = try Self.directory()
        defer { try? FileManager.default.removeItem(atPath: base) }
        try String(repeating: "x", count: 100_000).write(toFile: "\(base)/big", atomically: false, encoding: .utf8)
        #expect(FileSystem.readPrefix("\(base)/big", count: 1024)?.count == 1024)
        try "short".write(toFile: "\(base)/small", atomically: false, encoding: .utf8)
        #expect(FileSystem.readPrefix("\(base)/small", count: 1024) == Array("short".utf8))
        #expect(FileSystem.readPrefix(base, count: 10) == nil, "a directory")
        #expect(FileSystem.readPrefix("\(base)/missing", count: 10) == nil)
    }
}
