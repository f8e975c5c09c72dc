import Foundation
import Market
import VPPCore

/// `vppbench dr` (issue 7): an end-to-end D-2 → D demand-response cycle of a simulated fleet on a fast simulated
/// clock (`DRCycle`): invitation, offer, award, D-1 bid with the obligation, D execution, settlement to every
/// owner. Figures: wall time (target ≤ 10 s for 1,000 resources), per-interval response rate (target: every
/// invoked interval in the 80–120 % band), whether the owners' amounts add up to the aggregate to the fen.
/// With `--out DIR` it writes `event.json`, `settlement.json`, `statement-<owner>.csv` (first owner) for checks.
struct DRSuite {
    var devices = 1000
    var seed: UInt64 = 7
    var marketProfiles: URL
    var out: URL?

    func run() throws -> Report {
        var report = Report(suite: "dr")
        let profile = try MarketProfileLoader.load(file: marketProfiles.appendingPathComponent("zhejiang.yaml"))
        let started = ContinuousClock.now
        var cycle = DRCycle(devices: devices, seed: seed, profile: profile)
        let r = try cycle.cycle()
        let wall = (ContinuousClock.now - started).seconds
        report.add("end_to_end_wall_time", wall, "s", target: "≤ 10 s (release, 1,000 resources)")
        report.add("resources", Double(devices), "count")
        for (name, seconds) in r.phases {
            let key = name.lowercased().map { $0.isLetter || $0.isNumber ? String($0) : "_" }.joined()
            report.add("phase_" + key, seconds, "s")
        }
        report.add("requested_per_interval", r.requestedMW, "MW")
        report.add("offered_min_interval", r.offeredMW.min() ?? 0, "MW")
        report.add("bid_honours_obligation", r.bidHonoursObligation ? 1 : 0, "bool", target: "1")
        let rates = r.drSettlement.intervals.compactMap(\.ratePercent)
        report.add("response_rate_min", rates.min() ?? 0, "%", target: "≥ 80 %")
        report.add("response_rate_max", rates.max() ?? 0, "%", target: "≤ 120 %")
        report.add(
            "intervals_in_paid_band", Double(rates.filter { $0 >= 80 && $0 <= 120 }.count), "count",
            target: "\(r.drSettlement.intervals.count)")
        let s = r.settlement
        report.add("aggregate", Double(s.aggregateFen) / 100, "yuan")
        report.add("owners", Double(s.owners.count), "count")
        let ownersFen = s.owners.reduce(0) { $0 + $1.totalFen }
        report.add(
            "owners_minus_aggregate", Double(ownersFen + s.aggregatorFen + s.unallocatedFen - s.aggregateFen) / 100,
            "yuan", target: "0.00")
        if let out { try write(r, to: out) }
        return report
    }

    func write(_ r: DRCycle.Result, to dir: URL) throws {
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let e = JSONEncoder()
        e.dateEncodingStrategy = .iso8601
        e.outputFormatting = [.sortedKeys, .prettyPrinted]
        try e.encode(r.event).write(to: dir.appendingPathComponent("event.json"))
        try e.encode(r.settlement).write(to: dir.appendingPathComponent("settlement.json"))
        if let owner = r.settlement.owners.first?.owner {
            let statement = OwnerStatement.build(owner: owner, period: "2026-07", settlements: [r.settlement])
            try Data(statement.csv().utf8).write(to: dir.appendingPathComponent("statement-\(owner).csv"))
        }
    }
}
