import BenchSupport
import Daemon
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// `vppsim` serving simulated Modbus devices on loopback for a daemon test, its device list written as the
/// fixture's `devices.yaml` include. Bounded by `--duration`; `stop()` kills it (call it in a `defer`).
final class SimulatedDevices {
    static var binary: URL { DaemonFixture.repositoryRoot.appendingPathComponent(".build/debug/vppsim") }
    let process = Process()

    /// Starts `pv` PV inverters and `storage` batteries and waits (≤ 20 s) for the device list.
    init(fixture: DaemonFixture, pv: Int, storage: Int, seconds: Int = 90) throws {
        guard FileManager.default.isExecutableFile(atPath: Self.binary.path) else {
            throw FixtureError("vppsim not built at \(Self.binary.path)")
        }
        let include = fixture.directory.appendingPathComponent("devices.yaml")
        try? FileManager.default.removeItem(at: include)
        process.executableURL = Self.binary
        process.arguments = [
            "--profiles", DaemonFixture.repositoryRoot.appendingPathComponent("DeviceProfiles").path,
            "--pv", String(pv), "--storage", String(storage), "--base-port", "0", "--emit-config", include.path,
            "--duration", String(seconds),
        ]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(20)
        while !FileManager.default.fileExists(atPath: include.path) && Date() < deadline && process.isRunning {
            usleep(20_000)
        }
        guard FileManager.default.fileExists(atPath: include.path) else {
            stop()
            throw FixtureError("vppsim wrote no device list")
        }
        usleep(200_000)  // written whole, but give the servers a moment to listen
    }

    func stop() {
        guard process.isRunning else { return }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }
}

extension LoopbackHTTPClient {
    /// Polls `/v1/devices` until `count` devices are `ok` (≤ `timeout` s); returns the last device list.
    func waitHealthy(_ count: Int, fixture: DaemonFixture, timeout: Double = 15) throws -> [JSONTree] {
        var devices: [JSONTree] = []
        let until = Date().addingTimeInterval(timeout)
        repeat {
            devices =
                try request("GET", "/v1/devices", headers: [fixture.auth("viewer")]).json?["devices"]?.arrayValue
                ?? []
            if devices.count == count && devices.allSatisfy({ $0["health"]?.stringValue == "ok" }) { break }
            usleep(100_000)
        } while Date() < until
        return devices
    }
}

/// A JSON number, nil for anything else.
func number(_ value: JSONTree?) -> Double? {
    if case .number(let n)? = value { return n }
    return nil
}

/// A JSON request body from a dictionary.
func jsonBody(_ object: [String: Any]) -> [UInt8] {
    Array((try? JSONSerialization.data(withJSONObject: object)) ?? Data())
}
