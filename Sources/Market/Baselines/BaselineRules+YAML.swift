import StrictYAML
import VPPCore
import Yams

/// Reading the settlement parts of a profile's `demandResponse` mapping (schema in `MarketProfiles/README.md`):
/// `baseline`, `compensationCoefficient` and `shortfallPenalty`, all optional with the documented defaults.
extension MarketProfileLoader {
    static let demandResponseKeys = ["bands", "baseline", "compensationCoefficient", "shortfallPenalty"]
    static let baselineKeys = [
        "method", "days", "poolDays", "firstOffsetDays", "lookbackDays", "fallbackLookbackDays", "minDays",
        "holidays", "workdays",
    ]

    /// `demandResponse` with its settlement keys, given the already-parsed `bands`.
    static func demandResponseSettlement(_ m: YAMLReader.Mapping, bands: [DemandResponseRules.Band])
        throws(YAMLReadError) -> DemandResponseRules
    {
        let baseline =
            m["baseline"] == nil ? BaselineRules.default : try baselineRules(try m.required("baseline").mapping())
        let coefficient = try m.double("compensationCoefficient") ?? 1
        guard coefficient > 0 else {
            throw m.error("compensationCoefficient", "must be > 0, got \(coefficient)")
        }
        var penalty: DemandResponseRules.ShortfallPenalty?
        if m["shortfallPenalty"] != nil {
            let p = try m.required("shortfallPenalty").mapping()
            try p.checkKeys(["belowPercent", "factor"])
            let below = try p.double("belowPercent", required: true) ?? 0
            let factor = try p.double("factor", required: true) ?? 0
            guard below > 0 && below <= 100 else { throw p.error("belowPercent", "must be in (0, 100], got \(below)") }
            guard factor > 0 else { throw p.error("factor", "must be > 0, got \(factor)") }
            penalty = .init(belowPercent: below, factor: factor)
        }
        return DemandResponseRules(
            bands: bands, baseline: baseline, compensationCoefficient: coefficient, shortfallPenalty: penalty)
    }

    static func baselineRules(_ m: YAMLReader.Mapping) throws(YAMLReadError) -> BaselineRules {
        try m.checkKeys(baselineKeys)
        let method = try m.choice("method", BaselineRules.Method.self) ?? .similarDays
        // Day counts are bounded to a year: they drive loops over past days and date arithmetic, where a huge
        // value would run for ever or overflow.
        func int(_ key: String) throws(YAMLReadError) -> Int? {
            guard m[key] != nil else { return nil }
            let v = try m.required(key).int()
            guard (-366...366).contains(v) else { throw m.error(key, "must be within ±366 days, got \(v)") }
            return v
        }
        func days(_ key: String) throws(YAMLReadError) -> [MarketDay] {
            guard m[key] != nil else { return [] }
            var out: [MarketDay] = []
            for (i, node) in try m.required(key).sequence().enumerated() {
                guard let text = node.text, let d = MarketDay(text) else {
                    throw m.error(key, "entry \(i + 1) '\(node.text ?? "?")' is not a date YYYY-MM-DD")
                }
                out.append(d)
            }
            return out
        }
        let d = BaselineRules.default
        let count = try int("days") ?? d.days
        let first = try int("firstOffsetDays") ?? d.firstOffsetDays
        let lookback = try int("lookbackDays") ?? d.lookbackDays
        let fallback = try int("fallbackLookbackDays") ?? d.fallbackLookbackDays
        let minimum = try int("minDays") ?? min(d.minDays, count)
        let rules = BaselineRules(
            method: method, days: count, poolDays: try int("poolDays"), firstOffsetDays: first,
            lookbackDays: lookback, fallbackLookbackDays: fallback, minDays: minimum,
            holidays: try days("holidays"), workdays: try days("workdays"))
        if let (key, reason) = rules.problem() { throw m.error(key, reason) }
        return rules
    }
}
