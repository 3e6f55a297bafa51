import DroverSystem
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// `logs -f` followers that never read: drover's memory for all of them together is bounded.
@Suite struct FollowerMemoryTests {
    static let followers = 200

    /// Whether the peer hung up on `descriptor` (looked at without reading anything).
    static func hungUp(_ descriptor: Int32) -> Bool {
        var entry = pollfd(fd: descriptor, events: 0, revents: 0)
        return poll(&entry, 1, 0) == 1 && entry.revents & Int16(POLLHUP) != 0
    }

    @Test func stuckFollowersAreCutOffWithinOneBudgetAndTheStreamGoesOn() throws {
        let sandbox = try Sandbox()
        // 1,000-byte numbered lines, about 2 MB/s: more than 4 MiB (what one follower may
        // hold) within seconds, slow enough for a reader in this test to keep up.
        try sandbox.write(
            "Procfile",
            """
            chatty: pad=$(printf '%0990d' 0); i=0; while :; do i=$((i+1)); echo "$i $pad"; [ $((i % 100)) = 0 ] && sleep 0.05; done
            """)
        let started = try DroverProcess.run(["start", "--daemon"], in: sandbox.path)
        #expect(started.code == 0)
        let daemon = try #require(DaemonTests.daemonPid(started.stdout))
        defer { _ = ProcessTable.killSurvivors([daemon]) }
        let pids = ProcessList.pids(fromJSON: try DroverProcess.run(["ps", "--json"], in: sandbox.path).stdout)
        let idle = ControlAbuseTests.residentKilobytes(daemon)

        let request = Array(#"{"version":1,"command":"logs","follow":true,"lines":0}"#.utf8) + [10]
        // One follower reads along: it is never the one furthest behind.
        let reader = try RawControlClient(sandbox.path + "/.drover.sock")
        reader.send(request)
        var received = 0
        var chunk = [UInt8](repeating: 0, count: 65_536)
        func readAlong() {
            while Readiness.waitReadable(reader.descriptor, timeoutMilliseconds: 0) {
                let count = chunk.withUnsafeMutableBytes { read(reader.descriptor.rawValue, $0.baseAddress, $0.count) }
                guard count > 0 else { return }
                received += count
            }
        }
        var stuck: [RawControlClient] = []
        for _ in 0..<Self.followers {
            let client = try RawControlClient(sandbox.path + "/.drover.sock")
            client.send(request)
            stuck.append(client)
        }
        var peak = 0
        let deadline = Date().addingTimeInterval(120)
        while stuck.contains(where: { !Self.hungUp($0.descriptor.rawValue) }) && Date() < deadline {
            peak = max(peak, ControlAbuseTests.residentKilobytes(daemon))
            readAlong()
            usleep(10_000)
        }
        let cutOff = stuck.filter { Self.hungUp($0.descriptor.rawValue) }.count
        #expect(cutOff == Self.followers, "every stuck follower is cut off")
        print("drover RSS: idle \(idle / 1024) MiB, peak \(peak / 1024) MiB with \(Self.followers) stuck followers")
        // 64 MiB for all connections together, the instance's 1 MiB of history, and up
        // to 31 MiB for the allocator's slack; without the total budget each of 200
        // followers may hold 4 MiB, 800 MiB in all.
        #expect(peak - idle < 96 * 1024, "drover grew by \((peak - idle) / 1024) MiB")
        readAlong()
        #expect(!Self.hungUp(reader.descriptor.rawValue), "the follower that reads is kept")
        #expect(received > 4 << 20, "it got more than any stuck follower could hold back")

        // The stream goes on: a fresh reader still gets new lines.
        func lastNumber() throws -> Int {
            let text = try DroverProcess.run(["logs", "-n", "1", "chatty"], in: sandbox.path).stdout
            return Int(text.split(separator: "|").last?.split(separator: " ").first ?? "") ?? 0
        }
        let before = try lastNumber()
        let later = Date().addingTimeInterval(20)
        while try lastNumber() <= before && Date() < later { usleep(20_000) }
        #expect(try lastNumber() > before)
        #expect(try DroverProcess.run(["stop"], in: sandbox.path).code == 0)
        DaemonTests.expectGone([daemon] + pids)
    }
}
