// swift-tools-version: 6.2
// libFuzzer targets over vppd's parsers (README "Fuzzing"). Built and run by scripts/fuzz-parsers.sh, never by
// the root package's build: `-sanitize=fuzzer` needs unsafe flags, which SwiftPM only allows in a root package.
import PackageDescription

/// The sanitizers of the harnesses, one `-sanitize=` value: swiftc keeps only the last `-sanitize=` it is given, so
/// scripts/fuzz-parsers.sh passes the same value to every module (`VPPD_FUZZ_SANITIZERS`, default `fuzzer`;
/// `fuzzer,address` adds AddressSanitizer, about twice as slow).
let sanitizers = Context.environment["VPPD_FUZZ_SANITIZERS"] ?? "fuzzer"

/// Every harness is coverage-instrumented and linked with libFuzzer; its `@main` calls `FuzzDriver.run`.
let fuzzer: [SwiftSetting] = [
    .unsafeFlags(["-sanitize=\(sanitizers)", "-parse-as-library"]),
    .treatAllWarnings(as: .error),
]
let fuzzerLink: [LinkerSetting] = [.unsafeFlags(["-sanitize=\(sanitizers)"])]

/// One harness per parser: (target name, products of the root package it needs).
let harnesses: [(String, [String])] = [
    ("FuzzConfig", ["Daemon"]),
    ("FuzzDeviceProfile", ["DeviceIO"]),
    ("FuzzMarketProfile", ["Market"]),
    ("FuzzClearing", ["Market", "VPPCore"]),
    ("FuzzDRAward", ["Market", "VPPCore"]),
    ("FuzzDRInvitation", ["Market", "VPPCore"]),
    ("FuzzPrices", ["Market", "VPPCore"]),
    ("FuzzTokenFile", ["Daemon"]),
    ("FuzzInboxName", ["Daemon"]),
    ("FuzzMQTTTelemetry", ["DeviceIO", "VPPCore"]),
    ("FuzzModbusReply", ["DeviceIO", "VPPCore"]),
]

let package = Package(
    name: "vppd-fuzz",
    platforms: [.macOS(.v15)],
    dependencies: [.package(name: "vppd", path: "..")],
    targets: [
        .target(name: "CLibFuzzer"),
        .target(name: "FuzzDriver", dependencies: ["CLibFuzzer"], swiftSettings: fuzzer),
    ]
        + harnesses.map { name, products in
            .executableTarget(
                name: name,
                dependencies: ["FuzzDriver"] + products.map { .product(name: $0, package: "vppd") },
                swiftSettings: fuzzer, linkerSettings: fuzzerLink)
        }
)
