// swift-tools-version: 6.2
// libFuzzer targets over vppd's parsers (README "Fuzzing"). Built and run by scripts/fuzz-parsers.sh, never by
// the root package's build: `-sanitize=fuzzer` needs unsafe flags, which SwiftPM only allows in a root package.
import PackageDescription

/// Every target is a libFuzzer harness: coverage-instrumented, linked with libFuzzer's `main`.
let fuzzer: [SwiftSetting] = [
    .unsafeFlags(["-sanitize=fuzzer", "-parse-as-library"]),
    .treatAllWarnings(as: .error),
]
let fuzzerLink: [LinkerSetting] = [.unsafeFlags(["-sanitize=fuzzer"])]

/// One harness per parser: (target name, products of the root package it needs).
let harnesses: [(String, [String])] = [
    ("FuzzConfig", ["Daemon"]),
    ("FuzzDeviceProfile", ["DeviceIO"]),
    ("FuzzMarketProfile", ["Market"]),
    ("FuzzClearing", ["Market"]),
    ("FuzzDRAward", ["Market"]),
    ("FuzzDRInvitation", ["Market"]),
    ("FuzzPrices", ["Market"]),
    ("FuzzTokenFile", ["Daemon"]),
    ("FuzzInboxName", ["Daemon"]),
    ("FuzzMQTTTelemetry", ["DeviceIO", "VPPCore"]),
    ("FuzzModbusReply", ["DeviceIO", "VPPCore"]),
]

let package = Package(
    name: "vppd-fuzz",
    platforms: [.macOS(.v15)],
    dependencies: [.package(name: "vppd", path: "..")],
    targets: harnesses.map { name, products in
        .executableTarget(
            name: name,
            dependencies: products.map { .product(name: $0, package: "vppd") },
            swiftSettings: fuzzer, linkerSettings: fuzzerLink)
    }
)
