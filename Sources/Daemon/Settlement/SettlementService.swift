import Foundation
import Market
import Store
import VPPCore

/// Settles a market day from what the store holds (issue 7 §5) and serves owner statements:
///
/// 1. DR events of the day from `store.drEvents` (the DR workflow's documents, read through
///    `SettlementEvent`); days with an invoked event are DR days, excluded from every baseline.
/// 2. Metered history from the telemetry roll-ups: D and the baseline window (D−`fallbackLookbackDays`…D−1).
/// 3. Per event: a baseline for every device that reported on D and for their aggregate (the market profile's
///    method, holidays from the profile, atypical days from the caller), then `DREventSettlement`.
/// 4. Spot: the tracking records of the day (`store.tracking`) priced at the latest clearing result.
/// 5. Allocation to owners (`DaySettlement.allocate`), saved as the next version in `store.settlements`
///    (durable) with an audit line before the caller is answered.
public struct SettlementService: Sendable {
    public let store: Store
    public let profile: MarketProfile
    /// The configured devices (their owners receive the allocation), read at every run so that a config reload
    /// (SIGHUP) that adds or re-assigns devices is settled with the new owners.
    public var devices: [DeviceDescriptor] { deviceProvider() }
    let deviceProvider: @Sendable () -> [DeviceDescriptor]
    /// Aggregator's share of every amount, percent (default 0: DOMAIN sets none).
    public let aggregatorSharePercent: Double
    /// Spot deviation penalty factor (default 0: deviation reported, not charged; see `SpotIntervalSettlement`).
    public let deviationPenaltyFactor: Double
    /// Admission of settlement runs: one per day at a time, shared with bid builds (see `HeavyWork`).
    public var heavy = HeavyWork()

    /// A service settling a fixed device list.
    public init(
        store: Store, profile: MarketProfile, devices: [DeviceDescriptor], aggregatorSharePercent: Double = 0,
        deviationPenaltyFactor: Double = 0
    ) {
        self.init(
            store: store, profile: profile, deviceProvider: { devices }, aggregatorSharePercent: aggregatorSharePercent,
            deviationPenaltyFactor: deviationPenaltyFactor)
    }

    /// A service reading the current device list from `deviceProvider` at every run (the daemon's live config).
    public init(
        store: Store, profile: MarketProfile, deviceProvider: @escaping @Sendable () -> [DeviceDescriptor],
        aggregatorSharePercent: Double = 0, deviationPenaltyFactor: Double = 0
    ) {
        self.store = store
        self.profile = profile
        self.deviceProvider = deviceProvider
        self.aggregatorSharePercent = aggregatorSharePercent
        self.deviationPenaltyFactor = deviationPenaltyFactor
    }

    /// A stored settlement: its version and content.
    public struct Stored: Sendable {
        public var version: Int
        public var createdAt: Date
        public var source: String
        public var settlement: DaySettlement
    }

    /// Settles `day` and stores the result as a new version; `actor` and `role` go to the audit log.
    public func settle(
        day: MarketDay, atypicalDays: Set<MarketDay> = [], actor: String = "vppd", role: String = "system",
        now: Date = Date()
    ) async throws -> Stored {
        do {
            return try await heavy.run("settlement:\(day)") {
                try await settleAlone(day: day, atypicalDays: atypicalDays, actor: actor, role: role, now: now)
            }
        } catch let busy as HeavyWork.Busy {
            throw ServiceError.busy("busy", "settlement of \(day): \(busy)", retryAfter: 5)
        }
    }

    private func settleAlone(
        day: MarketDay, atypicalDays: Set<MarketDay>, actor: String, role: String, now: Date
    ) async throws -> Stored {
        // Whole seconds: the stored JSON carries ISO 8601 seconds, so what is returned equals what is read back.
        let now = Date(timeIntervalSince1970: now.timeIntervalSince1970.rounded(.down))
        // Today settles provisionally (a later run adds a version); a day that has not begun has nothing to settle.
        guard day.start(timeZone: profile.timeZone) <= now else {
            throw SettlementError.badInput(reason: "day \(day) has not begun; nothing to settle yet")
        }
        let settlement = try await compute(day: day, atypicalDays: atypicalDays, now: now)
        let payload = try SettlementCoding.encode(settlement)
        let audit = AuditEntry(
            at: now, actor: actor, role: role, action: "settlement.run", target: day.description,
            detail: "aggregate \(Fen.yuanText(settlement.aggregateFen)) yuan, \(settlement.drEvents.count) DR events, "
                + "\(settlement.owners.count) owners")
        let version = try await store.settlements.save(
            day: day, payload: payload, source: "\(role):\(actor)", at: now, audit: audit)
        return Stored(version: version, createdAt: now, source: "\(role):\(actor)", settlement: settlement)
    }

    /// The settlement of `day` without storing it.
    public func compute(day: MarketDay, atypicalDays: Set<MarketDay> = [], now: Date = Date()) async throws
        -> DaySettlement
    {
        let tz = profile.timeZone
        let rules = profile.demandResponse.baseline
        let devices = self.devices
        let rows = try await store.drEvents.list()
        let allEvents = rows.compactMap(SettlementCoding.settlementEvent)
        let unreadable = rows.filter { $0.day == day && !SettlementCoding.read($0).readable }.map {
            "DR event '\($0.id)' (status \($0.status)) has a payload settlement cannot read; it is not settled"
        }
        let events = allEvents.filter { $0.day == day }.sorted { $0.id < $1.id }
        let drDays = Set(allEvents.filter { $0.isInvoked && $0.day != day }.map(\.day))
        let ownerOf = Dictionary(devices.map { ($0.id.rawValue, $0.owner) }, uniquingKeysWith: { a, _ in a })

        var drResults: [DREventSettlement] = []
        if !events.isEmpty {
            let calc = BaselineCalculator(
                rules: rules, calendar: rules.calendar(atypicalDays: atypicalDays), drDays: drDays)
            // Most days need only the normal window; the wider fallback window is read only when a baseline came
            // up short in it (the telemetry read dominates the cost of settling a large fleet).
            var history = try await SettlementHistory.load(
                store: store, devices: devices.map(\.id), from: day.adding(days: -rules.lookbackDays), through: day,
                timeZone: tz)
            var pass = try? settle(events, day: day, history: history, calc: calc)
            if pass == nil || pass?.short == true, rules.fallbackLookbackDays > rules.lookbackDays {
                history = try await SettlementHistory.load(
                    store: store, devices: devices.map(\.id), from: day.adding(days: -rules.fallbackLookbackDays),
                    through: day, timeZone: tz)
                pass = nil
            }
            drResults = try pass?.results ?? settle(events, day: day, history: history, calc: calc).results
        }

        let (spot, contributions, notes) = try await spotSettlement(day: day)
        var s = DaySettlement.allocate(
            day: day, profile: profile.id, settledAt: now, drEvents: drResults, spot: spot,
            spotContributionsKWh: contributions, ownerOf: ownerOf, aggregatorSharePercent: aggregatorSharePercent)
        s.notes = unreadable + notes
        return s
    }

    /// Settles every event from `history`; `short` when some baseline (aggregate or device) averaged fewer than
    /// the profile's days or could not be computed, i.e. a wider history window might change the result.
    func settle(_ events: [SettlementEvent], day: MarketDay, history: SettlementHistory, calc: BaselineCalculator)
        throws -> (results: [DREventSettlement], short: Bool)
    {
        let participants = history.participants(on: day)
        let wanted = calc.rules.method == .preControl ? 0 : calc.rules.days
        var short = false
        var results: [DREventSettlement] = []
        for event in events {
            try event.validate()
            let start = event.firstControlIndex
            let resources = participants.map { id -> ResourceResponseInput in
                let measured = history.day(id, day)
                do {
                    let b = try calc.baseline(
                        resource: id, day: day, history: Array(history.days[id, default: [:]].values),
                        controlStartIndex: start)
                    return ResourceResponseInput(resource: id, baseline: b, measured: measured)
                } catch {
                    return ResourceResponseInput(resource: id, baseline: nil, problem: "\(error)", measured: measured)
                }
            }
            let aggregateBaseline = try calc.baseline(
                resource: "aggregate", day: day, history: history.aggregate(participants), controlStartIndex: start)
            short =
                short || aggregateBaseline.daysUsed.count < wanted
                || resources.contains { ($0.baseline?.daysUsed.count ?? -1) < wanted }
            results.append(
                try DREventSettlement.settle(
                    event, rules: profile.demandResponse, aggregateBaseline: aggregateBaseline,
                    measured: ResourceResponseInput.measuredAggregate(resources, day: day), resources: resources,
                    timeZone: history.timeZone))
        }
        return (results, short)
    }

    /// Spot settlement from the tracking records priced at the latest clearing result (nil without records).
    func spotSettlement(day: MarketDay) async throws -> (SpotDaySettlement?, [Int: [String: Double]], [String]) {
        let tracking = try await store.tracking.list(day: day)
        guard !tracking.isEmpty else { return (nil, [:], ["no tracking records: no spot settlement"]) }
        var notes: [String] = []
        var prices: [Int: Double] = [:]
        if let doc = try await store.clearingResults.get(day: day),
            let clearing = try? ClearingDocument(json: doc.payload, labelling: profile.intervalLabelling)
        {
            for i in clearing.intervals { if let p = i.price { prices[i.index] = p } }
        } else {
            notes.append("no readable clearing result for \(day): spot intervals priced at 0 yuan/MWh")
        }
        var inputs: [SpotIntervalInput] = []
        var contributions: [Int: [String: Double]] = [:]
        for t in tracking {
            let index = t.interval.index
            inputs.append(
                SpotIntervalInput(
                    index: index, clearedMWh: t.record.clearedKWh / 1000, executedMWh: t.record.deliveredKWh / 1000,
                    dayAheadPriceYuanPerMWh: prices[index] ?? 0, tolerancePercent: t.record.tolerancePercent))
            contributions[index] = Dictionary(
                t.contributionsKWh.map { ($0.key.rawValue, $0.value) }, uniquingKeysWith: +)
        }
        return (
            try SpotDaySettlement.settle(inputs, deviationPenaltyFactor: deviationPenaltyFactor), contributions, notes
        )
    }

    /// The latest stored settlement of `day`, nil when the day was never settled.
    public func latest(day: MarketDay) async throws -> Stored? {
        guard let doc = try await store.settlements.get(day: day) else { return nil }
        return Stored(
            version: doc.version, createdAt: doc.createdAt, source: doc.source,
            settlement: try SettlementCoding.decodeSettlement(doc.payload))
    }

    /// `owner`'s statement for a month `YYYY-MM` or a day `YYYY-MM-DD`, from the latest settlement of each
    /// settled day in it.
    public func statement(owner: OwnerID, period: String) async throws -> OwnerStatement {
        guard let days = OwnerStatement.days(ofPeriod: period) else {
            throw SettlementError.badInput(reason: "period: '\(period)' is not a month YYYY-MM or a day YYYY-MM-DD")
        }
        var settled: [DaySettlement] = []
        for d in days { if let s = try await latest(day: d) { settled.append(s.settlement) } }
        return OwnerStatement.build(owner: owner, period: period, settlements: settled)
    }

    /// True when `owner` owns a configured device or appears in a stored settlement of the month.
    public func knows(owner: OwnerID) -> Bool { devices.contains { $0.owner == owner } }
}
