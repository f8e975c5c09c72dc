import DeviceIO
import Foundation
import Simulator
import Testing
import VPPCore

@testable import Daemon

/// The draft `devices:` entry `vppctl scan` prints (README "vppctl scan") is read by the real config loader:
/// identified devices with a nameplate parse as they are, a missing rated power is refused until filled in, and a
/// device cannot smuggle YAML into the draft through its identification registers.
@Suite("vppctl scan drafts entries the config loader accepts", .serialized)
struct ScanDraftConfigTests {
    static let root = DaemonFixture.repositoryRoot
    static let catalog: ProfileCatalog = {
        (try? ProfileCatalog.load(directory: root.appendingPathComponent("DeviceProfiles"))) ?? ProfileCatalog()
    }()
    static let noon = Date(timeIntervalSince1970: 1_782_014_400)

    /// A config with one site and the draft's `devices:` section.
    static func config(_ draft: String) -> String {
        """
        stateDirectory: /tmp/vppd-scan-test
        sites:
          - { id: site-1, connectionLimitKW: 100 }
        \(draft)
        """
    }

    static func fleet(_ specs: [SimDeviceSpec], unitsPerPort: Int) throws -> SimulatedFleet {
        var options = SimFleetOptions()
        options.unitsPerPort = unitsPerPort
        return try SimulatedFleet(profiles: catalog, specs: specs, clock: ManualClock(start: noon), options: options)
    }

    static func spec(_ id: DeviceID, _ profile: String, _ kw: Double) -> SimDeviceSpec {
        var s = SimDeviceSpec(id: id, profile: profile, ratedPowerKW: kw)
        s.initialSocPercent = 50
        return s
    }

    @Test("identified units with a nameplate become devices the loader accepts, at the scanned address")
    func draftParses() async throws {
        let sim = try Self.fleet(
            [
                Self.spec("a", "huawei-sun2000", 8), Self.spec("b", "sunspec-storage", 5),
                Self.spec("c", "sma-stp-sunspec", 10), Self.spec("d", "sunspec-pv-3ph", 12),
            ], unitsPerPort: 4)
        defer { sim.stop() }
        guard case .modbusTCP(let host, let port, _) = try #require(sim.address(of: "a")) else { return }
        let report = await DeviceScanner(
            catalog: Self.catalog, options: ScanOptions(units: [1, 2, 3, 4], responseTimeoutMs: 500)
        ).scan(endpoint: .tcp(host: host, port: port))
        let draft = DraftDeviceEntry.yaml(
            for: report, catalog: Self.catalog, address: .tcp(host: host, port: port), site: "site-1")
        let config = try VPPConfig.parse(yaml: Self.config(draft), baseDirectory: "/tmp")
        #expect(
            config.devices.map(\.profile) == ["huawei-sun2000", "sunspec-storage", "sma-stp-sunspec", "sunspec-pv-3ph"])
        #expect(config.devices.map(\.ratedPowerKW) == [8, 5, 10, 12])
        for (i, d) in config.devices.enumerated() {
            #expect(d.address == .modbusTCP(host: host, port: port, unit: i + 1))
            #expect(d.site == "site-1")
        }
        // The descriptors the daemon builds from them name loaded profiles of the right kind.
        let descriptors = try config.deviceDescriptors { Self.catalog[$0] }
        #expect(descriptors.map(\.kind) == [.pv, .storage, .pv, .pv])
        #expect(descriptors[1].ratedEnergyKWh ?? 0 > 0)
    }

    @Test("a profile without a rated-power register leaves FILL-IN, which the loader refuses at that key")
    func placeholderRefused() async throws {
        let sim = try Self.fleet([Self.spec("l", "huawei-luna2000", 5)], unitsPerPort: 1)
        defer { sim.stop() }
        guard case .modbusTCP(let host, let port, let unit) = try #require(sim.address(of: "l")) else { return }
        let report = await DeviceScanner(catalog: Self.catalog, options: ScanOptions(units: [unit])).scan(
            endpoint: .tcp(host: host, port: port))
        #expect(report.units.first?.profile == "huawei-luna2000")
        let draft = DraftDeviceEntry.yaml(
            for: report, catalog: Self.catalog, address: .tcp(host: host, port: port), site: "site-1")
        #expect(draft.contains("ratedPowerKW: \(DraftDeviceEntry.placeholder)"))
        do {
            _ = try VPPConfig.parse(yaml: Self.config(draft), baseDirectory: "/tmp")
            Issue.record("a FILL-IN rated power was accepted")
        } catch {
            #expect("\(error)".contains("ratedPowerKW"), "\(error)")
        }
        let filled = draft.replacingOccurrences(of: DraftDeviceEntry.placeholder, with: "5")
        let config = try VPPConfig.parse(yaml: Self.config(filled), baseDirectory: "/tmp")
        #expect(config.devices.first?.ratedEnergyKWh == 10)
    }

    @Test("a model name holding YAML and control characters stays inside its comment")
    func hostileModelName() async throws {
        let server = try ModbusServer(threads: 1)
        defer { server.shutdown() }
        let bank = try ModbusRegisterBank(holding: 30000..<40130)
        func text(_ s: String, words: Int) -> [UInt16] {
            var b = Array(s.utf8.prefix(words * 2))
            while b.count < words * 2 { b.append(0) }
            return (0..<words).map { UInt16(b[2 * $0]) << 8 | UInt16(b[2 * $0 + 1]) }
        }
        try bank.write(address: 30000, values: text("SUN2000\n  - id: evil\r\u{1B}x", words: 15))
        try bank.write(address: 30073, values: [0, 6000])  // 6 kW
        try bank.write(address: 32069, values: [2300])
        try bank.write(address: 32080, values: [0, 3000])
        try bank.write(address: 32085, values: [5000])
        try bank.write(address: 40125, values: [1000])
        let port = try server.serve(unit: 1, bank: bank)
        let report = await DeviceScanner(catalog: Self.catalog, options: ScanOptions(units: [1])).scan(
            endpoint: .tcp(host: "127.0.0.1", port: port.port))
        #expect(report.units.first?.profile == "huawei-sun2000", "\(report.text)")
        let draft = DraftDeviceEntry.yaml(
            for: report, catalog: Self.catalog, address: .tcp(host: "127.0.0.1", port: port.port), site: "site-1")
        #expect(!draft.contains("\r") && !draft.contains("\u{1B}"))
        #expect(draft.contains("\"SUN2000?  - id: evil??x\""))
        let config = try VPPConfig.parse(yaml: Self.config(draft), baseDirectory: "/tmp")
        #expect(config.devices.map(\.id.rawValue) == ["huawei-sun2000-1"])
        #expect(config.devices.first?.ratedPowerKW == 6)
    }

    @Test("the vppctl binary scans, prints the draft on stdout and the report on stderr, and --json parses")
    func binary() async throws {
        let vppctl = Self.root.appendingPathComponent(".build/debug/vppctl")
        guard FileManager.default.isExecutableFile(atPath: vppctl.path) else {
            Issue.record("vppctl not built at \(vppctl.path)")
            return
        }
        let sim = try Self.fleet(
            [Self.spec("a", "huawei-sun2000", 8), Self.spec("b", "fronius-sunspec-float", 7)], unitsPerPort: 2)
        defer { sim.stop() }
        guard case .modbusTCP(let host, let port, _) = try #require(sim.address(of: "a")) else { return }
        let args = [
            "scan", "\(host):\(port)", "--units", "1-3", "--timeout-ms", "300", "--site", "roof",
            "--profiles", Self.root.appendingPathComponent("DeviceProfiles").path,
        ]
        let run = try await Self.run(vppctl, args)
        #expect(run.status == 0, "\(run.err)")
        #expect(run.err.contains("unit 1: identified as huawei-sun2000"))
        #expect(run.err.contains("unit 3: silent"))
        let config = try VPPConfig.parse(
            yaml: "sites:\n  - { id: roof, connectionLimitKW: 50 }\n" + run.out, baseDirectory: "/tmp")
        #expect(config.devices.map(\.profile) == ["huawei-sun2000", "fronius-sunspec-float"])

        let json = try await Self.run(vppctl, args + ["--json"])
        let decoded = try JSONDecoder().decode(ScanReport.self, from: Data(json.out.utf8))
        #expect(decoded.units.map(\.status) == [.identified, .identified, .silent])
        #expect(decoded.units.last?.probes.isEmpty == false)

        let bad = try await Self.run(vppctl, ["scan", "\(host):\(port)", "--units", "9-1"])
        #expect(bad.status == 2)
        #expect(bad.err.contains("--units"))

        // Nothing listens on port 1 of the loopback: exit 3, nothing on stdout.
        let gone = try await Self.run(vppctl, ["scan", "127.0.0.1:1", "--profiles", args.last ?? ""])
        #expect(gone.status == 3, "\(gone.err)")
        #expect(gone.out.isEmpty)
        #expect(gone.err.contains("cannot reach 127.0.0.1:1"))
    }

    struct Run {
        var status: Int32
        var out: String
        var err: String
    }

    /// Runs a process to completion, bounded to 30 s, off the cooperative pool.
    static func run(_ exe: URL, _ args: [String]) async throws -> Run {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("scan-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("out")
        let err = dir.appendingPathComponent("err")
        _ = FileManager.default.createFile(atPath: out.path, contents: nil)
        _ = FileManager.default.createFile(atPath: err.path, contents: nil)
        let p = Process()
        p.executableURL = exe
        p.arguments = args
        p.standardOutput = try FileHandle(forWritingTo: out)
        p.standardError = try FileHandle(forWritingTo: err)
        try p.run()
        let deadline = Date().addingTimeInterval(30)
        while p.isRunning && Date() < deadline { try await Task.sleep(for: .milliseconds(20)) }
        if p.isRunning {
            p.terminate()
            p.waitUntilExit()
        }
        return Run(
            status: p.terminationStatus, out: (try? String(contentsOf: out, encoding: .utf8)) ?? "",
            err: (try? String(contentsOf: err, encoding: .utf8)) ?? "")
    }
}
