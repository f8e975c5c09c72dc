import Daemon
import Foundation
import Store
import Testing
import VPPCore

#if canImport(Glibc)
    import Glibc
#endif

/// vppd with DeviceIO's runtime against a simulated fleet (`vppsim`, Modbus on loopback): the composition root
/// starts the device layer in its service group, the API serves live values, and a reload that changes the
/// devices restarts the device layer on the new list.
@Suite("vppd serves a simulated fleet")
struct DaemonFleetTests {
    static var vppsim: URL {
        DaemonFixture.repositoryRoot.appendingPathComponent(".build/debug/vppsim")
    }

    @Test(
        "devices polled by the runtime show up ok with values; a reload that drops one device applies")
    func liveFleet() async throws {
        guard FileManager.default.isExecutableFile(atPath: Self.vppsim.path) else {
            Issue.record("vppsim not built at \(Self.vppsim.path)")
            return
        }
        let fixture = try DaemonFixture(devices: 0)
        defer { fixture.cleanup() }
        let include = fixture.directory.appendingPathComponent("devices.yaml")
        try? FileManager.default.removeItem(at: include)
        let sim = Process()
        sim.executableURL = Self.vppsim
        sim.arguments = [
            "--profiles", DaemonFixture.repositoryRoot.appendingPathComponent("DeviceProfiles").path,
            "--pv", "2", "--storage",
            "2", "--base-port", "0", "--emit-config", include.path, "--duration", "60",
        ]
        sim.standardOutput = FileHandle.nullDevice
        sim.standardError = FileHandle.nullDevice
        try sim.run()
        defer {
            if sim.isRunning {
                kill(sim.processIdentifier, SIGKILL)
                sim.waitUntilExit()
            }
        }
        let deadline = Date().addingTimeInterval(20)
        while !FileManager.default.fileExists(atPath: include.path) && Date() < deadline
            && sim.isRunning
        { usleep(20_000) }
        try #require(
            FileManager.default.fileExists(atPath: include.path), "vppsim wrote no device list")
        usleep(200_000)  // the file is written whole, but give the servers a moment to listen

        let daemon = try DaemonProcess(fixture: fixture)
        defer { daemon.stop() }
        try daemon.waitReady()
        let c = daemon.client()
        var devices: [JSONTree] = []
        let until = Date().addingTimeInterval(15)
        repeat {
            devices =
                try c.request("GET", "/v1/devices", headers: [fixture.auth("viewer")]).json?["devices"]?
                .arrayValue ?? []
            if devices.count == 4 && devices.allSatisfy({ $0["health"]?.stringValue == "ok" }) { break }
            usleep(100_000)
        } while Date() < until
        #expect(devices.count == 4)
        #expect(
            devices.allSatisfy { $0["health"]?.stringValue == "ok" },
            "\(devices.map { $0["health"] })\n\(daemon.log)")
        let battery = devices.first { $0["kind"]?.stringValue == "storage" }
        #expect(battery?["values"]?["socPercent"] != nil, "\(String(describing: battery))")
        let fleet = try c.request("GET", "/v1/fleet", headers: [fixture.auth("viewer")])
        #expect(fleet.json?["totals"]?["ok"] == .number(4), "\(fleet.text)")

        // Drop the last device from the include and reload: the fleet and the device layer follow.
        let text = try String(contentsOf: include, encoding: .utf8)
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        let last = try #require(lines.lastIndex(where: { $0.contains("id: bat-") }))
        let removed = try #require(
            lines[last].split(separator: " ").map { $0.trimmingCharacters(in: CharacterSet(charactersIn: ",{}")) }
                .first { $0.hasPrefix("bat-") })
        lines.remove(at: last)
        // A command on the device about to go: the reload must end it, not leave it "active" on nothing.
        let command = try c.request(
            "POST", "/v1/commands", headers: [fixture.auth("operator"), ("Content-Type", "application/json")],
            body: Array(
                #"{"kind":"hold","target":{"scope":"device","id":"\#(removed)"},"durationSeconds":3600,"reason":"reload test"}"#
                    .utf8))
        #expect(command.status == 201, "\(command.text)")
        let commandID = try #require(command.json?["id"]?.stringValue)
        try lines.joined(separator: "\n").write(to: include, atomically: true, encoding: .utf8)
        daemon.signal(SIGHUP)
        var count = 4
        let reloadDeadline = Date().addingTimeInterval(10)
        while count != 3 && Date() < reloadDeadline {
            let reply = try c.request("GET", "/v1/devices", headers: [fixture.auth("viewer")])
            if case .number(let n)? = reply.json?["count"] { count = Int(n) }
            usleep(50_000)
        }
        #expect(count == 3)
        var status = ""
        let endDeadline = Date().addingTimeInterval(10)
        repeat {
            let reply = try c.request("GET", "/v1/commands/\(commandID)", headers: [fixture.auth("viewer")])
            status = reply.json?["status"]?.stringValue ?? ""
            if status == "rejected" { break }
            usleep(50_000)
        } while Date() < endDeadline
        #expect(status == "rejected", "command on removed \(removed) is \(status)")
        let after = Date().addingTimeInterval(10)
        var ok = 0
        repeat {
            let list =
                try c.request("GET", "/v1/devices", headers: [fixture.auth("viewer")]).json?["devices"]?
                .arrayValue ?? []
            ok = list.filter { $0["health"]?.stringValue == "ok" }.count
            if ok == 3 { break }
            usleep(100_000)
        } while Date() < after
        #expect(ok == 3, "\(daemon.log)")
        let started = Date()
        usleep(3_500_000)  // three telemetry rounds (one per poll interval, at least 1 s)
        daemon.signal(SIGTERM)
        #expect(daemon.waitExit(timeout: 15) == 0)

        // The telemetry recorder fed the roll-ups settlement reads: every device that answered has samples.
        let store = try fixture.openStore()
        var sampled: [String] = []
        for d in devices {
            guard let id = d["id"]?.stringValue else { continue }
            let r = try await store.telemetry.rollups(
                device: DeviceID(id), from: started.addingTimeInterval(-3600), to: started.addingTimeInterval(60))
            if r.reduce(0, { $0 + $1.sampleCount }) >= 2 { sampled.append(id) }
        }
        // (The device the reload dropped may have left before the first round.)
        #expect(sampled.count >= devices.count - 1, "roll-ups for \(sampled) of \(devices.count) devices")
    }
}
