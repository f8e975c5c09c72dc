// swift-tools-version: 6.2
// vppd — virtual power plant aggregation controller. See README.md and ../shared/DESIGN.md §2 for the layout.
import PackageDescription

/// The project's own targets: Swift 6 mode, strict concurrency, warnings are errors (DESIGN §11).
let strict: [SwiftSetting] = [.treatAllWarnings(as: .error)]

let package = Package(
    name: "vppd",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "vppd", targets: ["vppd"]),
        .executable(name: "vppctl", targets: ["vppctl"]),
        .executable(name: "vppsim", targets: ["vppsim"]),
        .executable(name: "vppbench", targets: ["vppbench"]),
        // Libraries for the fuzz harnesses in Fuzz/ (README "Fuzzing"); vppd itself ships only the executables.
        .library(name: "VPPCore", targets: ["VPPCore"]),
        .library(name: "Fleet", targets: ["Fleet"]),
        .library(name: "DeviceIO", targets: ["DeviceIO"]),
        .library(name: "Market", targets: ["Market"]),
        .library(name: "Daemon", targets: ["Daemon"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.3"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
    ],
    targets: [
        // C libraries from Debian packages (DESIGN §11). In vppd only DeviceIO, Optimizer (CClp) and Daemon
        // (CSystemd) import them; the simulator's Modbus server and the raw-libmodbus bench are tooling.
        .systemLibrary(
            name: "CModbus", pkgConfig: "libmodbus", providers: [.apt(["libmodbus-dev"])]),
        .systemLibrary(
            name: "CMosquitto", pkgConfig: "libmosquitto", providers: [.apt(["libmosquitto-dev"])]),
        .systemLibrary(
            name: "CSystemd", pkgConfig: "libsystemd", providers: [.apt(["libsystemd-dev"])]),
        // COIN-OR CLP (EPL), the LP solver (DESIGN §11; GLPK is GPL and must not be linked).
        .systemLibrary(
            name: "CClp", pkgConfig: "clp", providers: [.apt(["coinor-libclp-dev"])]),

        .target(name: "VPPCore", swiftSettings: strict),
        // The one strict YAML reader of config, profiles and fleet files (DESIGN §2).
        .target(
            name: "StrictYAML", dependencies: ["VPPCore", .product(name: "Yams", package: "Yams")],
            swiftSettings: strict),
        // The live model of the devices (DESIGN §2): snapshots, health, flexibility. Pure: no transport, no C.
        .target(name: "Fleet", dependencies: ["VPPCore"], swiftSettings: strict),
        .target(
            name: "DeviceIO",
            dependencies: [
                "VPPCore", "Fleet", "CModbus", "CMosquitto", "StrictYAML",
                .product(name: "Yams", package: "Yams"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict),
        .target(
            name: "Simulator",
            dependencies: [
                "VPPCore", "Fleet", "DeviceIO", "CModbus", "StrictYAML",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: strict),
        .target(name: "Optimizer", dependencies: ["VPPCore", "CClp"], swiftSettings: strict),
        .target(
            name: "Market",
            dependencies: [
                "VPPCore", "Optimizer", "StrictYAML",
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: strict),
        .target(name: "DispatchControl", dependencies: ["VPPCore", "Fleet"], swiftSettings: strict),
        .target(
            name: "Store",
            dependencies: [
                "VPPCore",
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            swiftSettings: strict),
        .target(
            name: "Daemon",
            dependencies: [
                "VPPCore", "Fleet", "DeviceIO", "Store", "CSystemd", "Market", "Optimizer", "DispatchControl",
                "StrictYAML",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: strict),

        // Bench tooling (DESIGN §2): bench daemons, the flood and raw-libmodbus baselines, the synthetic LP fleet.
        // Linked by vppbench and the tests, never by vppd.
        .target(
            name: "BenchSupport",
            dependencies: ["VPPCore", "DeviceIO", "Optimizer", "Daemon", "CModbus"],
            swiftSettings: strict),

        .executableTarget(name: "vppd", dependencies: ["Daemon"], swiftSettings: strict),
        .executableTarget(
            name: "vppctl",
            dependencies: [
                "VPPCore", "Market", "Optimizer", "Fleet", "DeviceIO",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strict),
        .executableTarget(
            name: "vppsim",
            dependencies: [
                "Simulator", "Fleet", "DeviceIO",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict),
        .executableTarget(
            name: "vppbench",
            dependencies: [
                "VPPCore", "Fleet", "DeviceIO", "Simulator", "BenchSupport", "Store", "Daemon", "Market", "Optimizer", "DispatchControl",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strict),

        .testTarget(name: "VPPCoreTests", dependencies: ["VPPCore"], swiftSettings: strict),
        .testTarget(
            name: "StrictYAMLTests", dependencies: ["StrictYAML", .product(name: "Yams", package: "Yams")],
            swiftSettings: strict),
        .testTarget(
            name: "DeviceIOTests", dependencies: ["DeviceIO", "Fleet", "VPPCore", "Simulator", "BenchSupport"],
            swiftSettings: strict),
        .testTarget(name: "SimulatorTests", dependencies: ["Simulator", "Fleet", "DeviceIO"], swiftSettings: strict),
        .testTarget(name: "OptimizerTests", dependencies: ["Optimizer", "VPPCore", "BenchSupport"], swiftSettings: strict),
        .testTarget(name: "MarketTests", dependencies: ["Market", "Optimizer", "VPPCore"], swiftSettings: strict),
        .testTarget(
            name: "DispatchControlTests", dependencies: ["DispatchControl", "Fleet", "VPPCore"],
            swiftSettings: strict),
        .testTarget(
            name: "DemandResponseTests", dependencies: ["Market", "Optimizer", "VPPCore"], swiftSettings: strict),
        .testTarget(name: "StoreTests", dependencies: ["Store", "VPPCore"], swiftSettings: strict),
        .testTarget(
            name: "DaemonTests",
            dependencies: [
                "Daemon", "Store", "Fleet", "DeviceIO", "VPPCore", "Market", "Optimizer", "DispatchControl",
                "Simulator", "BenchSupport",
            ],
            swiftSettings: strict),
    ]
)
