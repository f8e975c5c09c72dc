import Foundation
import StrictYAML
import VPPCore
import Yams

/// Reads `MarketProfiles/*.yaml` into `MarketProfile` values and validates them (schema in
/// `MarketProfiles/README.md`). Every problem is a `MarketError.badProfile(file:key:reason:)` naming the file,
/// the dotted key path and the line.
public enum MarketProfileLoader {
    static let topKeys = [
        "name", "timeZone", "intervalsPerDay", "intervalLabelling", "price", "bid",
        "deviationTolerancePercent", "demandResponse", "clearingRule",
    ]
    static let priceKeys = ["floorYuanPerMWh", "capYuanPerMWh", "tickYuanPerMWh"]
    static let bidKeys = ["maxSegments", "minSegmentMW", "quantityTickMW", "gateClosure"]
    static let bandKeys = ["fromPercent", "settlement", "paymentFactor"]
    static let settlementNames = ["none", "penalised", "paid", "capped"]

    /// Loads one file; the profile id is the file name without extension.
    public static func load(file url: URL) throws(MarketError) -> MarketProfile {
        let name = url.lastPathComponent
        let text: String
        do {
            text = try String(contentsOf: url, encoding: .utf8)
        } catch {
            throw .badProfile(
                file: name, key: nil, reason: "cannot read file: \(error.localizedDescription)")
        }
        return try parse(yaml: text, id: url.deletingPathExtension().lastPathComponent, file: name)
    }

    /// Loads every `*.yaml` of a directory, keyed by id. Fails on the first bad file in name order.
    public static func loadDirectory(_ url: URL) throws(MarketError) -> [String: MarketProfile] {
        let files: [URL]
        do {
            files = try FileManager.default.contentsOfDirectory(
                at: url.resolvingSymlinksInPath(), includingPropertiesForKeys: nil
            )
            .filter { ["yaml", "yml"].contains($0.pathExtension.lowercased()) }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
        } catch {
            throw .badProfile(
                file: url.path, key: nil, reason: "cannot list directory: \(error.localizedDescription)")
        }
        guard !files.isEmpty else {
            throw .badProfile(
                file: url.path, key: nil, reason: "no *.yaml market profiles in this directory")
        }
        var out: [String: MarketProfile] = [:]
        for f in files {
            let p = try load(file: f)
            guard out[p.id] == nil else {
                throw .badProfile(
                    file: f.lastPathComponent, key: nil, reason: "profile id '\(p.id)' is defined twice")
            }
            out[p.id] = p
        }
        return out
    }

    /// Parses and validates a profile from YAML text; `file` is the name errors carry.
    public static func parse(yaml: String, id: String, file: String) throws(MarketError)
        -> MarketProfile
    {
        let root: Node?
        do {
            root = try Yams.compose(yaml: yaml)
        } catch {
            let first =
                String(describing: error).split(separator: "\n").first.map(String.init) ?? "\(error)"
            throw .badProfile(file: file, key: nil, reason: "not valid YAML: \(first)")
        }
        guard let root else { throw .badProfile(file: file, key: nil, reason: "the file is empty") }
        do {
            return try profile(YAMLReader.Node(root, file: file, rules: YAMLReader.Rules(trim: .spaces)), id: id)
        } catch {
            throw MarketError(profileRead: error)
        }
    }

    /// The profile read from its root node (`parse` words the errors).
    static func profile(_ root: YAMLReader.Node, id: String) throws(YAMLReadError) -> MarketProfile {
        let top = try root.mapping()
        try top.checkKeys(topKeys)

        let name = try top.string("name", required: true) ?? id
        let zoneName = try top.string("timeZone") ?? "Asia/Shanghai"
        guard let zone = TimeZone(identifier: zoneName) else {
            throw top.error(
                "timeZone", "unknown time zone '\(zoneName)' (use an IANA name such as Asia/Shanghai)")
        }
        let intervals = try top.required("intervalsPerDay").int()
        guard intervals == MarketInterval.perDay else {
            throw top.error(
                "intervalsPerDay",
                "must be \(MarketInterval.perDay) (15-minute settlement, DOMAIN §2), got \(intervals)")
        }
        let labelling = try top.choice("intervalLabelling", MarketInterval.Labelling.self, required: true) ?? .start

        let price = try priceRules(try top.required("price").mapping())
        let bid = try bidRules(try top.required("bid").mapping())
        let tolerance = try top.double("deviationTolerancePercent", required: true) ?? 0
        guard (0...100).contains(tolerance) else {
            throw top.error("deviationTolerancePercent", "must be in 0…100 %, got \(tolerance)")
        }
        let dr = try demandResponse(try top.required("demandResponse").mapping())
        let rule =
            try top.choice("clearingRule", MarketProfile.ClearingRule.self)
            ?? .uniformPrice

        return MarketProfile(
            id: id, name: name, timeZone: zone, intervalsPerDay: intervals, intervalLabelling: labelling,
            price: price, bid: bid, deviationTolerancePercent: tolerance, demandResponse: dr,
            clearingRule: rule)
    }

    /// Largest price magnitude a profile may name, yuan/MWh (see `priceRules`).
    public static let maxPriceYuanPerMWh = 1_000_000.0

    static func priceRules(_ m: YAMLReader.Mapping) throws(YAMLReadError) -> MarketProfile.PriceRules {
        try m.checkKeys(priceKeys)
        let floor = try m.double("floorYuanPerMWh", required: true) ?? 0
        let cap = try m.double("capYuanPerMWh", required: true) ?? 0
        let tick = try m.double("tickYuanPerMWh", required: true) ?? 0
        guard tick > 0 else { throw m.error("tickYuanPerMWh", "must be > 0 yuan/MWh, got \(tick)") }
        // Every price vppd builds a bid from is clamped to floor…cap and goes into the LP solver, which aborts on
        // objective coefficients ≥ 1e25; ±1,000,000 yuan/MWh is far beyond any market's cap yet keeps every
        // product with a fleet's MW well inside that.
        for (key, v) in [("floorYuanPerMWh", floor), ("capYuanPerMWh", cap), ("tickYuanPerMWh", tick)]
        where abs(v) > Self.maxPriceYuanPerMWh {
            throw m.error(key, "must be within ±\(Int(Self.maxPriceYuanPerMWh)) yuan/MWh, got \(v)")
        }
        guard cap > floor else {
            throw m.error("capYuanPerMWh", "must be above floorYuanPerMWh (\(floor)), got \(cap)")
        }
        for (key, v) in [("floorYuanPerMWh", floor), ("capYuanPerMWh", cap)] {
            let ticks = v / tick
            guard abs(ticks - ticks.rounded()) < 1e-6 else {
                throw m.error(key, "\(v) is not a multiple of tickYuanPerMWh (\(tick))")
            }
        }
        return .init(floorYuanPerMWh: floor, capYuanPerMWh: cap, tickYuanPerMWh: tick)
    }

    static func bidRules(_ m: YAMLReader.Mapping) throws(YAMLReadError) -> MarketProfile.BidRules {
        try m.checkKeys(bidKeys)
        let segments = try m.required("maxSegments").int()
        guard (1...100).contains(segments) else {
            throw m.error("maxSegments", "must be in 1…100, got \(segments)")
        }
        let minSegment = try m.double("minSegmentMW", required: true) ?? 0
        let tick = try m.double("quantityTickMW", required: true) ?? 0
        guard tick > 0, tick <= 1000 else { throw m.error("quantityTickMW", "must be in (0, 1000] MW, got \(tick)") }
        guard minSegment >= 0, minSegment <= 10_000 else {
            throw m.error("minSegmentMW", "must be in 0…10000 MW, got \(minSegment)")
        }
        let ticks = minSegment / tick
        guard abs(ticks - ticks.rounded()) < 1e-6 else {
            throw m.error(
                "minSegmentMW", "\(minSegment) MW is not a multiple of quantityTickMW (\(tick) MW)")
        }
        let gateText = try m.string("gateClosure", required: true) ?? ""
        guard let (offset, minute) = parseGateClosure(gateText) else {
            throw m.error(
                "gateClosure", "'\(gateText)' is not of the form 'D-1 10:00' (day offset D-7…D, local HH:MM)")
        }
        guard offset < 0 || (offset == 0 && minute == 0) else {
            throw m.error(
                "gateClosure",
                "'\(gateText)' closes after the market day has begun; day-ahead bids close before D 00:00")
        }
        return .init(
            maxSegments: segments, minSegmentMW: minSegment, quantityTickMW: tick,
            gateClosureDayOffset: offset,
            gateClosureMinuteOfDay: minute)
    }

    /// `D-1 10:00` → (−1, 600); `D 00:00` → (0, 0). Nil when malformed.
    static func parseGateClosure(_ text: String) -> (Int, Int)? {
        let parts = text.split(separator: " ", omittingEmptySubsequences: true)
        guard parts.count == 2, parts[0].first == "D" else { return nil }
        let dayPart = parts[0].dropFirst()
        let offset: Int
        if dayPart.isEmpty {
            offset = 0
        } else {
            // A gate closure is at most a week before the day: a huge offset would overflow date arithmetic.
            guard dayPart.first == "-" || dayPart.first == "+", let v = DecimalText.integer(dayPart),
                (-7...0).contains(v)
            else { return nil }
            offset = v
        }
        let hm = parts[1].split(separator: ":", omittingEmptySubsequences: false)
        guard hm.count == 2, hm[0].count == 2, hm[1].count == 2, hm.allSatisfy({ $0.allSatisfy(\.isASCII) }),
            hm.allSatisfy({ $0.allSatisfy(\.isNumber) }), let h = Int(hm[0]), let mm = Int(hm[1]),
            (0..<24).contains(h),
            (0..<60).contains(mm)
        else { return nil }
        return (offset, h * 60 + mm)
    }

    static func demandResponse(_ m: YAMLReader.Mapping) throws(YAMLReadError) -> DemandResponseRules {
        try m.checkKeys(demandResponseKeys)
        let nodes = try m.required("bands").sequence()
        guard !nodes.isEmpty else {
            throw m.error("bands", "needs at least one band starting at fromPercent 0")
        }
        var bands: [DemandResponseRules.Band] = []
        for (i, node) in nodes.enumerated() {
            let b = try node.relabelled(path: m.keyPath("bands[\(i + 1)]"), label: nil).mapping()
            try b.checkKeys(bandKeys)
            let from = try b.double("fromPercent", required: true) ?? 0
            if i == 0 && from != 0 {
                throw b.error("fromPercent", "the first band must start at 0 %, got \(from)")
            }
            if let last = bands.last, from <= last.fromPercent {
                throw b.error(
                    "fromPercent", "bands must increase; \(from) % is not above \(last.fromPercent) %")
            }
            let kind = try b.string("settlement", required: true) ?? ""
            let factor = try b.double("paymentFactor")
            let settlement: DemandResponseRules.Settlement
            switch kind {
            case "none": settlement = .none
            case "paid": settlement = .paid
            case "capped":
                guard i == nodes.count - 1 else {
                    throw b.error(
                        "settlement", "'capped' must be the last band (it pays the band's lower bound above it)"
                    )
                }
                settlement = .capped
            case "penalised":
                guard let f = factor else {
                    throw b.error("paymentFactor", "missing required key for a penalised band")
                }
                guard f > 0 && f <= 1 else { throw b.error("paymentFactor", "must be in (0, 1], got \(f)") }
                settlement = .penalised(paymentFactor: f)
            default:
                throw b.error(
                    "settlement", "'\(kind)' is not one of \(settlementNames.joined(separator: ", "))")
            }
            if factor != nil, kind != "penalised" {
                throw b.error("paymentFactor", "only a penalised band takes a paymentFactor")
            }
            bands.append(.init(fromPercent: from, settlement: settlement))
        }
        return try demandResponseSettlement(m, bands: bands)
    }
}

extension [String: MarketProfile] {
    /// The profile `id`, or `MarketError.unknownProfile` listing the known ids (for config and CLI errors).
    public func profile(_ id: String) throws(MarketError) -> MarketProfile {
        guard let p = self[id] else { throw .unknownProfile(id: id, known: Array(keys)) }
        return p
    }
}
