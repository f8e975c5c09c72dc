import Daemon
import DeviceIO
import DispatchControl
import Fleet
import Foundation
import Market
import Simulator
import VPPCore

/// One D-2 → D demand-response cycle on a simulated fleet and a fast simulated clock (issue 7 §6, `vppbench dr`).
///
/// **What runs.** The fleet is `Simulator` device physics (storage and PV; `StoragePhysics`, `PVPhysics`) stepped
/// in process on simulated time: 900 s steps, 30 s steps with closed-loop control from one interval before the
/// event to one after it. Control is the dispatch core `DispatchControl.DispatchCycle` (allocation, limits,
/// corrector, setpoint planning) fed `FleetState` snapshots from the physics' telemetry; its writes are applied to
/// the physics directly (no Modbus transport, no revert timers: the simulated controller never dies). Market and
/// DR steps are the project's own modules: `DRFleetResources` + `DROfferEstimator` on D-2, `DREvent` for the
/// workflow, `BidPlanner` (with the obligation as net-injection bounds) and a uniform-price clearing of its
/// curves on D-1, `DRObligationProfile.dispatchAdjustmentKW` on D, `BaselineCalculator`, `DREventSettlement` and
/// `DaySettlement.allocate` after D. Not covered here: the daemon's HTTP/inbox edge (DRDaemonTests), Modbus
/// transport and the DispatchLoop actor (dispatch issue), spot settlement from tracking records.
struct DRCycle {
    struct Result {
        var event: DREvent
        var settlement: DaySettlement
        var drSettlement: DREventSettlement
        var offeredMW: [Double]
        var requestedMW: Double
        var bidHonoursObligation: Bool
        var phases: [(String, Double)]
    }

    let day = MarketDay(year: 2026, month: 7, day: 14)!
    let tz = MarketDay.defaultTimeZone
    let eventIntervals = Array(73...76)  // 18:00–19:00
    let profile: MarketProfile
    var descriptors: [DeviceDescriptor] = []
    var physics: [DevicePhysics] = []
    let fleet: FleetState
    /// Average net power per device, interval and day, kW.
    var metered: [DeviceID: [MarketDay: [Double?]]] = [:]
    var counters: [Double] = []
    var now: Date

    init(devices n: Int, seed: UInt64, profile: MarketProfile) {
        self.profile = profile
        var rng = SeededRandom(seed: seed)
        let start = day.adding(days: -8).start(timeZone: tz)
        now = start
        for i in 0..<n {
            let id = DeviceID(String(format: "dev-%05d", i))
            let site = SiteID("site-\(i / 4)")
            let owner = OwnerID("owner-\(i / 2)")
            if i % 10 < 7 {
                let kW = rng.uniform(20...100).rounded()
                descriptors.append(
                    DeviceDescriptor(
                        id: id, profile: "sim-storage", kind: .storage, site: site, owner: owner, ratedPowerKW: kW,
                        ratedEnergyKWh: 2 * kW, address: .mqtt(topicBase: "sim/\(id)")))
                physics.append(
                    DevicePhysics(
                        kind: .storage,
                        StoragePhysics(
                            parameters: .init(ratedKW: kW, capacityKWh: 2 * kW), start: start,
                            socPercent: rng.uniform(55...85))))
            } else {
                let kW = rng.uniform(10...100).rounded()
                descriptors.append(
                    DeviceDescriptor(
                        id: id, profile: "sim-pv", kind: .pv, site: site, owner: owner, ratedPowerKW: kW,
                        address: .mqtt(topicBase: "sim/\(id)")))
                physics.append(
                    DevicePhysics(
                        kind: .pv,
                        PVPhysics(
                            parameters: .init(ratedKW: kW, seed: seed, key: SeededNoise.key(site.rawValue)),
                            start: start)))
            }
        }
        fleet = FleetState(devices: descriptors)
        counters = physics.map(Self.netCounterKWh)
    }

    static func netCounterKWh(_ p: DevicePhysics) -> Double {
        let t = p.telemetry()
        return (t[.energyExportedKWh] ?? 0) - (t[.energyImportedKWh] ?? 0)
    }

    /// Pushes every device's telemetry at `now` into the fleet state.
    func ingest() {
        for (d, p) in zip(descriptors, physics) { fleet.ingest(d.id, values: p.telemetry().dictionary, at: now) }
    }

    /// Advances the physics to `t` in steps of `step` seconds, running `control` before each step, and meters
    /// every completed interval.
    mutating func run(to t: Date, step: (Date) -> TimeInterval, control: ((inout DRCycle) -> Void)? = nil) {
        while now < t {
            control?(&self)
            let next = min(t, now.addingTimeInterval(step(now)))
            for i in physics.indices { physics[i].advance(to: next) }
            let boundary = next.timeIntervalSince1970.truncatingRemainder(dividingBy: 900) == 0
            if boundary {
                let interval = MarketInterval(containing: next.addingTimeInterval(-1), timeZone: tz)
                for i in physics.indices {
                    let c = Self.netCounterKWh(physics[i])
                    metered[descriptors[i].id, default: [:]][
                        interval.day, default: [Double?](repeating: nil, count: 96)][interval.index - 1] =
                        (c - counters[i]) / 0.25
                    counters[i] = c
                }
            }
            now = next
        }
    }

    func meteredDays(_ id: DeviceID) -> [MeteredDay] {
        (metered[id] ?? [:]).map { MeteredDay(day: $0.key, kW: $0.value) }
    }

    /// The aggregate baseline of `day` from the complete days metered so far (the profile's rules).
    func aggregateBaseline() throws -> Baseline {
        let ids = descriptors.map(\.id)
        let days = Set(ids.flatMap { (metered[$0] ?? [:]).keys })
        let history = days.map { d in
            MeteredDay.sum(ids.map { id in MeteredDay(day: d, kW: metered[id]?[d] ?? []) }, day: d)
        }
        let rules = profile.demandResponse.baseline
        return try BaselineCalculator(rules: rules, calendar: rules.calendar()).baseline(
            resource: "aggregate", day: day,
            history: history.map { d in
                var m = d
                if m.kW.count != 96 { m.kW = [Double?](repeating: nil, count: 96) }
                return m
            }, controlStartIndex: eventIntervals.first)
    }

    mutating func cycle() throws -> Result {
        var phases: [(String, Double)] = []
        var mark = ContinuousClock.now
        func phase(_ name: String) {
            phases.append((name, (ContinuousClock.now - mark).seconds))
            mark = ContinuousClock.now
        }
        // D-8 … D-2 09:00: history (no DR), then the invitation and the offer.
        run(to: day.adding(days: -2).start(timeZone: tz).addingTimeInterval(9 * 3600), step: { _ in 900 })
        phase("history D-8 to D-2")
        let storageMW = descriptors.filter { $0.kind == .storage }.reduce(0) { $0 + $1.ratedPowerKW } / 1000
        let requested = (storageMW * 0.25 * 10).rounded() / 10
        let invitation = DRInvitation(
            id: "e2e-\(day)", product: DRProduct(direction: .peakShaving, timing: .dayAhead), day: day,
            intervals: eventIntervals.map { DRInvitation.Interval(index: $0, requestedMW: requested) },
            pricing: .cap(yuanPerMWh: 1200), deadline: now.addingTimeInterval(3600))
        try invitation.validate(timeZone: tz)
        var event = DREvent(invitation: invitation, receivedAt: now)
        ingest()
        let (resources, start) = DRFleetResources.build(
            snapshots: Array(fleet.snapshotAll().values), day: day, now: now, timeZone: tz)
        let offer = try event.recordOffer(
            DROfferEstimator().offer(invitation, resources: resources, start: start, now: now), now: now)
        // The grid awards everything offered at its cap.
        let award = DRAward(
            eventID: event.id, day: day, offerVersion: offer.version,
            intervals: offer.intervals.map {
                DRAward.Interval(index: $0.index, awardedMW: $0.offeredMW, priceYuanPerMWh: 1200)
            })
        try event.recordAward(award, now: now.addingTimeInterval(1800))
        phase("D-2 offer and award")

        // D-1 09:00: the day-ahead bid with the obligation as bounds, cleared at the day's prices.
        run(to: day.adding(days: -1).start(timeZone: tz).addingTimeInterval(9 * 3600), step: { _ in 900 })
        let obligations = DRObligationProfile(day: day, obligations: event.obligations)
        let bidBaseline = try aggregateBaseline()
        let bounds = obligations.netInjectionBoundsMW(
            baselineKW: bidBaseline.kW, upperRatio: DRObligationProfile.paidUpperRatio(profile.demandResponse),
            timeZone: tz)
        ingest()
        let snaps = fleet.snapshotAll()
        let planning = descriptors.map { d -> PlanningResource in
            var r = PlanningResource(descriptor: d)
            r.socPercent = snaps[d.id]?.value(.socPercent)
            if d.kind == .pv {
                let days = meteredDays(d.id).filter(\.isComplete)
                r.pvForecastKW = (0..<96).map { k in
                    days.reduce(0) { $0 + ($1.kW[k] ?? 0) } / Double(max(1, days.count))
                }
            }
            return r
        }
        let prices = SyntheticPrices(seed: 11, profile: profile).prices(for: day)
        var input = BidPlanningInput(
            day: day, profile: profile, resources: planning, prices: PriceForecast(day: day, expectedYuanPerMWh: prices)
        )
        input.netInjectionMinMW = bounds.min
        input.netInjectionMaxMW = bounds.max
        let plan = try BidPlanner.plan(input)
        let scheduleKW = zip(plan.curves, prices).map { $0.netMW(atPrice: $1) * 1000 }
        let honours = eventIntervals.allSatisfy { k in
            scheduleKW[k - 1] / 1000 >= (bounds.min[k - 1] ?? -.infinity) - profile.bid.quantityTickMW - 1e-9
        }
        phase("D-1 bid")

        // D: execution. The settlement baseline (with D-1 now complete) drives the DR term.
        run(to: day.start(timeZone: tz), step: { _ in 900 })
        let baseline = try aggregateBaseline()
        var dispatch = DispatchCycle(corrector: AggregateCorrector(maxCorrectionKW: storageMW * 100))
        let info = Dictionary(
            uniqueKeysWithValues: descriptors.map {
                (
                    $0.id,
                    DispatchCycle.DeviceProfileInfo(
                        controls: [$0.kind == .pv ? .activePowerLimitPercent : .activePowerSetpointKW], timing: DeviceTiming()
                    )
                )
            })
        let fine = (eventIntervals.first! - 2) * 900...(eventIntervals.last! + 1) * 900
        let dayStart = day.start(timeZone: tz)
        run(
            to: day.end(timeZone: tz),
            step: { t in fine.contains(Int(t.timeIntervalSince(dayStart))) ? 30 : 900 },
            control: { sim in
                sim.ingest()
                let k = MarketInterval(containing: sim.now, timeZone: sim.tz).index
                let dr = obligations.dispatchAdjustmentKW(
                    at: sim.now, scheduleKW: scheduleKW[k - 1], baselineKW: baseline.kW, timeZone: sim.tz)
                let out = dispatch.step(
                    .init(
                        now: sim.now, snapshots: sim.descriptors.compactMap { sim.fleet.snapshot($0.id) },
                        profiles: info,
                        commands: [], marketKW: scheduleKW[k - 1], demandResponseKW: dr,
                        merit: MeritModel(priceYuanPerMWh: prices[k - 1])))
                let index = Dictionary(uniqueKeysWithValues: sim.descriptors.enumerated().map { ($1.id, $0) })
                for w in out.plan.writes {
                    guard let i = index[w.device] else { continue }
                    let command: SimCommand =
                        w.point == .activePowerLimitPercent
                        ? .limitPercent(w.value, revertS: nil) : .setpointKW(w.value, revertS: nil)
                    sim.physics[i].apply(command, at: sim.now)
                    dispatch.confirm(w, at: sim.now, reactionTimeMs: 1000)
                }
            })
        _ = event.markExecuted(now: now, timeZone: tz)
        phase("D execution")

        // After D: settlement of the event and allocation to every owner.
        let rules = profile.demandResponse.baseline
        let calc = BaselineCalculator(rules: rules, calendar: rules.calendar())
        let inputs = descriptors.map { d -> ResourceResponseInput in
            let days = meteredDays(d.id)
            let measured =
                days.first { $0.day == day } ?? MeteredDay(day: day, kW: [Double?](repeating: nil, count: 96))
            do {
                let b = try calc.baseline(
                    resource: d.id.rawValue, day: day, history: days, controlStartIndex: eventIntervals.first)
                return ResourceResponseInput(resource: d.id.rawValue, baseline: b, measured: measured)
            } catch {
                return ResourceResponseInput(
                    resource: d.id.rawValue, baseline: nil, problem: "\(error)", measured: measured)
            }
        }
        guard let settlementEvent = event.settlementEvent else {
            throw DRError.workflow(event: event.id, status: event.status, action: "settle", reason: "no award")
        }
        let s = try DREventSettlement.settle(
            settlementEvent, rules: profile.demandResponse, aggregateBaseline: baseline,
            measured: ResourceResponseInput.measuredAggregate(inputs, day: day), resources: inputs, timeZone: tz)
        let settlement = DaySettlement.allocate(
            day: day, profile: profile.id, settledAt: now, drEvents: [s], spot: nil,
            ownerOf: Dictionary(uniqueKeysWithValues: descriptors.map { ($0.id.rawValue, $0.owner) }))
        try event.markSettled(now: now, note: "aggregate \(Fen.yuanText(settlement.aggregateFen)) yuan")
        phase("settlement")
        return Result(
            event: event, settlement: settlement, drSettlement: s, offeredMW: offer.intervals.map(\.offeredMW),
            requestedMW: requested, bidHonoursObligation: honours, phases: phases)
    }
}
