import DeviceIO
import DispatchControl
import Foundation
import Simulator
import Store
import Synchronization
import Testing
import VPPCore

@testable import Daemon
@testable import Market

/// The demand-response cycle of issue 7 through the daemon's own services, wired as `VPPDaemon` wires them, on
/// simulated Modbus TCP storage (loopback) polled by the real device layer: D-2 invitation → offer → award
/// (`DemandResponseService`), D-1 bid with the obligation bounds → submission → clearing → schedule
/// (`BidService`), D execution by `DispatchLoop` with the DR hook on a fast clock, settlement from the store
/// (`SettlementService`). `DREndToEndTests` runs the same cycle on in-process physics without Modbus or the loop.
@Suite("DR cycle through the daemon's services on simulated Modbus devices", .serialized)
struct DRCycleThroughDaemonTests {
    /// A past Wednesday: the services run on injected market time, the devices on a clock held at D until
    /// execution; past, so the wall-clock stamps of polled snapshots are never older than the injected time.
    let day = MarketDay("2026-11-18")!
    let invoked = [73, 74, 75]  // 18:00–18:45 Asia/Shanghai
    let speed = 45.0

    @Test("10 batteries, 3 invoked intervals: bid inside the bounds, 80–120 % delivered, owners = aggregate, settled")
    func cycle() async throws {
        let first = MarketInterval(day: day, index: invoked[0])!
        let last = MarketInterval(day: day, index: invoked.last!)!
        let simClock = HeldClock(at: first.start().addingTimeInterval(-180), speed: speed)
        let rig = try await DispatchRig(
            specs: DispatchLoopTests.storage(10, ratedKW: 20, capacityKWh: 200), simClock: simClock,
            marketClock: ClosureDispatchClock { simClock.now() },
            settings: DispatchLoop.Settings(periodS: 0.1, tolerancePercent: 2), fastPollMs: 100,
            minUpdateIntervalMs: 100, revertTimeoutS: 7200)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("dr-cycle-\(UUID().uuidString)")
        do {
            try await run(rig, simClock: simClock, dir: dir, first: first, last: last)
        } catch {
            await rig.stop()
            try? FileManager.default.removeItem(at: dir)
            throw error
        }
        await rig.stop()
        try? FileManager.default.removeItem(at: dir)
    }

    func run(_ rig: DispatchRig, simClock: HeldClock, dir: URL, first: MarketInterval, last: MarketInterval)
        async throws
    {
        try await rig.waitAllOK()
        let store = rig.store
        let profile = try MarketProfileLoader.load(
            file: DaemonFixture.repositoryRoot.appendingPathComponent("MarketProfiles/zhejiang.yaml"))
        // Fabricated history (no daemon ran on those days): every battery drew 2 kW in every interval of
        // D-14 … D-1, i.e. an aggregate baseline of −20 kW, written through the store's roll-up path.
        var history: [TelemetrySample] = []
        for d in 1...14 {
            for k in day.adding(days: -d).intervals() {
                for dev in rig.sim.descriptors {
                    history.append(
                        TelemetrySample(device: dev.id, at: k.start().addingTimeInterval(450), powerKW: -2))
                }
            }
        }
        try await store.telemetry.record(history)

        // The daemon's wiring (VPPDaemon): the DR service's obligations bound the bid and drive dispatch.
        let marketNow = Mutex<Date?>(day.adding(days: -2).start().addingTimeInterval(9 * 3600))
        let now: @Sendable () -> Date = { marketNow.withLock { $0 } ?? simClock.now() }
        let fleet = FleetHandle(state: rig.fleet)
        let dr = try DemandResponseService(
            store: store, fleet: fleet, stateDirectory: dir, profile: profile, now: now)
        let bids = try BidService(
            store: store, fleet: fleet, profile: .success(profile), stateDirectory: dir, now: now)
        await bids.setObligationProvider { d in try await dr.bidBounds(day: d) }
        let drTerms = Mutex<[(at: Date, kW: Double)]>([])
        await rig.loop.setDemandResponse { at in
            let kW = await dr.dispatchAdjustmentKW(at: at)
            drTerms.withLock { $0.append((at, kW)) }
            return kW
        }

        // D-2: invitation (peak shaving, 0.1 MW in 3 intervals) → offer from the polled Modbus fleet → award.
        let actor = DemandResponseService.Actor(name: "t", role: "trader", source: "test")
        let deadline = day.adding(days: -2).start().addingTimeInterval(10 * 3600).formatted(.iso8601)
        let invitation = """
            {"id": "cycle-1", "direction": "peakShaving", "timing": "dayAhead", "day": "\(day)",
             "priceCapYuanPerMWh": 1200, "deadline": "\(deadline)",
             "intervals": [\(invoked.map { #"{"index": \#($0), "requestedMW": 0.1}"# }.joined(separator: ","))]}
            """
        try await dr.receiveInvitation(Data(invitation.utf8), by: actor)
        let (offer, _) = try await dr.makeOffer(eventID: "cycle-1", by: actor)
        #expect(offer.intervals.allSatisfy { $0.offeredMW > 0 && $0.offeredMW <= $0.capabilityMW + 1e-9 })
        let award =
            #"{"eventID": "cycle-1", "day": "\#(day)", "intervals": ["#
            + offer.intervals.map {
                #"{"index": \#($0.index), "awardedMW": \#($0.offeredMW), "priceYuanPerMWh": 1000}"#
            }
            .joined(separator: ",") + "]}"
        try await dr.receiveAward(Data(award.utf8), by: actor)
        #expect(try await dr.obligations(day: day).obligations.count == invoked.count)

        // D-1 (before gate closure): the bid honours every obligation; submitted; a uniform-price clearing of its
        // own curves at the forecast prices (so consistent with it) becomes the schedule.
        marketNow.withLock { $0 = day.adding(days: -1).start().addingTimeInterval(8 * 3600) }
        let bounds = try await dr.bidBounds(day: day)
        #expect(bounds.keys.sorted() == invoked)
        let prices = (1...96).map { i in (70...84).contains(i) ? 600.0 : 350.0 }
        let trader = Principal(name: "t", role: .trader)
        let built = try await bids.build(.init(day: day, pricesYuanPerMWh: prices), by: trader, from: "test")
        for k in invoked {
            let i = try #require(built.bid.intervals.first { $0.index == k })
            let b = try #require(bounds[k])
            #expect(i.obligation == b, "interval \(k)")
            let lo = try #require(b.minMW)
            let hi = try #require(b.maxMW)
            let quantities = [i.baseMW] + i.segments.map(\.netMW)
            #expect(quantities.allSatisfy { $0 >= lo - 1e-6 && $0 <= hi + 1e-6 }, "interval \(k): \(quantities)")
        }
        let version = built.bid.version
        _ = try await bids.submit(day: day, version: version, by: trader, from: "test")
        let cleared = built.bid.intervals.sorted { $0.index < $1.index }.map(\.curve).cleared(against: prices)
        let clearing = ClearingDocument(
            marketDay: day, bidVersion: version,
            intervals: cleared.indices.map { .init(index: $0 + 1, clearedQuantity: cleared[$0], price: prices[$0]) })
        _ = try await bids.acceptClearing(
            try clearing.jsonData(), origin: .init(source: "test", actor: "t", role: "trader", address: "test"))
        let schedule = try #require(try await store.schedules.get(day: day))
        #expect(zip(schedule.targetsKW, cleared).allSatisfy { abs($0 - $1 * 1000) < 1e-6 })

        // D: the devices' clock runs (× speed) from 3 minutes before the first invoked interval; the loop
        // executes the schedule + DR term on the Modbus devices. Each device's energy counters are sampled.
        marketNow.withLock { $0 = nil }
        var samples: [DeviceID: [(at: Date, kWh: Double)]] = [:]
        simClock.release()
        try await rig.run(seconds: (last.end().timeIntervalSince(simClock.now()) + 20) / speed, periodS: 0.1) { _, _ in
            for d in rig.sim.devices {
                let s = d.status()
                samples[s.id, default: []].append((s.at, s.energyExportedKWh - s.energyImportedKWh))
            }
        }
        // The loop asked for the DR term throughout the invoked intervals; the schedule honours the bound, so the
        // term (the shortfall below the bound) stays 0 there.
        let terms = drTerms.withLock { $0 }
        for k in invoked {
            let interval = MarketInterval(day: day, index: k)!
            #expect(terms.contains { $0.at > interval.start() && $0.at < interval.end() }, "no DR term asked in \(k)")
        }
        #expect(terms.allSatisfy { abs($0.kW) < 1e-6 })

        // The daemon writes no telemetry roll-ups of its own yet (nothing in Sources calls
        // `store.telemetry.record`): D's roll-ups of the invoked intervals are computed here from the simulator's
        // energy counters (average power = interval energy × 4) and written through the same store path.
        var dayRollups: [TelemetrySample] = []
        for k in invoked {
            let interval = MarketInterval(day: day, index: k)!
            for (id, series) in samples {
                let e0 = try #require(Self.energy(series, at: interval.start()), "\(id) \(k)")
                let e1 = try #require(Self.energy(series, at: interval.end()), "\(id) \(k)")
                let kWh = e1 - e0
                dayRollups.append(
                    TelemetrySample(
                        device: id, at: interval.start().addingTimeInterval(450), powerKW: kWh * 4,
                        energyInKWh: max(0, -kWh), energyOutKWh: max(0, kWh)))
            }
        }
        try await store.telemetry.record(dayRollups)

        // After D: settle from the store (roll-ups, the DR event, tracking records, clearing).
        await rig.loop.flushRecords()
        let after = last.end().addingTimeInterval(3600)
        marketNow.withLock { $0 = after }
        let settlements = SettlementService(store: store, profile: profile, devices: rig.sim.descriptors)
        let s = try await settlements.settle(day: day, actor: "t", role: "trader", now: after).settlement
        let e = try #require(s.drEvents.first { $0.id == "cycle-1" })
        #expect(e.intervals.map(\.index) == invoked)
        let tracking = try await store.tracking.list(day: day)
        for i in e.intervals {
            let measured = try #require(i.measuredMW)
            let rate = (measured - i.baselineMW) / i.awardedMW * 100
            #expect(abs(i.baselineMW + 0.02) < 1e-9, "interval \(i.index) baseline \(i.baselineMW)")
            #expect(abs(rate - (i.ratePercent ?? .nan)) < 1e-6)
            #expect(rate >= 80 && rate <= 120, "interval \(i.index): \(rate) %")
            // vppd's own measurement (polled over Modbus, the loop's tracking record) agrees with the counters.
            let t = try #require(tracking.first { $0.interval.index == i.index }, "no tracking for \(i.index)")
            #expect(abs(t.record.deliveredKWh / 250 - measured) <= 0.02 * i.awardedMW, "interval \(i.index)")
        }
        if ProcessInfo.processInfo.environment["DR_CYCLE_TRACE"] != nil {
            print("cleared MW", invoked.map { cleared[$0 - 1] }, "bounds", invoked.map { bounds[$0]! })
            print("rates %", e.intervals.map { $0.ratePercent ?? .nan }, "bands", e.intervals.map(\.band))
            print(
                "aggregate fen", s.aggregateFen, "DR", e.netFen, "spot", s.spot?.netFen ?? 0, "owners",
                ownersFenTrace(s))
        }
        #expect(e.netFen == e.intervals.reduce(0) { $0 + $1.netFen } && e.netFen > 0)
        let ownersFen = s.owners.reduce(0) { $0 + $1.totalFen }
        #expect(ownersFen + s.aggregatorFen + s.unallocatedFen == s.aggregateFen)
        #expect(s.owners.count == 3)
        for o in s.owners {
            #expect(o.lines.reduce(0) { $0 + $1.amountFen } == o.totalFen)
            let statement = try await settlements.statement(owner: o.owner, period: day.description)
            #expect(statement.totalFen == o.totalFen)
        }
        let event = try #require(try await dr.event("cycle-1"))
        #expect(event.status == .settled)
        #expect(event.history.map(\.status) == [.invited, .offered, .cleared, .executed, .settled])
    }

    func ownersFenTrace(_ s: DaySettlement) -> [String] { s.owners.map { "\($0.owner): \($0.totalFen)" } }

    /// Net exported energy (kWh) of one device's counter samples at `t`, linearly interpolated.
    static func energy(_ s: [(at: Date, kWh: Double)], at t: Date) -> Double? {
        guard let j = s.firstIndex(where: { $0.at >= t }), j > 0 else { return nil }
        let (a, b) = (s[j - 1], s[j])
        let f = b.at > a.at ? t.timeIntervalSince(a.at) / b.at.timeIntervalSince(a.at) : 0
        return a.kWh + (b.kWh - a.kWh) * f
    }
}

/// Simulation time held at `at` until `release()`, then running at `speed` × real time: the devices idle at D
/// while the D-2 and D-1 steps take their wall time, then D runs on the fast clock.
final class HeldClock: SimulationClock {
    private let state: Mutex<(at: Date, since: ContinuousClock.Instant?)>
    let speed: Double

    init(at: Date, speed: Double) {
        state = Mutex((at, nil))
        self.speed = speed
    }

    func now() -> Date {
        state.withLock { s in
            guard let since = s.since else { return s.at }
            let d = ContinuousClock.now - since
            let seconds = Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
            return s.at.addingTimeInterval(seconds * speed)
        }
    }

    func release() { state.withLock { if $0.since == nil { $0.since = .now } } }
}
