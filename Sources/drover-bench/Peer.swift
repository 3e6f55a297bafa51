import Foundation

/// A process manager the benchmark can drive: drover, or a peer found on the PATH.
struct Peer {
    var name: String
    var executable: String
    /// Command-line words for `start` with a formation (`idle=500`) and a timeout in seconds.
    var startArguments: (_ formation: String?, _ timeout: Int?) -> [String]

    static func drover(_ path: String) -> Peer {
        Peer(name: "drover", executable: path) { formation, timeout in
            ["start", "--color=never"] + (formation.map { ["-m", $0] } ?? []) + (timeout.map { ["-t", "\($0)"] } ?? [])
        }
    }

    /// foreman 0.87 (`apt-get install ruby-foreman`), if installed.
    static func foreman() -> Peer? {
        find("foreman").map { path in
            Peer(name: "foreman", executable: path) { formation, timeout in
                ["start"] + (formation.map { ["-m", $0] } ?? []) + (timeout.map { ["-t", "\($0)"] } ?? [])
            }
        }
    }

    /// honcho 2 (`pip install honcho`), if installed; it has no timeout option (5 s fixed).
    static func honcho() -> Peer? {
        find("honcho").map { path in
            Peer(name: "honcho", executable: path) { formation, _ in
                ["start", "--no-colour"] + (formation.map { ["-c", $0] } ?? [])
            }
        }
    }

    private static func find(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return path.split(separator: ":").map { "\($0)/\(name)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }
}
