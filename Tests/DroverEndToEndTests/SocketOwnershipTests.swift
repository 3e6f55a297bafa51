import DroverSystem
import Foundation
import Testing

/// A second drover never takes over a running one: the socket's lock, not a probe,
/// says whether it is in use.
@Suite struct SocketOwnershipTests {
    static let procfile = "web: echo up; exec sleep 60\n"

    static func inode(_ path: String) -> UInt64? {
        var status = stat()
        guard lstat(path, &status) == 0 else { return nil }
        return UInt64(status.st_ino)
    }

    static func alreadyRunning(_ pid: Int32) -> String {
        "drover: drover is already running here (pid \(pid)); use 'drover stop' or -s PATH\n"
    }

    @Test func aBusyDroverIsNotReplaced() throws {
        let sandbox = try Sandbox()
        try sandbox.write("Procfile", Self.procfile)
        let first = try RunningDrover(["start"], in: sandbox.path)
        first.waitForOutput("web.1  | up")
        let socket = sandbox.path + "/.drover.sock"
        let socketInode = Self.inode(socket)

        // Every connection drover takes, and then some: a probe can only fail.
        var idle: [RawControlClient] = []
        for _ in 0..<256 { idle.append(try RawControlClient(socket)) }
        let second = try DroverProcess.run(["start"], in: sandbox.path, timeout: 20)
        #expect(second.code == 1)
        #expect(second.stderr == Self.alreadyRunning(first.pid))
        #expect(Self.inode(socket) == socketInode, "the first drover's socket is untouched")
        idle.removeAll()

        let ps = try DroverProcess.run(["ps", "--json"], in: sandbox.path)
        #expect(ps.code == 0, "\(ps.stderr)")
        #expect(ProcessList.rows(fromJSON: ps.stdout).count == 1)
        first.signal(SIGTERM)
        #expect(try first.finish().code == 0)
        #expect(!FileManager.default.fileExists(atPath: socket))
        #expect(!FileManager.default.fileExists(atPath: socket + ".lock"), "the lock file goes with its drover")

        // The lock was let go: the next start is a fresh formation.
        let later = try RunningDrover(["start"], in: sandbox.path)
        later.waitForOutput("web.1  | up")
        later.signal(SIGTERM)
        #expect(try later.finish().code == 0)
    }

    @Test func aStoppedDroverIsNotReplacedAndClientsSaySo() throws {
        let sandbox = try Sandbox()
        try sandbox.write("Procfile", Self.procfile)
        let first = try RunningDrover(["start"], in: sandbox.path)
        first.waitForOutput("web.1  | up")
        let socket = sandbox.path + "/.drover.sock"
        let socketInode = Self.inode(socket)
        kill(first.pid, SIGSTOP)
        defer { kill(first.pid, SIGCONT) }

        let second = try DroverProcess.run(["start"], in: sandbox.path, timeout: 20)
        #expect(second.code == 1)
        #expect(second.stderr == Self.alreadyRunning(first.pid))
        #expect(Self.inode(socket) == socketInode)

        // Fill the listener's backlog: a client then says why it cannot get through.
        var queued: [FileDescriptor] = []
        defer { for descriptor in queued { descriptor.close() } }
        while queued.count < 1000, let descriptor = try? UnixSocket.connect(to: socket, timeoutMilliseconds: 200) {
            queued.append(descriptor)
        }
        #expect(queued.count < 1000, "the backlog of a stopped drover fills")
        let ps = try DroverProcess.run(["ps"], in: sandbox.path, timeout: 20)
        #expect(ps.code == 1)
        #expect(
            ps.stderr.hasPrefix("drover: drover at .drover.sock is not taking connections (busy, or stopped with SIGSTOP)"),
            "\(ps.stderr)")

        kill(first.pid, SIGCONT)
        for descriptor in queued { descriptor.close() }
        queued.removeAll()
        let after = try DroverProcess.run(["ps"], in: sandbox.path)
        #expect(after.code == 0, "it still works once continued: \(after.stderr)")
        first.signal(SIGTERM)
        #expect(try first.finish().code == 0)
    }

    @Test func aKilledDroverIsReplaced() throws {
        let sandbox = try Sandbox()
        try sandbox.write("Procfile", Self.procfile)
        let first = try RunningDrover(["start"], in: sandbox.path)
        first.waitForOutput("web.1  | up")
        first.signal(SIGKILL)
        _ = try first.finish()
        #expect(FileManager.default.fileExists(atPath: sandbox.path + "/.drover.sock.lock"), "SIGKILL leaves the file")
        let fresh = try RunningDrover(["start"], in: sandbox.path)
        fresh.waitForOutput("web.1  | up")
        #expect(try DroverProcess.run(["ps"], in: sandbox.path).code == 0)
        fresh.signal(SIGTERM)
        #expect(try fresh.finish().code == 0)
    }

    /// In a directory others can write to: a link planted at the lock path, a lock
    /// file of another user, another user's drover.
    @Test func locksOfOthersAreNeverTaken() throws {
        let sandbox = try Sandbox()
        try sandbox.write("Procfile", Self.procfile)
        let lock = sandbox.path + "/.drover.sock.lock"

        try FileManager.default.createSymbolicLink(atPath: lock, withDestinationPath: sandbox.path + "/target")
        let planted = try DroverProcess.run(["start"], in: sandbox.path, timeout: 20)
        #expect(planted.code == 1)
        #expect(
            planted.stderr
                == "drover: .drover.sock.lock is not a plain file (a symbolic link?); remove it or choose another socket with -s\n")
        #expect(!FileManager.default.fileExists(atPath: sandbox.path + "/target"), "the link is not followed")
        try FileManager.default.removeItem(atPath: lock)

        guard getuid() == 0 else { return }
        try sandbox.write(".drover.sock.lock", "")
        chown(lock, 65534, 65534)
        let foreign = try DroverProcess.run(["start"], in: sandbox.path, timeout: 20)
        #expect(foreign.code == 1)
        #expect(
            foreign.stderr
                == "drover: .drover.sock.lock belongs to another user (uid 65534); not using their socket: choose another with -s\n")
        try FileManager.default.removeItem(atPath: lock)

        // Another user's start against root's running drover, in a directory anyone may write.
        let first = try RunningDrover(["start"], in: sandbox.path)
        first.waitForOutput("web.1  | up")
        try FileManager.default.setAttributes([.posixPermissions: 0o777], ofItemAtPath: sandbox.path)
        let other = try DroverProcess.runProgram(
            "/usr/bin/setpriv", ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", DroverProcess.binary, "start"],
            in: sandbox.path, timeout: 20)
        #expect(other.code == 1)
        #expect(
            other.stderr == "drover: .drover.sock.lock belongs to another user (uid 0); not using their socket: choose another with -s\n")
        #expect(FileManager.default.fileExists(atPath: sandbox.path + "/.drover.sock"))
        #expect(try DroverProcess.run(["ps"], in: sandbox.path).code == 0)
        first.signal(SIGTERM)
        #expect(try first.finish().code == 0)
    }
}
