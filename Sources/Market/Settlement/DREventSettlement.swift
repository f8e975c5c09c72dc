import Foundation
import VPPCore

/// A settled DR event: the aggregate baseline used, every interval, the totals, and each resource's response
/// per interval (the weights of the allocation to owners).
public struct DREventSettlement: Sendable, Hashable, Codable {
    public var id: String
    public var day: MarketDay
    public var direction: SettlementEvent.Direction
    public var cancellation: SettlementEvent.Cancellation?
    /// The aggregate baseline's method, days and fallback notes (its 96 values are in `intervals`).
    public var baselineMethod: BaselineRules.Method
    public var baselineDays: [MarketDay]
    public var baselineNotes: [String]
    public var intervals: [DRIntervalSettlement]
    public var compensationFen: Int
    public var penaltyFen: Int
    public var netFen: Int
    /// Per resource (device id): its response energy per settled interval, kWh, in the direction asked for
    /// (same order as `intervals`). Resources without a baseline are absent and listed in `unsettledResources`.
    public var responseKWh: [String: [Double]]
    /// Resources left out of the allocation weights, with the reason.
    public var unsettledResources: [String: String]

    /// Settles `event` (validated first) under `rules`, given the aggregate baseline and the day's measured
    /// aggregate, and per-resource baselines and measurements for the allocation weights. `timeZone` places the
    /// cancellation instant against the intervals.
    public static func settle(
        _ event: SettlementEvent, rules: DemandResponseRules, aggregateBaseline: Baseline, measured: MeteredDay,
        resources: [ResourceResponseInput] = [], timeZone: TimeZone = MarketDay.defaultTimeZone
    ) throws(SettlementError) -> DREventSettlement {
        try event.validate()
        let sign: Double = event.direction == .peakShaving ? 1 : -1
        let intervals = event.intervals.sorted { $0.index < $1.index }
        var rows: [DRIntervalSettlement] = []
        for i in intervals {
            let baseKW = aggregateBaseline.value(at: i.index)
            let measKW = measured.value(at: i.index)
            let responseMW = measKW.map { sign * ($0 - baseKW) / 1000 } ?? 0
            var row = DRIntervalSettlement(
                index: i.index, awardedMW: i.awardedMW, priceYuanPerMWh: i.priceYuanPerMWh, invoked: i.invoked,
                baselineMW: baseKW / 1000, measuredMW: measKW.map { $0 / 1000 }, responseMW: responseMW,
                ratePercent: nil, band: .noAward, creditedMWh: 0, compensationFen: 0, penaltyFen: 0, netFen: 0)
            if i.awardedMW > 0 {
                row.ratePercent = ((responseMW / i.awardedMW * 100) * 1e6).rounded() / 1e6
            }
            var cancelled = false
            if let c = event.cancellation, let iv = MarketInterval(day: event.day, index: i.index) {
                cancelled = iv.end(timeZone: timeZone) > c.at
            }
            if i.awardedMW <= 0 {
                row.band = .noAward
            } else if !i.invoked {
                row.band = .notInvoked
            } else if cancelled {
                row.band = .cancelled
                row.creditedMWh = i.awardedMW * 0.25
                row.compensationFen = Fen.from(
                    yuan: row.creditedMWh * i.priceYuanPerMWh * rules.compensationCoefficient)
            } else {
                apply(rules, to: &row)
            }
            row.netFen = row.compensationFen - row.penaltyFen
            rows.append(row)
        }
        var perResource: [String: [Double]] = [:]
        var unsettled: [String: String] = [:]
        for r in resources {
            guard let b = r.baseline else {
                unsettled[r.resource] = r.problem ?? "no baseline"
                continue
            }
            perResource[r.resource] = rows.map { row in
                r.measured.value(at: row.index).map { sign * ($0 - b.value(at: row.index)) * 0.25 } ?? 0
            }
        }
        return DREventSettlement(
            id: event.id, day: event.day, direction: event.direction, cancellation: event.cancellation,
            baselineMethod: aggregateBaseline.method, baselineDays: aggregateBaseline.daysUsed,
            baselineNotes: aggregateBaseline.notes, intervals: rows,
            compensationFen: rows.reduce(0) { $0 + $1.compensationFen },
            penaltyFen: rows.reduce(0) { $0 + $1.penaltyFen }, netFen: rows.reduce(0) { $0 + $1.netFen },
            responseKWh: perResource, unsettledResources: unsettled)
    }

    /// The profile's band for the interval's rate → credited energy, compensation and penalty.
    static func apply(_ rules: DemandResponseRules, to row: inout DRIntervalSettlement) {
        let rate = row.ratePercent ?? 0
        let awardMWh = row.awardedMW * 0.25
        let actualMWh = row.responseMW * 0.25
        let yuanPerMWh = row.priceYuanPerMWh * rules.compensationCoefficient
        var penaltyYuan = 0.0
        switch rules.band(forRatePercent: rate)?.settlement ?? .none {
        case .none:
            row.band = .none
        case .penalised(let factor):
            row.band = .penalised
            row.creditedMWh = actualMWh
            penaltyYuan += actualMWh * (1 - factor) * yuanPerMWh
        case .paid:
            row.band = .paid
            row.creditedMWh = actualMWh
        case .capped:
            row.band = .capped
            let capPercent = rules.bands.last { $0.settlement == .capped }?.fromPercent ?? 100
            row.creditedMWh = awardMWh * capPercent / 100
        }
        if let p = rules.shortfallPenalty, rate < p.belowPercent {
            penaltyYuan += (p.belowPercent / 100 * awardMWh - max(0, actualMWh)) * row.priceYuanPerMWh * p.factor
        }
        row.compensationFen = Fen.from(yuan: row.creditedMWh * yuanPerMWh)
        row.penaltyFen = Fen.from(yuan: max(0, penaltyYuan))
    }
}

/// One resource's inputs to the allocation weights of a DR event: its baseline (nil when none could be
/// computed, with the reason) and its measured day.
public struct ResourceResponseInput: Sendable, Hashable {
    public var resource: String
    public var baseline: Baseline?
    public var problem: String?
    public var measured: MeteredDay

    public init(resource: String, baseline: Baseline?, problem: String? = nil, measured: MeteredDay) {
        self.resource = resource
        self.baseline = baseline
        self.problem = problem
        self.measured = measured
    }
}

extension ResourceResponseInput {
    /// The measured aggregate of `inputs` on `day`: per interval the sum of every resource's measurement, a
    /// resource without one counted at its own baseline (zero response: delivery that was not metered is not
    /// paid, and one silent meter does not void the interval); nil where no resource has a measurement.
    public static func measuredAggregate(_ inputs: [ResourceResponseInput], day: MarketDay) -> MeteredDay {
        let kW: [Double?] = (1...MarketInterval.perDay).map { i in
            guard inputs.contains(where: { $0.measured.value(at: i) != nil }) else { return nil }
            return inputs.reduce(0) { $0 + ($1.measured.value(at: i) ?? $1.baseline?.value(at: i) ?? 0) }
        }
        return MeteredDay(day: day, kW: kW)
    }
}
