import DeviceIO
import Fleet
import Foundation
import Testing
import VPPCore

/// Flexibility per device (DOMAIN §7 sign: up = more injection / less consumption).
@Suite("FleetState: flexibility of PV, storage and V2G")
struct FleetFlexibilityTests {
    let t0 = FleetTestDevices.t0
    let model = FlexibilityModel()  // 15-minute horizon, 0.95 one-way efficiency
    var hours: Double { model.horizon / 3600 }

    func fleet(_ d: DeviceDescriptor, _ values: [CanonicalPoint: Double]) -> FleetState {
        let f = FleetState(devices: [d])
        f.ingest(d.id, values: values, at: t0)
        return f
    }

    // MARK: PV

    @Test("uncurtailed PV can only go down, to zero")
    func pvUncurtailed() throws {
        let pv = FleetTestDevices.descriptor("pv", kind: .pv, ratedKW: 50)
        let f = try #require(
            fleet(pv, [.activePowerKW: 32, .activePowerLimitPercent: 100]).flexibility(
                pv.id, now: t0, model: model))
        #expect(f.upKW == 0)
        #expect(f.downKW == 32)
        #expect(f.minKW == 0)
        #expect(f.constraints.contains(.notCurtailed))
    }

    @Test("curtailed PV goes up to its available power only when an estimate says how much that is")
    func pvCurtailed() throws {
        let pv = FleetTestDevices.descriptor("pv", kind: .pv, ratedKW: 50, installerLimitKW: 45)
        let fl = fleet(pv, [.activePowerKW: 20, .activePowerLimitPercent: 40])
        let blind = try #require(fl.flexibility(pv.id, now: t0, model: model))
        #expect(blind.upKW == 0)
        #expect(blind.constraints.contains(.availablePowerUnknown))

        fl.setAvailablePowerEstimate(pv.id, kW: 38, at: t0)
        let seen = try #require(fl.flexibility(pv.id, now: t0, model: model))
        #expect(seen.upKW.value == 38 - 20)
        #expect(seen.downKW == 20)

        fl.setAvailablePowerEstimate(pv.id, kW: 60, at: t0)  // more sun than the installer lets out
        #expect(try #require(fl.flexibility(pv.id, now: t0, model: model)).maxKW == 45)

        let later = t0.addingTimeInterval(model.horizon + 1)  // estimate too old, device still fresh
        fl.ingest(pv.id, values: [.activePowerKW: 20], at: later)
        #expect(try #require(fl.flexibility(pv.id, now: later, model: model)).upKW == 0)
    }

    // MARK: storage

    @Test("storage at its minimum SOC cannot discharge but can charge")
    func storageAtSocMin() throws {
        let st = FleetTestDevices.descriptor("bat", kind: .storage, ratedKW: 100, energyKWh: 200)
        let f = try #require(
            fleet(st, [.activePowerKW: 0, .socPercent: 10, .socMinPercent: 10, .socMaxPercent: 95])
                .flexibility(st.id, now: t0, model: model))
        #expect(f.maxKW == 0)
        #expect(f.upKW == 0)
        #expect(f.downKW == 100)
        #expect(f.constraints.contains(.socMin))
    }

    @Test("storage promises only the power its energy above the reserve sustains for the interval")
    func storageEnergyLimited() throws {
        let st = FleetTestDevices.descriptor("bat", kind: .storage, ratedKW: 100, energyKWh: 200)
        let f = try #require(
            fleet(st, [.activePowerKW: -5, .socPercent: 12, .socMinPercent: 10, .maxChargeKW: 60])
                .flexibility(st.id, now: t0, model: model))
        let usableKWh = (12.0 - 10) / 100 * 200
        #expect(abs(f.maxKW.value - usableKWh * model.efficiency / hours) < 1e-9)
        #expect(f.maxKW.value < 100)
        #expect(f.minKW == -60)  // the device's own charge limit
        #expect(f.upKW.value == f.maxKW.value + 5)
        #expect(f.downKW == 55)
    }

    @Test("storage without a state of charge offers nothing")
    func storageWithoutSoc() throws {
        let st = FleetTestDevices.descriptor("bat", kind: .storage, ratedKW: 100, energyKWh: 200)
        let f = try #require(fleet(st, [.activePowerKW: 3]).flexibility(st.id, now: t0, model: model))
        #expect(f.upKW == 0 && f.downKW == 0)
        #expect(f.constraints == [.unknownStateOfCharge])
    }

    @Test("the installer's export limit caps storage discharge")
    func storageInstallerLimit() throws {
        let st = FleetTestDevices.descriptor(
            "bat", kind: .storage, ratedKW: 100, energyKWh: 400, installerLimitKW: 30)
        let f = try #require(fleet(st, [.socPercent: 80]).flexibility(st.id, now: t0, model: model))
        #expect(f.maxKW == 30)
        #expect(f.constraints.contains(.installerLimit))
    }

    // MARK: V2G

    func ev(_ values: [CanonicalPoint: Double]) -> FleetState {
        fleet(FleetTestDevices.descriptor("ev", kind: .v2g, ratedKW: 7, energyKWh: 70), values)
    }

    @Test("an unplugged charger offers nothing")
    func v2gUnplugged() throws {
        let f = try #require(
            ev([.connected: 0, .socPercent: 50]).flexibility("ev", now: t0, model: model))
        #expect(f == .fixed(at: 0, [.disconnected]))
    }

    @Test(
        "a car that needs all remaining time at full charge has no discharge flexibility and must charge"
    )
    func v2gDepartureImminent() throws {
        // 7 kWh still needed at 7 kW × 0.95 takes 1.05 h, departure in 1 h.
        let values: [CanonicalPoint: Double] = [
            .connected: 1, .activePowerKW: 0, .socPercent: 80, .targetSocPercent: 90, .maxChargeKW: 7,
            .maxDischargeKW: 7, .departureTime: t0.addingTimeInterval(3600).timeIntervalSince1970,
        ]
        let f = try #require(ev(values).flexibility("ev", now: t0, model: model))
        #expect(f.maxKW == -7)
        #expect(f.minKW == -7)
        #expect(f.upKW == 0)
        #expect(f.downKW == 7)
        #expect(f.constraints.contains(.departure))
    }

    @Test("a car may discharge only as much as it can still recharge before departure")
    func v2gDischargeBoundedByDeparture() throws {
        let soc = 60.0
        let target = 90.0
        let departure = t0.addingTimeInterval(3.5 * 3600)
        let values: [CanonicalPoint: Double] = [
            .connected: 1, .activePowerKW: 0, .socPercent: soc, .targetSocPercent: target,
            .maxChargeKW: 7,
            .maxDischargeKW: 7, .socMinPercent: 20, .departureTime: departure.timeIntervalSince1970,
        ]
        let f = try #require(ev(values).flexibility("ev", now: t0, model: model))
        #expect(f.maxKW.value > 0 && f.maxKW.value < 7)
        #expect(f.constraints.contains(.departure))

        // Spec: discharging at maxKW for the interval, then charging flat out, reaches the target on time;
        // discharging 0.5 kW more would not.
        func socAtDeparture(discharging p: Double) -> Double {
            let afterInterval = soc - p * hours / model.efficiency / 70 * 100
            let hoursLeft = departure.timeIntervalSince(t0) / 3600 - hours
            return afterInterval + 7 * model.efficiency * hoursLeft / 70 * 100
        }
        #expect(socAtDeparture(discharging: f.maxKW.value) >= target - 1e-9)
        #expect(socAtDeparture(discharging: f.maxKW.value + 0.5) < target)
    }

    @Test("a departure without a target SOC protects the top of the SOC window")
    func v2gDepartureWithoutTarget() throws {
        let departure = t0.addingTimeInterval(1800).timeIntervalSince1970
        let base: [CanonicalPoint: Double] = [
            .connected: 1, .socPercent: 85, .socMaxPercent: 90, .maxChargeKW: 7, .maxDischargeKW: 7,
            .departureTime: departure,
        ]
        let implicit = try #require(ev(base).flexibility("ev", now: t0, model: model))
        var explicit = base
        explicit[.targetSocPercent] = 90
        let withTarget = try #require(ev(explicit).flexibility("ev", now: t0, model: model))
        #expect(implicit.maxKW == withTarget.maxKW)
        #expect(implicit.maxKW.value < 7)
        #expect(implicit.constraints.contains(.departure))
    }

    @Test(
        "a car with plenty of time offers its full discharge power and charges up to its SOC maximum")
    func v2gPlentyOfTime() throws {
        let values: [CanonicalPoint: Double] = [
            .connected: 1, .activePowerKW: -3, .socPercent: 60, .targetSocPercent: 90, .maxChargeKW: 7,
            .maxDischargeKW: 7, .socMaxPercent: 90,
            .departureTime: t0.addingTimeInterval(12 * 3600).timeIntervalSince1970,
        ]
        let f = try #require(ev(values).flexibility("ev", now: t0, model: model))
        #expect(f.maxKW == 7)
        #expect(f.minKW == -7)
        #expect(f.upKW == 10)
        #expect(f.downKW == 4)
    }

    @Test("a car at its minimum V2X SOC cannot discharge")
    func v2gAtSocMin() throws {
        let values: [CanonicalPoint: Double] = [
            .connected: 1, .socPercent: 20, .socMinPercent: 20, .maxChargeKW: 7, .maxDischargeKW: 7,
        ]
        let f = try #require(ev(values).flexibility("ev", now: t0, model: model))
        #expect(f.maxKW == 0)
        #expect(f.minKW == -7)
    }

    @Test(
        "a minimum discharge power larger than what the car may give removes discharging (dead band)")
    func v2gDeadBand() throws {
        let values: [CanonicalPoint: Double] = [
            .connected: 1, .socPercent: 20.5, .socMinPercent: 20, .maxChargeKW: 7, .maxDischargeKW: 7,
            .minDischargeKW: 3, .minChargeKW: 1.4,
        ]
        let f = try #require(ev(values).flexibility("ev", now: t0, model: model))
        // 0.35 kWh above the minimum sustain ~1.3 kW for 15 min: below the 3 kW minimum discharge.
        #expect(f.maxKW == 0)
        #expect(f.constraints.contains(.deadBand))
    }

    @Test("a stale car contributes nothing")
    func v2gStale() throws {
        let fl = ev([.connected: 1, .socPercent: 50])
        let later = t0.addingTimeInterval(Double(DeviceTiming().staleAfterMs) / 1000 + 1)
        #expect(fl.flexibility("ev", now: later, model: model) == .unavailable)
    }

    // MARK: aggregation

    @Test(
        "flexibility aggregates per site, per kind and fleet-wide; stale devices and meters add no flexibility"
    )
    func aggregation() throws {
        let pvA = FleetTestDevices.descriptor("pv-a", kind: .pv, site: "a", ratedKW: 50)
        let batA = FleetTestDevices.descriptor(
            "bat-a", kind: .storage, site: "a", ratedKW: 100, energyKWh: 400)
        let meterA = FleetTestDevices.descriptor("meter-a", kind: .meter, site: "a", ratedKW: 0)
        let pvB = FleetTestDevices.descriptor("pv-b", kind: .pv, site: "b", ratedKW: 20)
        let evB = FleetTestDevices.descriptor("ev-b", kind: .v2g, site: "b", ratedKW: 7, energyKWh: 70)
        let fleet = FleetState(devices: [pvA, batA, meterA, pvB, evB])
        fleet.ingest(pvA.id, values: [.activePowerKW: 30], at: t0)
        fleet.ingest(batA.id, values: [.activePowerKW: -20, .socPercent: 50], at: t0)
        fleet.ingest(meterA.id, values: [.activePowerKW: 10], at: t0)
        fleet.ingest(pvB.id, values: [.activePowerKW: 12], at: t0.addingTimeInterval(-60))  // stale by now
        fleet.ingest(evB.id, values: [.activePowerKW: -7, .connected: 1, .socPercent: 40], at: t0)
        fleet.markDown(evB.id, error: "broker gone", at: t0)

        let agg = fleet.aggregate(now: t0, model: model)
        let a = try #require(agg.bySite["a"])
        let b = try #require(agg.bySite["b"])
        #expect(a.devices == 3 && a.ok == 3)
        #expect(b.devices == 2 && b.stale == 1 && b.down == 1 && b.ok == 0)
        #expect(a.powerKW == 10)  // 30 PV − 20 charging; the meter is kept apart
        #expect(a.meteredPowerKW == 10)
        let expectedUp = [pvA, batA].map { agg.devices[$0.id]!.upKW.value }.reduce(0, +)
        let expectedDown = [pvA, batA].map { agg.devices[$0.id]!.downKW.value }.reduce(0, +)
        #expect(a.upKW.value == expectedUp)
        #expect(a.downKW.value == expectedDown)
        #expect(b.upKW == 0 && b.downKW == 0 && b.powerKW == 0)

        #expect(agg.byKind[.pv]?.devices == 2)
        #expect(agg.byKind[.pv]?.downKW == 30)
        #expect(agg.byKind[.meter]?.upKW == 0)
        #expect(agg.fleet.devices == 5)
        #expect(agg.fleet.upKW == a.upKW + b.upKW)
        #expect(agg.fleet.downKW == a.downKW + b.downKW)
        #expect(agg.fleet.ratedPowerKW.value == 50 + 100 + 0 + 20 + 7)
        #expect(fleet.summary(now: t0, model: model) == agg.fleet)
    }
}
