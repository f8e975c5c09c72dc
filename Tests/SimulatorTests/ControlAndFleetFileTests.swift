import DeviceIO
import Foundation
import Simulator
import Synchronization
import Testing
import VPPCore
import Yams

#if canImport(Glibc)
    import Glibc
#endif

/// Sends lines to a TCP port on 127.0.0.1 and returns one reply line per command (bounded by a 2 s timeout).
func converse(port: Int, _ lines: [String]) throws -> [String] {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw MissingValue(description: "socket") }
    defer { close(fd) }
    var tv = timeval(tv_sec: 2, tv_usec: 0)
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
    var addr = sockaddr_in()
    addr.sin_family = sa_family_t(AF_INET)
    addr.sin_port = in_port_t(UInt16(port).bigEndian)
    addr.sin_addr.s_addr = inet_addr("127.0.0.1")
    let rc = withUnsafePointer(to: &addr) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
            connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
        }
    }
    guard rc == 0 else { throw MissingValue(description: "connect to \(port) failed") }
    var replies: [String] = []
    var buffer: [UInt8] = []
    for line in lines {
        let bytes = Array((line + "\n").utf8)
        _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        while !buffer.contains(UInt8(ascii: "\n")) {
            var chunk = [UInt8](repeating: 0, count: 4096)
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            guard n > 0 else { throw MissingValue(description: "no reply to '\(line)'") }
            buffer += chunk[0..<n]
        }
        let nl = buffer.firstIndex(of: UInt8(ascii: "\n"))!
        replies.append(String(decoding: buffer[..<nl], as: UTF8.self))
        buffer.removeSubrange(...nl)
    }
    return replies
}

@Suite("Control channel, fleet files and emitted config")
struct ControlAndFleetFileTests {
    @Test(
        "fault commands over the control port switch faults on and off; bad commands get an error line")
    func controlPort() async throws {
        let specs = [SimDeviceSpec(id: "pv-1", profile: "sunspec-pv-3ph", ratedPowerKW: 10)]
        try await withFleet(specs, at: shanghai(12)) { fleet, _ in
            let stopped = StopFlag()
            let server = try ControlServer(
                port: 0,
                handler: { line in
                    let r = ControlChannel.execute(line, fleet: fleet)
                    return (r.text, r.stop)
                }, onStop: { stopped.set() })
            defer { server.close() }
            let replies = try converse(
                port: server.port,
                [
                    "fault pv-1 delay 250", "fault pv-1 exception 4", "status pv-1", "fault pv-1 clear",
                    "fault nobody drop",
                    "fault pv-1 melt", "frobnicate", "list", "quit",
                ])
            #expect(replies.count == 9)
            #expect(replies[0].hasPrefix("ok pv-1 faults: delay 250"))
            #expect(replies[1].contains("exception 4"))
            #expect(replies[2].hasPrefix("ok id=pv-1 kind=pv powerKW="))
            #expect(replies[2].contains("faults=delay:250,exception:4"))
            #expect(replies[3] == "ok pv-1 faults: none")
            #expect(replies[4].hasPrefix("error no simulated device nobody"))
            #expect(replies[5].hasPrefix("error unknown fault"))
            #expect(replies[6].hasPrefix("error unknown command"))
            #expect(replies[7].hasPrefix("ok 1 pv-1=pv@modbus-tcp://127.0.0.1:"))
            #expect(replies[8] == "ok stopping")
            #expect(stopped.isSet)
            #expect(fleet.faults(of: "pv-1")?.isEmpty == true)
        }
    }

    @Test(
        "a fleet file expands groups and devices; unknown keys and bad values are refused with their key path"
    )
    func fleetFile() throws {
        let yaml = """
            seed: 7
            basePort: 0
            unitsPerPort: 2
            mqtt: { host: 127.0.0.1, port: 1884, topicPrefix: lab, statePeriodS: 5 }
            groups:
              - { profile: sunspec-pv-3ph, count: 3, idPrefix: pv, ratedPowerKW: [8, 12], sites: 2 }
              - { profile: mqtt-v2g, count: 2, idPrefix: ev, ratedPowerKW: 11, plugProbability: 0.5, site: garage }
            devices:
              - { id: bat-a, profile: sunspec-storage, ratedPowerKW: 50, ratedEnergyKWh: 100, initialSocPercent: 80, port: 16000 }
            """
        let plan = try FleetFile.parse(yaml, file: "fleet.yaml")
        #expect(plan.options.seed == 7)
        #expect(plan.options.unitsPerPort == 2)
        #expect(plan.options.mqtt.port == 1884)
        #expect(plan.options.mqtt.statePeriodS == 5)
        let specs = plan.specs()
        #expect(
            specs.map(\.id.rawValue) == ["pv-0001", "pv-0002", "pv-0003", "ev-0001", "ev-0002", "bat-a"])
        #expect(specs[0].site == "site-1" && specs[1].site == "site-2" && specs[2].site == "site-1")
        #expect(specs.prefix(3).allSatisfy { [8, 12].contains($0.ratedPowerKW) })
        #expect(specs[3].site == "garage" && specs[3].plugProbability == 0.5)
        #expect(specs[5].address == .modbusTCP(host: "127.0.0.1", port: 16000, unit: 1))
        #expect(specs[5].initialSocPercent == 80)
        try plan.validate(against: loadProfiles())

        do {
            _ = try FleetFile.parse("groups: [{ profile: x, count: 1, colour: red }]", file: "f")
            Issue.record("unknown key accepted")
        } catch {
            guard case .badFleetFile(let file, let key, _) = error else { throw error }
            #expect(file == "f")
            #expect(key == "groups[0].colour")
        }
        do {
            _ = try FleetFile.parse("devices: [{ id: a, profile: p, ratedPowerKW: -3 }]", file: "f")
            Issue.record("negative rating accepted")
        } catch {
            guard case .badFleetFile(_, let key, let reason) = error else { throw error }
            #expect(key == "devices[0].ratedPowerKW")
            #expect(reason.contains("-3"))
        }
        var missing = FleetPlan()
        missing.groups.append(
            .init(profile: "no-such-profile", count: 1, idPrefix: "x", ratedPowerKW: [1]))
        #expect(throws: SimulatorError.self) { try missing.validate(against: loadProfiles()) }
    }

    @Test("fleet file numbers are plain decimal, null values are absent, and each refusal names its key path")
    func fleetFileStrictValues() throws {
        let refused: [(yaml: String, key: String, reason: String)] = [
            ("basePort: 0x1F4", "basePort", "must be an integer"),
            ("mqtt: { port: \"1884\" }", "mqtt.port", "must be an integer"),
            ("latitude: .inf", "latitude", "must be a number"),
            ("groups: [{ profile: p, count: 1, ratedPowerKW: [1, 1e999] }]", "groups[0].ratedPowerKW[1]",
             "must be a number"),
            ("groups: [{ count: 1 }]", "groups[0].profile", "is required"),
            ("devices: [{ id: a, profile: p, ratedPowerKW: 5, meterOf: [b, ''] }]", "devices[0].meterOf[1]",
             "must be a non-empty string"),
            ("unitsPerPort: 300", "unitsPerPort", "must be within 1...247, got 300"),
        ]
        for r in refused {
            do {
                _ = try FleetFile.parse(r.yaml, file: "f")
                Issue.record("accepted: \(r.yaml)")
            } catch {
                guard case .badFleetFile(let file, let key, let reason) = error else { throw error }
                #expect(file == "f")
                #expect(key == r.key, "\(r.yaml)")
                #expect(reason == r.reason, "\(r.yaml)")
            }
        }
        let plan = try FleetFile.parse(
            "seed: ~\nbasePort: 1_000\ndevices: [{ id: a, profile: p, ratedPowerKW: 5, port: 1502, unit: }]",
            file: "f")
        #expect(plan.options.basePort == 1000)
        #expect(plan.devices.first?.address == .modbusTCP(host: "127.0.0.1", port: 1502, unit: 1))
    }

    @Test(
        "the emitted config lists every device with its real address, as sites and devices a vppd config includes"
    )
    func emittedConfig() async throws {
        var plan = FleetPlan.quick(pv: 2, storage: 1, v2gModbus: 1, meters: 1, sites: 1)
        plan.devices.append(
            SimDeviceSpec(
                id: "ev-x", profile: "mqtt-v2g", ratedPowerKW: 7, address: .mqtt(topicBase: "t/ev-x")))
        let profiles = try loadProfiles()
        // Only the Modbus part is served here; the MQTT device is described but not connected.
        let modbusSpecs = plan.specs().filter { $0.profile != "mqtt-v2g" }
        try await withFleet(modbusSpecs, at: shanghai(12)) { fleet, _ in
            let yaml = FleetConfigEmitter.render(fleet.descriptors, format: .yaml)
            let root = try #require(try Yams.load(yaml: yaml) as? [String: Any])
            let devices = try #require(root["devices"] as? [[String: Any]])
            #expect(devices.count == 5)
            let sites = try #require(root["sites"] as? [[String: Any]])
            #expect(sites.count == 1)
            for d in devices {
                let id = try #require(d["id"] as? String)
                let addr = try #require((d["address"] as? [String: Any])?["modbus"] as? [String: Any])
                let real = try #require(fleet.modbusAddress(of: DeviceID(id)))
                #expect(addr["port"] as? Int == real.port)
                #expect(addr["unit"] as? Int == real.unit)
                #expect(d["kind"] == nil, "kind is a comment: the daemon refuses unknown keys")
                #expect(profiles[try #require(d["profile"] as? String)] != nil)
            }
            let json = FleetConfigEmitter.render(fleet.descriptors, format: .json)
            let obj = try #require(
                try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
            let kinds = (obj["devices"] as? [[String: Any]])?.compactMap { $0["kind"] as? String } ?? []
            #expect(kinds.sorted() == ["meter", "pv", "pv", "storage", "v2g"])
        }
    }
}

/// A thread-safe one-way flag.
final class StopFlag: Sendable {
    private let flag = Mutex(false)
    func set() { flag.withLock { $0 = true } }
    var isSet: Bool { flag.withLock { $0 } }
}
