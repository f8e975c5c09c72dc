import Foundation
import VPPCore

/// Reading awards and cancellations as the platform sends them (README "Demand response").
///
/// Award JSON: `{"eventID", "day", "offerVersion"?, "clearedAt"?, "intervalLabelling"?, "intervals":
/// [{"index" | "time", "awardedMW", "priceYuanPerMWh"}]}`. Award CSV: header
/// `event_id,day,offer_version,interval,awarded_mw,price_yuan_per_mwh` (`offer_version` may be empty), one row
/// per interval. Cancellation JSON: `{"eventID", "at": ISO 8601, "reason"?}`.
extension DRAward {
    /// Reads JSON or CSV (`MarketFileBody`: JSON when the first non-blank byte is `{`, CSV otherwise).
    public init(data: Data, labelling: MarketInterval.Labelling = .start) throws(DRError) {
        do throws(DocumentError) {
            switch try MarketFileBody(data) {
            case .json(let json): try self.init(json: json, labelling: labelling)
            case .csv(let text): try self.init(csv: text)
            }
        } catch {
            throw .badField(
                document: "award", field: error.location.isEmpty ? "document" : error.location, reason: error.reason)
        }
    }

    public init(json data: Data, labelling: MarketInterval.Labelling = .start) throws(DocumentError) {
        let top = try StrictJSON.object(data)
        let id = try DRInvitation.text(top["eventID"], "eventID")
        let day = try ClearingDocument.day(top["day"], "day")
        var version: Int?
        if let v = top["offerVersion"], !(v is NSNull) {
            guard let i = ClearingDocument.integer(v, text: false), i >= 1 else {
                throw DocumentError("offerVersion", "\"\(v)\" is not an integer ≥ 1")
            }
            version = i
        }
        let clearedAt = try top["clearedAt"].map { v throws(DocumentError) in try DRInvitation.date(v, "clearedAt") }
        let intervals = try ClearingDocument.intervals(of: top, day: day, labelling: labelling) {
            index, e, at throws(DocumentError) in
            Interval(
                index: index, awardedMW: try DRInvitation.value(e["awardedMW"], "\(at).awardedMW"),
                priceYuanPerMWh: try DRInvitation.value(e["priceYuanPerMWh"], "\(at).priceYuanPerMWh"))
        }
        self.init(eventID: id, day: day, offerVersion: version, intervals: intervals, clearedAt: clearedAt)
    }

    public init(csv text: String) throws(DocumentError) {
        let table = try CSVTable(parsing: text)
        let names = ["event_id", "day", "offer_version"]
        let columns = try names.map { n throws(DocumentError) in try table.column(n) }
        let k = try table.column("interval")
        let mw = try table.column("awarded_mw")
        let price = try table.column("price_yuan_per_mwh")
        guard let first = table.rows.first else { throw DocumentError("", "no rows after the header") }
        let f0 = first.fields
        let day = try ClearingDocument.day(f0[columns[1]], "line \(first.line) day")
        var version: Int?
        if !f0[columns[2]].isEmpty {
            guard let v = DecimalText.integer(f0[columns[2]]), v >= 1 else {
                throw DocumentError("line \(first.line) offer_version", "\"\(f0[columns[2]])\" is not an integer ≥ 1")
            }
            version = v
        }
        var intervals: [Interval] = []
        for (line, f) in table.rows {
            for (c, n) in zip(columns, names) where f[c] != f0[c] {
                throw DocumentError("line \(line) \(n)", "\"\(f[c])\" differs from line \(first.line)'s \"\(f0[c])\"")
            }
            guard
                let index = DecimalText.integer(f[k]) ?? MarketInterval(day: day, label: f[k], labelling: .start)?.index
            else {
                throw DocumentError("line \(line) interval", "\"\(f[k])\" is neither 1…96 nor an HH:MM start label")
            }
            intervals.append(
                Interval(
                    index: index, awardedMW: try DRInvitation.value(csv: f[mw], "line \(line) awarded_mw"),
                    priceYuanPerMWh: try DRInvitation.value(csv: f[price], "line \(line) price_yuan_per_mwh")))
        }
        guard !f0[columns[0]].isEmpty else {
            throw DocumentError("line \(first.line) event_id", "required text missing")
        }
        self.init(eventID: f0[columns[0]], day: day, offerVersion: version, intervals: intervals)
    }
}

extension DRCancellation {
    /// Reads the JSON form `{"eventID", "at", "reason"?}`.
    public init(data: Data) throws(DRError) {
        do throws(DocumentError) {
            let top = try StrictJSON.object(data)
            self.init(
                eventID: try DRInvitation.text(top["eventID"], "eventID"), at: try DRInvitation.date(top["at"], "at"),
                reason: top["reason"] as? String)
        } catch {
            throw .badField(
                document: "cancellation", field: error.location.isEmpty ? "document" : error.location,
                reason: error.reason)
        }
    }
}
