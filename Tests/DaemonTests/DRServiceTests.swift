import DeviceIO
import Fleet
import Foundation
import Market
import Store
import Synchronization
import Testing
import VPPCore

@testable import Daemon

/// `DemandResponseService` in process on a real store: the offer from a live fleet, the obligations as D-1 bid
/// bounds from the aggregate baseline of the roll-ups, and the dispatch loop's DR term (with a schedule, without
/// one, after a cancellation).
@Suite("DR service: offer, bid bounds and the dispatch term")
struct DRServiceTests {
    /// A fixed day (a Wednesday) in the past: every service here runs on the injected clock, not the wall clock.
    let day = MarketDay("2026-03-18")!

    @Test("10 batteries offer 0.5 MW; baseline −200 kW from history → bounds 0.3…0.375 MW; dispatch adds the shortfall")
    func offerBoundsDispatch() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("dr-svc-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let store = try Store(directory: dir)
        let devices = (0..<10).map { i in
            DeviceDescriptor(
                id: DeviceID("bat-\(i)"), profile: "p", kind: .storage, site: "s", owner: OwnerID("o-\(i % 3)"),
                ratedPowerKW: 100, ratedEnergyKWh: 200, address: .mqtt(topicBase: "b\(i)"))
        }
        // History: every battery drew 20 kW in every interval of D-8 … D-3 (aggregate −200 kW).
        var samples: [TelemetrySample] = []
        for d in 3...8 {
            for k in day.adding(days: -d).intervals() {
                for dev in devices {
                    samples.append(
                        TelemetrySample(
                            device: dev.id, at: k.start().addingTimeInterval(60), powerKW: -20, energyInKWh: 5))
                }
            }
        }
        _ = try await store.telemetry.record(samples)
        let now = Mutex(day.adding(days: -2).start().addingTimeInterval(9 * 3600))
        let fleetState = FleetState(devices: devices)
        for dev in devices {
            fleetState.ingest(
                dev.id, values: [.activePowerKW: 0, .socPercent: 80, .socMinPercent: 10, .socMaxPercent: 95],
                at: now.withLock { $0 })
        }
        let profile = try MarketProfileLoader.load(
            file: DaemonFixture.repositoryRoot.appendingPathComponent("MarketProfiles/zhejiang.yaml"))
        let service = try DemandResponseService(
            store: store, fleet: FleetHandle(state: fleetState), stateDirectory: dir, profile: profile,
            now: { now.withLock { $0 } })
        let actor = DemandResponseService.Actor(name: "t", role: "trader", source: "test")
        let deadline = day.adding(days: -2).start().addingTimeInterval(10 * 3600).formatted(Date.ISO8601FormatStyle())
        let invitation = """
            {"id": "svc-1", "direction": "peakShaving", "timing": "dayAhead", "day": "\(day)",
             "priceCapYuanPerMWh": 1200, "deadline": "\(deadline)",
             "intervals": [{"index": 73, "requestedMW": 0.5}, {"index": 74, "requestedMW": 0.5},
                           {"index": 75, "requestedMW": 0.5}, {"index": 76, "requestedMW": 0.5}]}
            """
        try await service.receiveInvitation(Data(invitation.utf8), by: actor)
        let (offer, files) = try await service.makeOffer(eventID: "svc-1", by: actor)
        // 10 × 100 kW with 140 kWh each above 10 %: ample for the 0.5 MW asked.
        #expect(offer.intervals.map(\.offeredMW) == [0.5, 0.5, 0.5, 0.5])
        // Storage is asked for request ÷ 0.95 delivery margin, so the offer can reach the full request.
        #expect(offer.intervals.allSatisfy { abs($0.capabilityMW - 0.5 / 0.95) < 1e-6 })
        #expect(files == ["dr-offer-svc-1-v1.json", "dr-offer-svc-1-v1.csv"])
        let award =
            #"{"eventID": "svc-1", "day": "\#(day)", "intervals": ["#
            + (73...76).map { #"{"index": \#($0), "awardedMW": 0.5, "priceYuanPerMWh": 1000}"# }.joined(separator: ",")
            + "]}"
        try await service.receiveAward(Data(award.utf8), by: actor)
        #expect(try await service.obligations(day: day).obligations.count == 4)

        // D-1: the bid's bounds from the −200 kW baseline: 0.3 MW (100 %) … 0.375 MW (115 %).
        now.withLock { $0 = day.adding(days: -1).start().addingTimeInterval(9 * 3600) }
        let (baseline, note) = try await service.baseline(day: day)
        #expect(note == nil)
        #expect(abs(baseline[72] + 200) < 1e-6)
        let bounds = try await service.bidBounds(day: day)
        #expect(bounds.keys.sorted() == [73, 74, 75, 76])
        #expect(abs((bounds[73]?.minMW ?? 0) - 0.3) < 1e-9 && abs((bounds[73]?.maxMW ?? 0) - 0.375) < 1e-9)

        // The bid service takes these bounds through its obligation provider: interval 73's curve stays inside.
        for dev in devices {
            fleetState.ingest(
                dev.id, values: [.activePowerKW: 0, .socPercent: 80, .socMinPercent: 10, .socMaxPercent: 95],
                at: now.withLock { $0 })
        }
        let bids = try BidService(
            store: store, fleet: FleetHandle(state: fleetState), profile: .success(profile), stateDirectory: dir,
            now: { now.withLock { $0 } })
        await bids.setObligationProvider { d in try await service.bidBounds(day: d) }
        let built = try await bids.build(
            .init(day: day, pricesYuanPerMWh: Array(repeating: 300, count: 96)),
            by: Principal(name: "t", role: .trader), from: "test")
        let i73 = try #require(built.bid.intervals.first { $0.index == 73 })
        #expect(abs((i73.obligation?.minMW ?? 0) - 0.3) < 1e-9)
        let quantities = [i73.baseMW] + i73.segments.map(\.netMW)
        #expect(quantities.allSatisfy { $0 >= 0.3 - 1e-6 && $0 <= 0.375 + 1e-6 }, "\(quantities)")

        // D: without a schedule the DR term is the bound itself; with one, only its shortfall.
        let t73 = MarketInterval(day: day, index: 73)!.start().addingTimeInterval(1)
        now.withLock { $0 = t73 }
        #expect(abs(await service.dispatchAdjustmentKW(at: t73) - 300) < 1e-6)
        _ = try await store.schedules.save(
            day: day, targetsKW: Array(repeating: 100, count: 96), source: "test", at: t73)
        now.withLock { $0 = t73.addingTimeInterval(DemandResponseService.cacheSeconds + 1) }
        #expect(abs(await service.dispatchAdjustmentKW(at: t73.addingTimeInterval(40)) - 200) < 1e-6)
        #expect(await service.dispatchAdjustmentKW(at: MarketInterval(day: day, index: 77)!.start()) == 0)

        // The grid cancels from 18:30: dispatch stops there, the bid no longer bounds 75 and 76.
        let t75 = MarketInterval(day: day, index: 75)!.start()
        try await service.receiveCancellation(DRCancellation(eventID: "svc-1", at: t75, reason: "eased"), by: actor)
        #expect(abs(await service.dispatchAdjustmentKW(at: t75.addingTimeInterval(-60)) - 200) < 1e-6)
        #expect(await service.dispatchAdjustmentKW(at: t75.addingTimeInterval(60)) == 0)
        #expect(try await service.bidBounds(day: day).keys.sorted() == [73, 74])
        let stored = try #require(try await store.drEvents.get("svc-1"))
        #expect(stored.status == .cancelled)

        // After the event: executed; once a settlement of the day is stored, settled.
        let after = MarketInterval(day: day, index: 77)!.start()
        now.withLock { $0 = after }
        #expect(try await service.event("svc-1")?.status == .executed)
        _ = try await store.settlements.save(day: day, payload: Data("{}".utf8), source: "trader:t", at: after)
        let settled = try #require(try await service.event("svc-1"))
        #expect(settled.status == .settled)
        #expect(settled.history.last?.note == "settlement v1 of \(day) by trader:t")
    }

    @Test(
        "fleet → DR resources: a plugged car until its departure with its target energy, PV from a forecast, stale devices left out, no car on a later day"
    )
    func fleetResources() throws {
        let car = DeviceDescriptor(
            id: "car", profile: "p", kind: .v2g, site: "s", owner: "o", ratedPowerKW: 7, address: .mqtt(topicBase: "c"))
        let pv = DeviceDescriptor(
            id: "pv", profile: "p", kind: .pv, site: "s", owner: "o", ratedPowerKW: 50, address: .mqtt(topicBase: "p"))
        let old = DeviceDescriptor(
            id: "old", profile: "p", kind: .storage, site: "s", owner: "o", ratedPowerKW: 50, ratedEnergyKWh: 100,
            address: .mqtt(topicBase: "o"))
        let now = MarketInterval(day: day, index: 69)!.start().addingTimeInterval(60)  // 17:01
        let departure = MarketInterval(day: day, index: 88)!.end()  // 22:00
        let f = FleetState(devices: [car, pv, old])
        f.ingest(
            "car",
            values: [
                .connected: 1, .activePowerKW: 0, .socPercent: 60, .ratedEnergyKWh: 70, .socMinPercent: 20,
                .socMaxPercent: 90, .targetSocPercent: 90, .departureTime: departure.timeIntervalSince1970,
                .maxChargeKW: 7, .maxDischargeKW: 7,
            ], at: now)
        f.ingest("pv", values: [.activePowerKW: 20, .activePowerLimitPercent: 100], at: now)
        f.ingest("old", values: [.activePowerKW: 0, .socPercent: 50], at: now.addingTimeInterval(-3600))
        let forecast = (1...96).map { Double($0 > 40 && $0 < 72 ? 30 : 0) }
        let snaps = Array(f.snapshotAll().values)
        let (resources, start) = DRFleetResources.build(
            snapshots: snaps, day: day, now: now, pvForecast: { s, _ in s.descriptor.id == "pv" ? forecast : nil })
        #expect(start == 69)
        #expect(Set(resources.map(\.id)) == ["car", "pv"])  // the stale battery offers nothing
        let c = try #require(resources.first { $0.id == "car" })
        #expect(c.maxKW[68] == 7 && c.maxKW[87] == 7 && c.maxKW[88] == 0)  // plugged 17:00 … 22:00
        #expect(c.minKW[68] == -7)
        #expect(c.energy?.storedKWh == 42 && c.energy?.minKWh == 14 && c.energy?.maxKWh == 63)
        #expect(c.energy?.departureIndex == 88 && c.energy?.departureKWh == 63)
        let p = try #require(resources.first { $0.id == "pv" })
        #expect(p.baselineKW == forecast && p.maxKW[50] == 30 && p.minKW[50] == 0)
        #expect(p.headroomKW(51, .valleyFilling) == 30 && p.headroomKW(51, .peakShaving) == 0)
        // A later day: no car (vppd does not promise cars it cannot see), PV from the forecast from interval 1.
        let later = DRFleetResources.build(
            snapshots: snaps, day: day.adding(days: 1), now: now, pvForecast: { _, _ in forecast })
        #expect(later.start == 1 && later.resources.map(\.id) == ["pv"])
    }
}
