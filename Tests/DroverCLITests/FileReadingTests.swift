import DroverCore
import Foundation
import Testing

@testable import DroverCLI

/// `ApplicationContext.read`, the one place every Procfile, env and defaults file is read.
@Suite struct FileReadingTests {
    static func read(_ bytes: [UInt8]) throws -> FileReadResult {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("drover-read-\(UUID().uuidString)")
        try Data(bytes).write(to: path)
        defer { try? FileManager.default.removeItem(at: path) }
        return ApplicationContext.read(path.path)
    }

    @Test func aByteOrderMarkAtTheStartIsSkipped() throws {
        #expect(try Self.read([0xEF, 0xBB, 0xBF] + Array("web: a\n".utf8)) == .contents(Array("web: a\n".utf8)))
        #expect(try Self.read([0xEF, 0xBB, 0xBF]) == .contents([]))
    }

    @Test func everyOtherByteIsKept() throws {
        // Latin-1, a mark that is not at the start, and a NUL (which the parsers refuse, with a line).
        let bytes: [UInt8] = Array("A=caf".utf8) + [0xE9, 0x0A, 0xEF, 0xBB, 0xBF, 0x00, 0xFF]
        #expect(try Self.read(bytes) == .contents(bytes))
        #expect(try Self.read([0xEF, 0xBB]) == .contents([0xEF, 0xBB]))
    }
}
