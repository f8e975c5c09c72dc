import ArgumentParser
import Foundation
import Market
import VPPCore

/// `vppctl settle DAY`: settles a market day (trader) or, with `--show`, prints the stored settlement (viewer).
struct SettleCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "settle",
        abstract: "Settle a market day: DR events, spot revenue and deviation, allocation to every owner.")
    @OptionGroup var options: ClientOptions
    @Argument(help: "Market day YYYY-MM-DD.") var day: String
    @Option(help: "Atypical days excluded from baselines, comma-separated YYYY-MM-DD.") var atypical: String?
    @Flag(help: "Print the latest stored settlement instead of settling again.") var show = false

    func run() async throws {
        try await runReporting {
            guard MarketDay(day) != nil else { throw CLIError(code: 2, message: "'\(day)' is not a date YYYY-MM-DD") }
            let client = try options.client()
            let data: Data
            if show {
                data = try await client.send("GET", "/v1/settlement/\(day)")
            } else {
                let days = atypical?.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } ?? []
                let body = try JSONSerialization.data(withJSONObject: ["atypicalDays": days])
                data = try await client.send("POST", "/v1/settlement/\(day)", body: body)
            }
            if options.json { return printJSON(data) }
            let answer = try client.decode(SettlementAnswer.self, data)
            print(Self.render(answer))
        }
    }

    /// The human summary: totals, each DR event's intervals, the spot day, and every owner.
    static func render(_ a: SettlementAnswer) -> String {
        let s = a.settlement
        var out = "settlement \(a.day) v\(a.version) (\(a.source), profile \(s.profile))\n"
        out += "aggregate \(Fen.yuanText(s.aggregateFen)) yuan = owners \(Fen.yuanText(s.ownersFen))"
        out += " + aggregator \(Fen.yuanText(s.aggregatorFen)) (\(fmt(s.aggregatorSharePercent)) %)"
        if s.unallocatedFen != 0 { out += " + unallocated \(Fen.yuanText(s.unallocatedFen))" }
        out += "\n"
        for n in s.notes { out += "note: \(n)\n" }
        for e in s.drEvents {
            out += "\nDR \(e.id) \(e.direction.rawValue): net \(Fen.yuanText(e.netFen)) yuan "
            out += "(compensation \(Fen.yuanText(e.compensationFen)), penalty \(Fen.yuanText(e.penaltyFen)))\n"
            out +=
                "baseline \(e.baselineMethod.rawValue) on \(e.baselineDays.map(\.description).joined(separator: ", "))\n"
            for n in e.baselineNotes { out += "  baseline note: \(n)\n" }
            var t = Table("INT", "AWARD MW", "BASE MW", "MEAS MW", "RESP MW", "RATE %", "BAND", "NET yuan")
            for r in e.intervals {
                t.add(
                    String(r.index), fmt(r.awardedMW, 3), fmt(r.baselineMW, 3), fmt(r.measuredMW, 3),
                    fmt(r.responseMW, 3), fmt(r.ratePercent), r.band.rawValue, Fen.yuanText(r.netFen))
            }
            out += t.render() + "\n"
        }
        if let spot = s.spot {
            out += "\nspot: net \(Fen.yuanText(spot.netFen)) yuan (revenue \(Fen.yuanText(spot.revenueFen)), "
            out += "deviation \(Fen.yuanText(spot.deviationFen)), penalty \(Fen.yuanText(spot.penaltyFen))) over "
            out += "\(spot.intervals.count) intervals\n"
        }
        var owners = Table("OWNER", "DR yuan", "SPOT yuan", "TOTAL yuan")
        for o in s.owners {
            let dr = o.lines.filter { $0.source == "dr" }.reduce(0) { $0 + $1.amountFen }
            let spot = o.lines.filter { $0.source == "spot" }.reduce(0) { $0 + $1.amountFen }
            owners.add(o.owner.rawValue, Fen.yuanText(dr), Fen.yuanText(spot), Fen.yuanText(o.totalFen))
        }
        return out + "\n" + owners.render()
    }
}

/// `vppctl statement OWNER --month M | --day D [--format table|json|csv]`: an owner's statement.
struct StatementCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "statement", abstract: "An owner's monthly settlement statement (结算到户).")
    @OptionGroup var options: ClientOptions
    @Argument(help: "Owner id.") var owner: String
    @Option(help: "Month YYYY-MM.") var month: String?
    @Option(help: "Day YYYY-MM-DD (instead of --month).") var day: String?
    @Option(help: "table (default), json or csv.") var format: String = "table"

    func run() async throws {
        try await runReporting {
            guard ["table", "json", "csv"].contains(format) else {
                throw CLIError(code: 2, message: "--format must be table, json or csv, got '\(format)'")
            }
            if let month, OwnerStatement.days(ofMonth: month) == nil {
                throw CLIError(code: 2, message: "--month must be YYYY-MM, got '\(month)'")
            }
            if let day, MarketDay(day) == nil {
                throw CLIError(code: 2, message: "--day must be YYYY-MM-DD, got '\(day)'")
            }
            guard (month == nil) != (day == nil) else {
                throw CLIError(code: 2, message: "give exactly one of --month YYYY-MM and --day YYYY-MM-DD")
            }
            guard let escaped = owner.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(["/"]))
            else { throw CLIError(code: 2, message: "invalid owner id '\(owner)'") }
            let client = try options.client()
            let wire = format == "csv" ? "csv" : "json"
            let data = try await client.send(
                "GET", "/v1/statements/\(escaped)", query: ["month": month, "day": day, "format": wire])
            if format == "csv" { return print(String(decoding: data, as: UTF8.self), terminator: "") }
            if format == "json" || options.json { return printJSON(data) }
            let s = try client.decode(OwnerStatement.self, data)
            var t = Table("DAY", "SOURCE", "EVENT", "CONTRIBUTION kWh", "AMOUNT yuan")
            for l in s.lines {
                t.add(l.day.description, l.source, l.event ?? "", fmt(l.contributionKWh, 3), l.amountYuan)
            }
            print("statement \(s.owner) \(s.period): \(s.days.count) settled days, total \(s.totalYuan) yuan")
            print(t.render())
        }
    }
}

/// `GET/POST /v1/settlement/{day}` answer.
struct SettlementAnswer: Decodable {
    var day: String
    var version: Int
    var createdAt: Date
    var source: String
    var settlement: DaySettlement
}
