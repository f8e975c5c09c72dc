import DeviceIO
import Foundation
import Simulator
import Testing
import VPPCore

/// `DeviceScanner` against the project's own simulator serving the real profiles on 127.0.0.1 (README
/// "vppctl scan"): SunSpec chains, vendor signatures, several units behind one port, and devices it must not guess.
@Suite("onboarding scanner", .serialized)
struct ScanTests {
    static let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
    static let catalog: ProfileCatalog = {
        (try? ProfileCatalog.load(directory: repo.appendingPathComponent("DeviceProfiles"))) ?? ProfileCatalog()
    }()
    /// Noon in Asia/Shanghai on 21 June 2026: PV produces, so power readings are inside their ranges.
    static let noon = Date(timeIntervalSince1970: 1_782_014_400)

    /// Every Modbus profile the scanner can recognise: SunSpec chains and profiles with a signature.
    static let identifiable: [String] = catalog.ids.filter { id in
        guard let p = catalog[id], p.transport == .modbus else { return false }
        return p.modbus?.sunspec == true || !p.signature.isEmpty
    }

    static let quick = ScanOptions(
        units: [1], responseTimeoutMs: 500, connectTimeoutMs: 1000, unitTimeoutMs: 10_000, totalTimeoutMs: 30_000)

    /// Serves `specs` (one device per port, or `unitsPerPort` behind one gateway port) for the body.
    static func withFleet<T>(
        _ specs: [SimDeviceSpec], unitsPerPort: Int = 1, _ body: (SimulatedFleet) async throws -> T
    ) async throws -> T {
        var options = SimFleetOptions()
        options.unitsPerPort = unitsPerPort
        let sim = try SimulatedFleet(
            profiles: catalog, specs: specs, clock: ManualClock(start: noon), options: options)
        defer { sim.stop() }
        return try await body(sim)
    }

    static func endpoint(_ sim: SimulatedFleet, _ id: DeviceID) throws -> (ModbusEndpoint, Int) {
        guard case .modbusTCP(let host, let port, let unit) = try #require(sim.address(of: id)) else {
            throw ScanUsageError("\(id) is not a Modbus TCP device")
        }
        return (.tcp(host: host, port: port), unit)
    }

    static func spec(_ id: DeviceID, _ profile: String, ratedKW: Double = 10) -> SimDeviceSpec {
        var s = SimDeviceSpec(id: id, profile: profile, ratedPowerKW: ratedKW)
        if catalog[profile]?.kind == .storage { s.initialSocPercent = 50 }
        return s
    }

    @Test("at least three vendor profiles declare a signature, and two SunSpec profiles")
    func coverage() {
        let signed = Self.catalog.profiles.values.filter { !$0.signature.isEmpty && $0.modbus?.sunspec != true }
        #expect(signed.count >= 3, "vendor profiles with a signature: \(signed.map(\.id))")
        #expect(Self.identifiable.count >= 6)
    }

    @Test("a generic SunSpec inverter is identified through its model chain, with its nameplate")
    func sunspecChain() async throws {
        try await Self.withFleet([Self.spec("pv", "sunspec-pv-3ph", ratedKW: 12)]) { sim in
            let (endpoint, unit) = try Self.endpoint(sim, "pv")
            var o = Self.quick
            o.units = [unit]
            let report = await DeviceScanner(catalog: Self.catalog, options: o).scan(endpoint: endpoint)
            let u = try #require(report.units.first)
            #expect(u.status == .identified, "\(report.text)")
            #expect(u.profile == "sunspec-pv-3ph")
            #expect(u.sunspec?.base == 40000)
            #expect(u.sunspec?.models.map(\.id) == [1, 103, 120, 123])
            #expect(u.sunspec?.incomplete == nil)
            #expect(u.candidates.first?.matchedBy == ["sunspec"])
            #expect(u.ratedPowerKW == 12)
            #expect(report.requests <= o.maxRequestsPerUnit)
        }
    }

    @Test("every identifiable profile served by vppsim is identified as itself", arguments: identifiable)
    func identifiesItself(_ profileID: String) async throws {
        try await Self.withFleet([Self.spec("dut", profileID)]) { sim in
            let (endpoint, unit) = try Self.endpoint(sim, "dut")
            var o = Self.quick
            o.units = [unit]
            let report = await DeviceScanner(catalog: Self.catalog, options: o).scan(endpoint: endpoint)
            let u = try #require(report.units.first)
            #expect(u.status == .identified, "\(report.text)")
            #expect(u.profile == profileID, "\(report.text)")
            let best = try #require(u.candidates.first)
            #expect(best.plausible)
            #expect(!best.checks.isEmpty)
            let profile = try #require(Self.catalog[profileID])
            #expect(best.evidence.count == profile.signature.count)
            if !profile.signature.isEmpty { #expect(best.matchedBy.contains("signature")) }
            if profile.points["ratedPowerKW"] != nil { #expect(u.ratedPowerKW == 10, "\(report.text)") }
        }
    }

    @Test("an SMA device matches the generic SunSpec profile too, but the manufacturer signature wins")
    func moreSpecificWins() async throws {
        try await Self.withFleet([Self.spec("sma", "sma-stp-sunspec")]) { sim in
            let (endpoint, unit) = try Self.endpoint(sim, "sma")
            var o = Self.quick
            o.units = [unit]
            let report = await DeviceScanner(catalog: Self.catalog, options: o).scan(endpoint: endpoint)
            let u = try #require(report.units.first)
            #expect(u.profile == "sma-stp-sunspec")
            #expect(u.candidates.map(\.profile).contains("sunspec-pv-3ph"))
            #expect(u.candidates.first?.evidence.first?.value == "\"SMA\"")
        }
    }

    @Test("several units behind one gateway port are each identified; an absent unit is not guessed")
    func gatewayUnits() async throws {
        let specs = [
            Self.spec("a", "huawei-sun2000"), Self.spec("b", "sungrow-sh"), Self.spec("c", "goodwe-et"),
            Self.spec("d", "sma-stp-sunspec"),
        ]
        try await Self.withFleet(specs, unitsPerPort: 4) { sim in
            let (endpoint, _) = try Self.endpoint(sim, "a")
            for id in ["b", "c", "d"] as [DeviceID] { #expect(try Self.endpoint(sim, id).0 == endpoint) }
            var o = Self.quick
            o.units = Array(1...5)
            let report = await DeviceScanner(catalog: Self.catalog, options: o).scan(endpoint: endpoint)
            #expect(report.units.map(\.unit) == [1, 2, 3, 4, 5])
            var expected: [Int: String] = [:]
            for (id, profile) in zip(["a", "b", "c", "d"] as [DeviceID], specs.map(\.profile)) {
                expected[try Self.endpoint(sim, id).1] = profile
            }
            for u in report.units {
                if let want = expected[u.unit] {
                    #expect(u.status == .identified && u.profile == want, "unit \(u.unit): \(report.text)")
                } else {
                    // The gateway answers exception 11 for a unit it does not know: silent, no profile.
                    #expect(u.status == .silent, "\(report.text)")
                    #expect(u.profile == nil && u.candidates.isEmpty)
                    #expect(u.probes.allSatisfy { $0.detail?.contains("(11)") == true })
                }
            }
        }
    }

    @Test("a server with registers nobody declares gets a report of what answered where, not a guess")
    func unknownDevice() async throws {
        let server = try ModbusServer(threads: 1)
        defer { server.shutdown() }
        // Holding 0…99 answer (seeded garbage, including sentinels and a text with control characters),
        // everything else is an illegal address.
        let bank = try ModbusRegisterBank(holding: 0..<100)
        var rng = SeededRandom(seed: 7)
        try bank.write(address: 0, values: (0..<100).map { _ in UInt16(truncatingIfNeeded: rng.next()) })
        try bank.write(address: 0, values: [0x5375, 0x4E0A, 0xFFFF, 0x8000])  // "Su\n" then sentinels
        let port = try server.serve(unit: 1, bank: bank)
        let report = await DeviceScanner(catalog: Self.catalog, options: Self.quick).scan(
            endpoint: .tcp(host: "127.0.0.1", port: port.port))
        let u = try #require(report.units.first)
        #expect(u.status == .unknown, "\(report.text)")
        #expect(u.profile == nil)
        #expect(u.sunspec == nil)
        #expect(u.probes.contains { $0.address == 0 && $0.outcome == "answered" })
        #expect(u.probes.contains { $0.address == 40000 && $0.outcome == "exception" })
        let text = report.text
        #expect(text.contains("what answered where"))
        #expect(text.contains("holding 40000…40001: exception (illegal data address (2))"))
        #expect(!text.contains("\n-"))
        let draft = DraftDeviceEntry.yaml(
            for: report, catalog: Self.catalog, address: .tcp(host: "127.0.0.1", port: port.port), site: "s")
        #expect(!draft.contains("- id:"))
    }

    @Test("silent units and an unreachable endpoint end within the bounds")
    func silentAndUnreachable() async throws {
        let server = try ModbusServer(threads: 1)
        defer { server.shutdown() }
        let port = try server.serve(units: [9: try ModbusRegisterBank(holding: 0..<4)], unknownUnit: .noReply)
        var o = Self.quick
        o.units = [1, 2, 3]
        o.responseTimeoutMs = 200
        let t0 = Date()
        let report = await DeviceScanner(catalog: Self.catalog, options: o).scan(
            endpoint: .tcp(host: "127.0.0.1", port: port.port))
        let elapsed = Date().timeIntervalSince(t0)
        #expect(report.units.map(\.status) == [.silent, .silent, .silent], "\(report.text)")
        #expect(report.requests == 3 * o.silentAfterTimeouts)
        #expect(elapsed < 10, "three silent units took \(elapsed) s")

        // A closed port: nothing to scan, the report says why.
        let closed = try ModbusServer(threads: 1)
        let gone = try closed.serve(unit: 1, bank: try ModbusRegisterBank(holding: 0..<4)).port
        closed.shutdown()
        let r2 = await DeviceScanner(catalog: Self.catalog, options: o).scan(
            endpoint: .tcp(host: "127.0.0.1", port: gone))
        #expect(r2.connectError != nil)
        #expect(r2.units.isEmpty)
    }

    @Test("the request bound stops the scan, and says so")
    func requestBound() async throws {
        try await Self.withFleet([Self.spec("pv", "sunspec-pv-3ph")]) { sim in
            let (endpoint, _) = try Self.endpoint(sim, "pv")
            var o = Self.quick
            o.units = [1, 2, 3]
            o.maxRequests = 4
            let report = await DeviceScanner(catalog: Self.catalog, options: o).scan(endpoint: endpoint)
            #expect(report.requests == 4)
            #expect(report.stoppedBy?.contains("request limit") == true, "\(report.text)")
            #expect(report.units.allSatisfy { $0.status != .identified })
        }
    }

    /// Modbus profiles the scanner cannot recognise (no SunSpec chain, no signature).
    static let unrecognisable: [String] = catalog.ids.filter { id in
        guard let p = catalog[id], p.transport == .modbus else { return false }
        return p.modbus?.sunspec != true && p.signature.isEmpty
    }

    @Test("a device whose profile declares no signature is reported unknown, never guessed", arguments: unrecognisable)
    func neverGuesses(_ profileID: String) async throws {
        try await Self.withFleet([Self.spec("dut", profileID)]) { sim in
            let (endpoint, unit) = try Self.endpoint(sim, "dut")
            var o = Self.quick
            o.units = [unit]
            let report = await DeviceScanner(catalog: Self.catalog, options: o).scan(endpoint: endpoint)
            let u = try #require(report.units.first)
            #expect(u.status == .unknown, "\(report.text)")
            #expect(u.profile == nil)
            // The survey of the vendor ranges shows where this device answers (its own profile's lowest register).
            #expect(
                u.probes.contains { $0.purpose.hasPrefix("survey") && $0.outcome == "answered" && $0.registers != nil },
                "\(report.text)")
            #expect(report.text.contains("what answered where"))
        }
    }

    @Test("two profiles that match equally well are reported ambiguous and no entry is drafted")
    func ambiguous() async throws {
        var catalog = Self.catalog
        var twin = try #require(catalog["huawei-sun2000"])
        twin.id = "huawei-sun2000-twin"
        catalog.insert(twin)
        try await Self.withFleet([Self.spec("hw", "huawei-sun2000")]) { sim in
            let (endpoint, unit) = try Self.endpoint(sim, "hw")
            var o = Self.quick
            o.units = [unit]
            let report = await DeviceScanner(catalog: catalog, options: o).scan(endpoint: endpoint)
            let u = try #require(report.units.first)
            #expect(u.status == .ambiguous, "\(report.text)")
            #expect(u.profile == nil)
            #expect(Set(u.candidates.map(\.profile)) == ["huawei-sun2000", "huawei-sun2000-twin"])
            let draft = DraftDeviceEntry.yaml(
                for: report, catalog: catalog, address: .tcp(host: "127.0.0.1", port: 1), site: "s")
            #expect(!draft.contains("- id:"))
            #expect(report.text.contains("choose one by hand"))
        }
    }

    @Test("a device answering random registers is not identified, and the scan stays within its request bound")
    func garbled() async throws {
        try await Self.withFleet([Self.spec("pv", "sunspec-pv-3ph"), Self.spec("hw", "huawei-sun2000")]) { sim in
            for id in ["pv", "hw"] as [DeviceID] {
                let bank = try #require(sim.registerBank(of: id))
                var f = ModbusFaults()
                f.garbleReads = true
                bank.faults = f
                let (endpoint, unit) = try Self.endpoint(sim, id)
                var o = Self.quick
                o.units = [unit]
                let report = await DeviceScanner(catalog: Self.catalog, options: o).scan(endpoint: endpoint)
                let u = try #require(report.units.first)
                #expect(u.status != .identified, "\(report.text)")
                #expect(report.requests <= o.maxRequestsPerUnit)
            }
        }
    }

    @Test("a slow device is cut off by the per-unit time limit")
    func slowDevice() async throws {
        try await Self.withFleet([Self.spec("pv", "sunspec-pv-3ph")]) { sim in
            let bank = try #require(sim.registerBank(of: "pv"))
            var f = ModbusFaults()
            f.replyDelayMs = 150
            bank.faults = f
            let (endpoint, unit) = try Self.endpoint(sim, "pv")
            var o = Self.quick
            o.units = [unit]
            o.unitTimeoutMs = 600
            let t0 = Date()
            let report = await DeviceScanner(catalog: Self.catalog, options: o).scan(endpoint: endpoint)
            let elapsed = Date().timeIntervalSince(t0)
            let u = try #require(report.units.first)
            #expect(u.stoppedBy?.contains("time limit per unit") == true, "\(report.text)")
            // 600 ms budget plus at most one request in flight (150 ms reply, 500 ms timeout), wide margin.
            #expect(elapsed < 3, "took \(elapsed) s")
            #expect(u.status != .identified)
        }
    }

    @Test("a device on an RTU bus is identified through the serial path; another unit on the bus is silent")
    func rtu() async throws {
        let bank = try ModbusRegisterBank(holding: 30000..<40130)
        try bank.write(address: 30000, values: SignatureMatcherTests.registers("SUN2000-8KTL-M1", words: 15))
        try bank.write(address: 30073, values: [0, 8000])
        try bank.write(address: 32069, values: [2300])
        try bank.write(address: 32080, values: [0, 4000])
        try bank.write(address: 32085, values: [5000])
        try bank.write(address: 40125, values: [1000])
        let device = try ModbusRTUServer(unit: 7, bank: bank)
        defer { device.shutdown() }
        var o = Self.quick
        o.units = [6, 7]
        o.minRequestGapMs = 2
        o.responseTimeoutMs = 300
        let report = await DeviceScanner(catalog: Self.catalog, options: o).scan(
            endpoint: .rtu(device: device.devicePath, baud: 115_200, parity: .none))
        #expect(report.units.map(\.status) == [.silent, .identified], "\(report.text)")
        #expect(report.units.last?.profile == "huawei-sun2000")
        #expect(report.units.last?.ratedPowerKW == 8)
        let draft = DraftDeviceEntry.yaml(
            for: report, catalog: Self.catalog, address: .rtu(device: device.devicePath, baud: 115_200, parity: "N"),
            site: "s")
        #expect(draft.contains("rtu: { device: \"\(device.devicePath)\", baud: 115200, parity: \"N\", unit: 7 }"))
    }

    @Test("unit lists parse and bad ones are refused with the reason")
    func unitLists() {
        #expect((try? ScanOptions.parseUnits("1-32").get()) == Array(1...32))
        #expect((try? ScanOptions.parseUnits("3,7,10-12").get()) == [3, 7, 10, 11, 12])
        for bad in ["", "0-300", "5-1", "a", "1,1", "1--2", "-3"] {
            guard case .failure(let e) = ScanOptions.parseUnits(bad) else {
                Issue.record("'\(bad)' was accepted")
                continue
            }
            #expect(e.message.contains("unit list"))
        }
    }
}
