import Daemon
import Foundation
import Store

#if canImport(Glibc)
    import Glibc
#endif

/// A throw-away vppd installation for one test: a temporary directory with a config file, a token file with one
/// token per role, a state directory and a free loopback port. Removed by `cleanup()`.
final class DaemonFixture {
    let directory: URL
    let port: Int
    /// Bearer token per role name (`viewer`, `trader`, `operator`, `admin`).
    private(set) var tokens: [String: String] = [:]
    var configPath: String { directory.appendingPathComponent("vppd.yaml").path }
    var tokenPath: String { directory.appendingPathComponent("tokens").path }
    var stateDirectory: String { directory.appendingPathComponent("state").path }

    /// The repository root, found from this file's path (Tests/DaemonTests/Support/…).
    static let repositoryRoot: URL = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// Creates the directory, the tokens and a config with `devices` devices (half PV, half storage, in
    /// `sites` sites), the given control period and request body limit.
    init(devices: Int = 4, sites: Int = 2, controlPeriodMs: Int = 200, maxBodyBytes: Int = 4096)
        throws
    {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "vppd-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        port = try Self.freePort()
        for role in Role.allCases {
            tokens[role.rawValue] = try TokenFile.createToken(
                name: "t-\(role.rawValue)", role: role, path: tokenPath)
        }
        try writeConfig(
            devices: devices, sites: sites, controlPeriodMs: controlPeriodMs, maxBodyBytes: maxBodyBytes)
    }

    /// Writes the config file (devices in an included file, as a large installation would).
    func writeConfig(devices: Int, sites: Int, controlPeriodMs: Int = 200, maxBodyBytes: Int = 4096)
        throws
    {
        var siteLines = "sites:\n"
        for s in 0..<max(1, sites) { siteLines += "  - {id: site-\(s), connectionLimitKW: 10000}\n" }
        var deviceLines = "devices:\n"
        for i in 0..<devices {
            let site = "site-\(i % max(1, sites))"
            if i % 2 == 0 {
                deviceLines +=
                    "  - {id: pv-\(i), profile: sunspec-pv-3ph, site: \(site), ratedPowerKW: 100, address: {modbus: {host: 127.0.0.1, port: 1, unit: \(i % 247 + 1)}}}\n"
            } else {
                deviceLines +=
                    "  - {id: bat-\(i), profile: sunspec-storage, site: \(site), ratedPowerKW: 50, ratedEnergyKWh: 100, address: {modbus: {host: 127.0.0.1, port: 1, unit: \(i % 247 + 1)}}}\n"
            }
        }
        try (siteLines + deviceLines).write(
            to: directory.appendingPathComponent("devices.yaml"), atomically: true, encoding: .utf8)
        let config = """
            stateDirectory: \(stateDirectory)
            profilesDirectory: \(Self.repositoryRoot.appendingPathComponent("DeviceProfiles").path)
            logLevel: info
            market:
              profile: shandong
              profilesDirectory: \(Self.repositoryRoot.appendingPathComponent("MarketProfiles").path)
            api:
              host: 127.0.0.1
              port: \(port)
              tokenFile: \(tokenPath)
              maxBodyBytes: \(maxBodyBytes)
            control:
              periodMs: \(controlPeriodMs)
            include:
              - devices.yaml

            """
        try writeRawConfig(config)
    }

    /// Replaces the config file with `text`.
    func writeRawConfig(_ text: String) throws {
        try text.write(toFile: configPath, atomically: true, encoding: .utf8)
    }

    func cleanup() {
        try? FileManager.default.removeItem(at: directory)
    }

    /// The daemon's store opened from the test process (SQLite WAL lets a test read and write it beside a
    /// running vppd).
    func openStore() throws -> Store {
        try Store(path: URL(fileURLWithPath: stateDirectory).appendingPathComponent(Store.fileName).path)
    }

    /// A TCP port on 127.0.0.1 that was free a moment ago (bind to port 0, read it back, close).
    static func freePort() throws -> Int {
        let s = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard s >= 0 else { throw FixtureError("socket failed") }
        defer { close(s) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = 0
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ok = withUnsafeMutablePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(s, $0, len) == 0 && getsockname(s, $0, &len) == 0
            }
        }
        guard ok else { throw FixtureError("bind failed") }
        return Int(UInt16(bigEndian: addr.sin_port))
    }
}

struct FixtureError: Error, CustomStringConvertible {
    var description: String
    init(_ d: String) { description = d }
}
