import DeviceIO
import Foundation
import Testing
import VPPCore

@testable import Daemon

@Suite("Daemon configuration")
struct ConfigTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent()
        .deletingLastPathComponent()
    static let badDir = root.appendingPathComponent("Tests/Fixtures/config-bad")

    static func catalog() throws -> ProfileCatalog {
        try ProfileCatalog.load(directory: root.appendingPathComponent("DeviceProfiles"))
    }

    @Test(
        "examples/vppd.yaml loads with every section, its include, and maps onto device descriptors")
    func exampleLoads() throws {
        let c = try VPPConfig.load(path: Self.root.appendingPathComponent("examples/vppd.yaml").path)
        #expect(c.stateDirectory == "/var/lib/vppd")
        #expect(c.market.profile == "zhejiang" && c.market.timeZone == "Asia/Shanghai")
        #expect(c.api.host == "127.0.0.1" && c.api.port == 8080 && c.api.maxBodyBytes == 1_048_576)
        #expect(c.mqtt?.clientID == "vppd-hz-01" && c.mqtt?.tls?.keyFile == "/etc/vppd/mqtt-client.key")
        #expect(
            c.control.periodMs == 1000 && c.poll.staleAfterMs == 5000 && c.inbox.pollIntervalMs == 500)
        #expect(c.retention.telemetryDays == 1095 && !c.retention.rawSamples)
        #expect(c.sites.map(\.id) == ["hz-01", "hz-02", "nb-01"])
        #expect(
            c.devices.map(\.id.rawValue) == [
                "pv-hz-001", "bess-hz-001", "meter-hz-02", "ev-hz-02-01", "pv-nb-001", "v2g-nb-001",
            ])
        #expect(c.devices[0].address == .modbusTCP(host: "192.168.10.21", port: 502, unit: 1))
        #expect(
            c.devices[2].address == .modbusRTU(device: "/dev/ttyUSB0", baud: 9600, parity: "N", unit: 7))
        #expect(c.devices[3].address == .mqtt(topicBase: "vpp/hz-02/ev-01"))
        #expect(c.devices[2].owner == "unassigned")
        #expect(c.devices[4].origin == "devices-sample.yaml: devices[0]")
        let catalog = try Self.catalog()
        let descriptors = try c.deviceDescriptors(profile: { catalog[$0] })
        #expect(descriptors.map(\.kind) == [.pv, .storage, .meter, .v2g, .pv, .v2g])
        #expect(descriptors[0].installerLimitKW == 90 && descriptors[1].ratedEnergyKWh == 500)
    }

    @Test("defaults apply to every key left out")
    func defaults() throws {
        let c = try VPPConfig.parse(yaml: "sites: []\n", baseDirectory: "/etc/vppd")
        #expect(c == VPPConfig())
        #expect(c.control.periodMs == 1000 && c.api.port == 8080 && c.inbox.maxFileBytes == 10 << 20)
    }

    @Test("relative paths resolve against the config file's directory")
    func relativePaths() throws {
        let c = try VPPConfig.parse(
            yaml: "stateDirectory: state\nprofilesDirectory: ../profiles\napi: { tokenFile: tokens }\n",
            baseDirectory: "/srv/vpp/etc")
        #expect(c.stateDirectory == "/srv/vpp/etc/state")
        #expect(c.profilesDirectory == "/srv/vpp/profiles")
        #expect(c.api.tokenFile == "/srv/vpp/etc/tokens")
    }

    /// One bad config per fixture file; its first line says `# expect: <key path> | <text in the problem>`,
    /// a `# stage: profiles` line marks errors found when devices are mapped onto profiles.
    static let badFixtures: [String] =
        ((try? FileManager.default.contentsOfDirectory(atPath: badDir.path)) ?? []).filter {
            $0.hasSuffix(".yaml")
        }.sorted()

    @Test("there are at least ten bad-config fixtures")
    func enoughFixtures() {
        #expect(Self.badFixtures.count >= 10)
    }

    @Test("every bad config is refused with the right key path and problem", arguments: badFixtures)
    func badConfig(_ name: String) throws {
        let path = Self.badDir.appendingPathComponent(name).path
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let header = try #require(text.split(separator: "\n").first { $0.hasPrefix("# expect: ") })
        let parts = header.dropFirst("# expect: ".count).split(separator: "|", maxSplits: 1).map {
            $0.trimmingCharacters(in: .whitespaces)
        }
        try #require(parts.count == 2)
        let expectedPath = parts[0] == "(root)" ? "" : parts[0]
        let profileStage = text.contains("\n# stage: profiles")
        let catalog = try Self.catalog()
        do {
            let c = try VPPConfig.load(path: path)
            #expect(profileStage, "\(name) loaded, but it should fail before the profile stage")
            _ = try c.deviceDescriptors(profile: { catalog[$0] })
            Issue.record("\(name) was accepted")
        } catch {
            #expect(error.path == expectedPath, "\(name): \(error)")
            #expect(error.description.contains(parts[1]), "\(name): \(error)")
            #expect(error.description.hasPrefix(path), "the error names the file: \(error)")
        }
    }

    @Test("YAML syntax errors and unreadable files are reported with the file name")
    func syntaxAndUnreadable() {
        #expect(throws: ConfigError.self) {
            try VPPConfig.parse(yaml: "a: [1, 2\n", file: "x.yaml", baseDirectory: "/")
        }
        do {
            _ = try VPPConfig.parse(yaml: "a: [1, 2\n", file: "x.yaml", baseDirectory: "/")
        } catch {
            guard case .syntax(let file, _) = error else {
                Issue.record("expected a syntax error, got \(error)")
                return
            }
            #expect(file == "x.yaml")
        }
        #expect(throws: ConfigError.self) { try VPPConfig.load(path: "/nonexistent/vppd.yaml") }
        #expect(throws: ConfigError.invalid(file: "e.yaml", path: "", problem: "the file is empty")) {
            try VPPConfig.parse(yaml: "", file: "e.yaml", baseDirectory: "/")
        }
    }
}
