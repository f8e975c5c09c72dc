import DeviceIO
import Foundation
import Testing
import VPPCore

@testable import Daemon

/// The contract between `vppsim --emit-config` and the config loader: what the simulator writes is a valid
/// include, so the demo's config always matches the simulated fleet.
@Suite("Config include from vppsim")
struct ConfigSimulatorIncludeTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent()
        .deletingLastPathComponent()
    static let vppsim = root.appendingPathComponent(".build/debug/vppsim").path

    @Test(
        "a device list emitted by vppsim loads as an include and maps onto profiles",
        .enabled(if: FileManager.default.isExecutableFile(atPath: vppsim)), .timeLimit(.minutes(1)))
    func simulatorIncludeLoads() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent(
            "vppd-siminc-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let include = dir.appendingPathComponent("sim-devices.yaml")
        let p = Process()
        p.executableURL = URL(fileURLWithPath: Self.vppsim)
        p.currentDirectoryURL = Self.root
        p.arguments = [
            "--pv", "2", "--storage", "1", "--v2g-modbus", "1", "--meter", "1", "--base-port", "0",
            "--emit-config", include.path,
        ]
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        defer {
            if p.isRunning { kill(p.processIdentifier, SIGKILL) }
            p.waitUntilExit()
        }
        // The file is written atomically once the servers are up; wait for it (bounded).
        let deadline = ContinuousClock.now + .seconds(20)
        while !FileManager.default.fileExists(atPath: include.path) && ContinuousClock.now < deadline
            && p.isRunning
        {
            try await Task.sleep(for: .milliseconds(50))
        }
        try await Task.sleep(for: .milliseconds(100))
        p.terminate()
        try #require(
            FileManager.default.fileExists(atPath: include.path), "vppsim wrote no device list")

        let main = dir.appendingPathComponent("vppd.yaml")
        try Data("stateDirectory: state\ninclude: [sim-devices.yaml]\n".utf8).write(to: main)
        let config = try VPPConfig.load(path: main.path)
        #expect(config.devices.count == 5)
        #expect(config.sites.count == 1)
        let catalog = try ProfileCatalog.load(
            directory: Self.root.appendingPathComponent("DeviceProfiles"))
        let descriptors = try config.deviceDescriptors(profile: { catalog[$0] })
        #expect(Set(descriptors.map(\.kind)) == [.pv, .storage, .v2g, .meter])
        #expect(descriptors.allSatisfy { $0.address.transport == .modbus })
    }
}
