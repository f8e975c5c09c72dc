import DeviceIO
import Foundation
import Testing
import VPPCore

/// What the shipped profiles promise the rest of vppd: the SunSpec chains, the setpoints with their enable bits
/// and revert timers, the sign conventions.
@Suite("Shipped device profiles")
struct ProfileShippedTests {
    let catalog: ProfileCatalog

    init() throws { catalog = try ProfileLoader.loadDirectory(ProfileFixtures.profilesDirectory) }

    @Test("the SunSpec PV inverter declares models 1, 103, 120, 123 and curtails through WMaxLimPct")
    func sunspecPV() throws {
        let p = try #require(catalog["sunspec-pv-3ph"])
        #expect(p.kind == .pv && p.transport == .modbus)
        let chain = try #require(p.modbus).sunspecModels
        #expect(
            chain == [
                .init(id: 1, length: 66), .init(id: 103, length: 50), .init(id: 120, length: 26),
                .init(id: 123, length: 24),
            ])
        let power = try #require(p.points["activePowerKW"]?.modbus)
        #expect(power.model == 103 && power.type == .int16 && power.scaleFactor == "W_SF")
        #expect(p.points["activePowerKW"]?.scale == 0.001)
        let limit = try #require(p.controls[.activePowerLimitPercent])
        #expect(limit.point == "WMaxLimPct")
        #expect(limit.with == [FixedWrite(point: "WMaxLim_Ena", value: 1)])
        #expect(limit.revertTimeoutPoint == "WMaxLimPct_RvrtTms")
        #expect(limit.min == 0 && limit.max == 100)
        #expect(p.points["WMaxLimPct"]?.aliasOf == "activePowerLimitPercent")
    }

    @Test(
        "the SunSpec storage system takes a signed kW setpoint in 704 WSet with mode, enable and revert timer"
    )
    func sunspecStorage() throws {
        let p = try #require(catalog["sunspec-storage"])
        let models = Set(try #require(p.modbus).sunspecModels.map(\.id))
        #expect(models.isSuperset(of: [1, 701, 702, 704, 713]))
        let c = try #require(p.controls[.activePowerSetpointKW])
        let wset = try #require(p.points[c.point]?.modbus)
        #expect(wset.model == 704 && wset.type == .int32 && wset.scaleFactor == "WSet_SF")
        #expect(c.min < 0 && c.max > 0)  // positive = discharge, negative = charge
        #expect(c.with.contains(FixedWrite(point: "WSetEna", value: 1)))
        #expect(c.with.contains(FixedWrite(point: "WSetMod", value: 2)))  // WATTS
        #expect(p.points[c.revertTimeoutPoint ?? ""]?.modbus?.type == .uint32)
        for needed: CanonicalPoint in [
            .socPercent, .socMinPercent, .socMaxPercent, .maxChargeKW, .maxDischargeKW, .ratedEnergyKWh,
        ] {
            #expect(p.canonicalPoints[needed] != nil, "missing \(needed)")
        }
    }

    @Test("both V2G profiles carry what a departure-safe schedule needs")
    func v2gPoints() throws {
        for id in ["modbus-v2g-dc", "mqtt-v2g"] {
            let p = try #require(catalog[id])
            for needed: CanonicalPoint in [
                .activePowerKW, .socPercent, .connected, .departureTime, .targetSocPercent, .maxChargeKW,
                .maxDischargeKW, .minChargeKW, .minDischargeKW,
            ] {
                #expect(p.canonicalPoints[needed] != nil, "\(id) misses \(needed)")
            }
            let c = try #require(p.controls[.activePowerSetpointKW], "\(id)")
            #expect(c.min < 0 && c.max > 0)
            #expect(c.revertTimeoutPoint != nil)
        }
        // OCPP counts charging as positive: the MQTT charger flips the sign into vppd's convention.
        #expect(catalog["mqtt-v2g"]?.points["activePowerKW"]?.scale ?? 0 < 0)
        #expect(catalog["modbus-v2g-dc"]?.modbus?.wordOrder == .little)
    }

    @Test("the grid meter measures only and reports injection as positive power")
    func meter() throws {
        let p = try #require(catalog["modbus-meter"])
        #expect(p.capabilities == [.observe, .measure])
        #expect(p.controls.isEmpty)
        #expect(
            p.points.values.allSatisfy { $0.modbus?.table == .input && $0.modbus?.type == .float32 })
        #expect(p.points["activePowerKW"]?.scale ?? 0 < 0)  // the meter counts import as positive
    }

    @Test("every profile says where its map comes from and states how every setpoint reverts")
    func sourcesAndReverts() throws {
        for id in catalog.ids {
            let p = try #require(catalog[id])
            #expect(p.source.count > 80, "\(id): source too thin")
            for (name, c) in p.controls {
                // A timer or watchdog is written with every setpoint; 'none' must be said, never implied.
                let revert = try #require(c.effectiveRevert, "\(id) \(name) does not state its revert mechanism")
                #expect((revert == .none) == (c.revertTimeoutPoint == nil), "\(id) \(name): \(revert)")
            }
        }
    }

    @Test("every revert timeout the profile writes fits its register exactly (minutes registers get whole minutes)")
    func revertTimeoutsRepresentable() throws {
        for id in catalog.ids {
            let p = try #require(catalog[id])
            for (name, c) in p.controls {
                guard let rt = c.revertTimeoutPoint, let spec = p.points[rt], spec.modbus != nil else { continue }
                let point = try ResolvedModbusPoint(spec, modelStart: spec.modbus?.model == nil ? nil : 0)
                let seconds = Double(p.timing.revertTimeoutS)
                let regs = try RegisterCodec.encode(seconds, for: point, scaleFactor: nil)
                let back = try RegisterCodec.decode(point, block: regs, blockStart: point.address, scaleFactor: nil)
                #expect(back?.number == seconds, "\(id) \(name): \(seconds) s is written as \(regs)")
            }
        }
    }

    @Test("a connected point read through a value map yields only 1 or 0")
    func connectedCodes() {
        for id in catalog.ids {
            guard let map = catalog[id]?.points["connected"]?.modbus?.valueMap else { continue }
            #expect(Set(map.values).isSubset(of: [0, 1]), "\(id): \(map)")
        }
    }

    @Test("vendor profiles name a second public source with its version and the differences found")
    func vendorCrossChecks() {
        let vendor = catalog.ids.compactMap { catalog[$0] }.filter { $0.crossCheck != nil }
        #expect(vendor.count >= 15, "only \(vendor.count) cross-checked vendor profiles")
        for p in vendor {
            let note = p.crossCheck ?? ""
            #expect(note.count > 200, "\(p.id): cross-check too thin")
            #expect(note.contains("Difference"), "\(p.id): the cross-check does not say what differs")
            // Vendor documents are cited with a version or edition, or say that none could be pinned.
            #expect(
                p.source.range(
                    of: #"(V|Ver |version |Issue )\s?[0-9]|[0-9]{4} edition"#, options: .regularExpression) != nil
                    || p.source.contains("not pinned"),
                "\(p.id): source names no version")
        }
    }

    @Test("a device is matched to its profile, and a mismatch names the device")
    func catalogLookup() throws {
        let good = FleetTestDevices.descriptor(
            "pv-1", kind: .pv, ratedKW: 10, profile: "sunspec-pv-3ph")
        #expect(try catalog.profile(for: good).id == "sunspec-pv-3ph")
        let wrongKind = FleetTestDevices.descriptor(
            "pv-2", kind: .storage, ratedKW: 10, profile: "sunspec-pv-3ph")
        let missing = FleetTestDevices.descriptor(
            "pv-3", kind: .pv, ratedKW: 10, profile: "no-such-profile")
        var wrongTransport = good
        wrongTransport.address = .mqtt(topicBase: "x")
        for (d, text) in [
            (wrongKind, "kind storage"), (missing, "not loaded"), (wrongTransport, "mqtt address"),
        ] {
            do {
                _ = try catalog.profile(for: d)
                Issue.record("\(d.id) accepted")
            } catch {
                #expect(
                    error.description.contains(d.id.rawValue) && error.description.contains(text), "\(error)")
            }
        }
    }
}
