// swift-tools-version: 6.2
import PackageDescription

/// Warnings are defects here: every Swift and C target builds with them as errors.
let strictSwift: [SwiftSetting] = [.treatAllWarnings(as: .error)]

let package = Package(
    name: "drover",
    products: [
        .executable(name: "drover", targets: ["drover"])
    ],
    targets: [
        // What Glibc hides from Swift (pipe2, signalfd, epoll, prctl, spawn extensions).
        .target(
            name: "CDroverShims",
            cSettings: [.treatAllWarnings(as: .error)]
        ),
        // Pure rules: no syscalls, no Foundation. Everything here is unit-tested in memory.
        .target(name: "DroverCore", swiftSettings: strictSwift),
        // Pure too: what `drover export` writes for each init system and orchestrator.
        .target(name: "DroverExport", dependencies: ["DroverCore"], swiftSettings: strictSwift),
        // Thin typed wrappers over the system calls drover needs; no policy.
        .target(name: "DroverSystem", dependencies: ["CDroverShims", "DroverCore"], swiftSettings: strictSwift),
        // The event loop that carries out the core's decisions over the system layer.
        .target(name: "DroverSupervisor", dependencies: ["DroverCore", "DroverSystem"], swiftSettings: strictSwift),
        // Argument parsing and one file per command.
        .target(
            name: "DroverCLI", dependencies: ["DroverCore", "DroverExport", "DroverSystem", "DroverSupervisor"],
            swiftSettings: strictSwift),
        .executableTarget(name: "drover", dependencies: ["DroverCLI"], swiftSettings: strictSwift),
        // `make bench`: the speed and memory goals, measured on the release binary.
        .executableTarget(name: "drover-bench", dependencies: ["DroverSystem"], swiftSettings: strictSwift),
        // `make soak`: drover under abuse for a while, with its memory, descriptors and output checked.
        .executableTarget(name: "drover-soak", dependencies: ["DroverSystem"], swiftSettings: strictSwift),
        .testTarget(name: "DroverCoreTests", dependencies: ["DroverCore"], swiftSettings: strictSwift),
        .testTarget(
            name: "DroverExportTests", dependencies: ["DroverExport", "DroverCore"], exclude: ["Golden"],
            swiftSettings: strictSwift),
        .testTarget(name: "DroverSystemTests", dependencies: ["DroverSystem"], swiftSettings: strictSwift),
        .testTarget(name: "DroverCLITests", dependencies: ["DroverCLI", "DroverCore"], swiftSettings: strictSwift),
        .testTarget(
            name: "DroverEndToEndTests",
            dependencies: ["drover", "DroverSystem", "DroverCore", "DroverExport"],
            swiftSettings: strictSwift
        ),
    ],
    swiftLanguageModes: [.v6]
)
