import Foundation
import VPPCore

extension BidDocument {
    /// The JSON file/API form: keys sorted, pretty-printed, dates ISO 8601 UTC. Throws when a number is not
    /// finite (JSON has no NaN) — a bid that passed `validate` never has one.
    public func jsonData() throws(DocumentError) -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        do {
            return try encoder.encode(self)
        } catch {
            throw DocumentError("", "cannot encode bid \(marketDay) v\(version) as JSON: \(error)")
        }
    }

    /// Reads the JSON form; the schema must be `vppd.bid/1`.
    public init(json data: Data) throws(DocumentError) {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        let doc: BidDocument
        do {
            doc = try decoder.decode(BidDocument.self, from: data)
        } catch let e as DecodingError {
            throw DocumentError.decoding(e)
        } catch {
            throw DocumentError("", "malformed JSON: \(error)")
        }
        guard doc.schema == Self.currentSchema else {
            throw DocumentError("schema", "\"\(doc.schema)\" is not supported; expected \"\(Self.currentSchema)\"")
        }
        self = doc
    }

    /// Column names of the CSV form, in order. `time_start`/`time_end` says which labelling `time` uses.
    public static func csvHeader(labelling: MarketInterval.Labelling) -> [String] {
        [
            "market", "market_day", "version", "interval", "time_\(labelling.rawValue)", "segment",
            "price_yuan_per_mwh", "net_mw", "capability_min_mw", "capability_max_mw", "flag",
        ]
    }

    /// The CSV form: one row per interval × segment. Segment 0 is the base quantity (net injection below the
    /// first price) with an empty price; segments 1… are the steps in price order. Numbers are written in
    /// their shortest exact decimal form so the file reads back to the same values.
    public func csv() -> String {
        var lines = [CSVTable.line(Self.csvHeader(labelling: intervalLabelling))]
        for i in intervals {
            let common = [market, marketDay.description, String(version), String(i.index), i.time]
            let tail = [
                i.capability.minMW.map(Self.number) ?? "", i.capability.maxMW.map(Self.number) ?? "",
                i.flag?.rawValue ?? "",
            ]
            lines.append(CSVTable.line(common + ["0", "", Self.number(i.baseMW)] + tail))
            for (n, s) in i.segments.enumerated() {
                lines.append(
                    CSVTable.line(
                        common + [String(n + 1), Self.number(s.priceYuanPerMWh), Self.number(s.netMW)] + tail))
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The intervals of a CSV bid (as written by `csv()`): market day, version and per-interval curves,
    /// capability and flags. Rows may come in any order; each interval needs its segment 0.
    public static func intervals(csv text: String) throws(DocumentError) -> (
        market: String, day: MarketDay, version: Int, intervals: [Interval]
    ) {
        let table = try CSVTable(parsing: text)
        let labelling: MarketInterval.Labelling =
            table.header.contains("time_end") ? .end : .start
        let c = (
            market: try table.column("market"), day: try table.column("market_day"),
            version: try table.column("version"), index: try table.column("interval"),
            time: try table.column("time_\(labelling.rawValue)"), segment: try table.column("segment"),
            price: try table.column("price_yuan_per_mwh"), net: try table.column("net_mw"),
            min: try table.column("capability_min_mw"), max: try table.column("capability_max_mw"),
            flag: try table.column("flag")
        )
        guard let first = table.rows.first else { throw DocumentError("", "no rows after the header") }
        let market = first.fields[c.market]
        guard let day = MarketDay(first.fields[c.day]) else {
            throw DocumentError("line \(first.line) market_day", "\"\(first.fields[c.day])\" is not YYYY-MM-DD")
        }
        guard let version = Int(first.fields[c.version]) else {
            throw DocumentError("line \(first.line) version", "\"\(first.fields[c.version])\" is not an integer")
        }
        var byIndex: [Int: (base: Interval?, steps: [(Int, Segment)])] = [:]
        for (line, f) in table.rows {
            func num(_ col: Int, _ name: String) throws(DocumentError) -> Double {
                guard let v = Double(f[col]) else {
                    throw DocumentError("line \(line) \(name)", "\"\(f[col])\" is not a number")
                }
                return v
            }
            guard f[c.day] == first.fields[c.day], f[c.version] == first.fields[c.version] else {
                throw DocumentError("line \(line)", "market_day/version differ from the first row")
            }
            guard let k = Int(f[c.index]), (1...MarketInterval.perDay).contains(k) else {
                throw DocumentError("line \(line) interval", "\"\(f[c.index])\" is not an interval 1…96")
            }
            guard let segment = Int(f[c.segment]), segment >= 0 else {
                throw DocumentError("line \(line) segment", "\"\(f[c.segment])\" is not a segment number ≥ 0")
            }
            let net = try num(c.net, "net_mw")
            var entry = byIndex[k] ?? (nil, [])
            if segment == 0 {
                guard entry.base == nil else {
                    throw DocumentError("line \(line)", "interval \(k) has two segment 0 rows")
                }
                var flag: PrecheckFlag?
                if !f[c.flag].isEmpty {
                    guard let fl = PrecheckFlag(rawValue: f[c.flag]) else {
                        throw DocumentError("line \(line) flag", "\"\(f[c.flag])\" is not tight or surplus")
                    }
                    flag = fl
                }
                entry.base = Interval(
                    index: k, time: f[c.time], baseMW: net, segments: [],
                    capability: Range(
                        minMW: f[c.min].isEmpty ? nil : try num(c.min, "capability_min_mw"),
                        maxMW: f[c.max].isEmpty ? nil : try num(c.max, "capability_max_mw")),
                    flag: flag)
            } else {
                entry.steps.append(
                    (segment, Segment(priceYuanPerMWh: try num(c.price, "price_yuan_per_mwh"), netMW: net)))
            }
            byIndex[k] = entry
        }
        var intervals: [Interval] = []
        for k in byIndex.keys.sorted() {
            guard var base = byIndex[k]?.base else {
                throw DocumentError("interval \(k)", "no segment 0 row (the base quantity)")
            }
            base.segments = (byIndex[k]?.steps ?? []).sorted { $0.0 < $1.0 }.map(\.1)
            intervals.append(base)
        }
        return (market, day, version, intervals)
    }

    /// Shortest decimal that reads back to the same `Double` (`123.46`, `-0.5`, `2`).
    static func number(_ v: Double) -> String {
        v == v.rounded() && abs(v) < 1e15 ? String(Int64(v)) : "\(v)"
    }
}

extension DocumentError {
    /// A decoding failure named by its JSON key path (`intervals[3].segments`).
    static func decoding(_ error: DecodingError) -> DocumentError {
        func path(_ keys: [any CodingKey]) -> String {
            keys.map { $0.intValue.map { "[\($0)]" } ?? "." + $0.stringValue }.joined()
                .trimmingCharacters(in: CharacterSet(charactersIn: "."))
        }
        switch error {
        case .dataCorrupted(let c):
            return DocumentError(
                path(c.codingPath), c.underlyingError.map { "malformed JSON: \($0)" } ?? c.debugDescription)
        case .keyNotFound(let key, let c):
            return DocumentError(path(c.codingPath + [key]), "required field missing")
        case .typeMismatch(let type, let c):
            return DocumentError(path(c.codingPath), "expected \(type)")
        case .valueNotFound(let type, let c):
            return DocumentError(path(c.codingPath), "expected \(type), found null")
        @unknown default:
            return DocumentError("", "malformed JSON")
        }
    }
}
