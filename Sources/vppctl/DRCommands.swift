import ArgumentParser
import Foundation
import Market
import VPPCore

/// `vppctl dr list|show|invite|offer|award|cancel`: the demand-response workflow (issue 7) over `/v1/dr`.
struct DRGroup: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dr", abstract: "Demand response: invitations, offers, awards, cancellations.",
        subcommands: [DRList.self, DRShow.self, DRInvite.self, DROfferCommand.self, DRAwardCommand.self, DRCancel.self])
}

/// `GET /v1/dr/events` as the CLI shows it.
struct DRListAnswer: Decodable {
    struct Summary: Decodable {
        var id: String
        var day: String
        var status: String
        var direction: String
        var timing: String
        var deadline: Date
        var intervals: [Int]
        var requestedMWh: Double
        var offeredMWh: Double?
        var awardedMWh: Double?
        var cancelledAt: Date?
    }
    var count: Int
    var events: [Summary]
}

struct DRList: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "DR events by day.")
    @OptionGroup var options: ClientOptions
    @Option(help: "Market day YYYY-MM-DD.") var day: String?
    @Option(help: "invited, offered, cleared, cancelled, executed or settled.") var status: String?

    func run() async throws {
        try await runReporting {
            let (list, data) = try await options.client().get(
                DRListAnswer.self, "/v1/dr/events", query: ["day": day, "status": status])
            if options.json { return printJSON(data) }
            var t = Table(
                "ID", "DAY", "STATUS", "PRODUCT", "INTERVALS", "ASKED MWh", "OFFERED MWh", "AWARDED MWh", "DEADLINE")
            for e in list.events {
                t.add(
                    e.id, e.day, e.status, "\(e.direction)/\(e.timing)",
                    "\(e.intervals.first ?? 0)…\(e.intervals.last ?? 0)", fmt(e.requestedMWh, 3), fmt(e.offeredMWh, 3),
                    fmt(e.awardedMWh, 3), iso(e.deadline))
            }
            print(t.render())
        }
    }
}

/// Renders one event: what was asked, offered (latest version) and awarded per interval, and its history.
func renderDREvent(_ e: DREvent) -> String {
    let i = e.invitation
    var out =
        "DR event \(e.id): \(i.product) on \(i.day), \(i.pricing), offers until \(iso(i.deadline)) — \(e.status.rawValue)\n"
    var t = Table("#", "TIME", "ASKED MW", "OFFERED MW", "PRICE", "CAPABILITY MW", "AWARDED MW", "AWARD PRICE")
    for r in i.intervals {
        let o = e.latestOffer?.intervals.first { $0.index == r.index }
        let a = e.award?.intervals.first { $0.index == r.index }
        let time = MarketInterval(day: i.day, index: r.index)?.label(.start) ?? ""
        t.add(
            String(r.index), time, fmt(r.requestedMW, 3), fmt(o?.offeredMW, 3), fmt(o?.priceYuanPerMWh, 2),
            fmt(o?.capabilityMW, 3), fmt(a?.awardedMW, 3), fmt(a?.priceYuanPerMWh, 2))
    }
    out += t.render()
    if let c = e.cancellation { out += "\ncancelled by the grid from \(iso(c.at))\(c.reason.map { ": \($0)" } ?? "")" }
    for h in e.history { out += "\n\(iso(h.at))  \(h.status.rawValue)  \(h.note)" }
    return out
}

struct DRShow: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "One DR event.")
    @OptionGroup var options: ClientOptions
    @Argument(help: "Event id.") var id: String

    func run() async throws {
        try await runReporting {
            let (e, data) = try await options.client().get(DREvent.self, "/v1/dr/events/\(id)")
            if options.json { return printJSON(data) }
            print(renderDREvent(e))
        }
    }
}

/// Reads a document file for a POST.
func readDocument(_ file: String) throws -> Data {
    do { return try Data(contentsOf: URL(fileURLWithPath: file)) } catch {
        throw CLIError(code: 2, message: "cannot read \(file): \(error.localizedDescription)")
    }
}

struct DRInvite: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "invite", abstract: "Post an invitation file (JSON or CSV, README \"Demand response\") (trader).")
    @OptionGroup var options: ClientOptions
    @Argument(help: "Invitation file.") var file: String

    func run() async throws {
        try await runReporting {
            let client = try options.client()
            let data = try await client.send("POST", "/v1/dr/invitations", body: try readDocument(file))
            if options.json { return printJSON(data) }
            print(renderDREvent(try client.decode(DREvent.self, data)))
        }
    }
}

struct DROfferCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "offer", abstract: "Estimate, record and write the fleet's offer for an event (trader).")
    @OptionGroup var options: ClientOptions
    @Argument(help: "Event id.") var id: String

    struct Receipt: Decodable {
        var offer: DROffer
        var files: [String]
    }

    func run() async throws {
        try await runReporting {
            let client = try options.client()
            let data = try await client.send("POST", "/v1/dr/events/\(id)/offer")
            if options.json { return printJSON(data) }
            let r = try client.decode(Receipt.self, data)
            print(
                "offer v\(r.offer.version) for \(r.offer.eventID): \(fmt(r.offer.offeredMWh, 3)) MWh; files \(r.files.joined(separator: ", "))"
            )
            print("basis: \(r.offer.basis)")
            var t = Table("#", "ASKED MW", "CAPABILITY MW", "OFFERED MW", "PRICE yuan/MWh")
            for i in r.offer.intervals {
                t.add(
                    String(i.index), fmt(i.requestedMW, 3), fmt(i.capabilityMW, 3), fmt(i.offeredMW, 3),
                    fmt(i.priceYuanPerMWh, 2))
            }
            print(t.render())
        }
    }
}

struct DRAwardCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "award", abstract: "Post the DR clearing (award) file for an event (trader).")
    @OptionGroup var options: ClientOptions
    @Argument(help: "Event id.") var id: String
    @Argument(help: "Award file (JSON or CSV).") var file: String

    func run() async throws {
        try await runReporting {
            let client = try options.client()
            let data = try await client.send("POST", "/v1/dr/events/\(id)/award", body: try readDocument(file))
            if options.json { return printJSON(data) }
            print(renderDREvent(try client.decode(DREvent.self, data)))
        }
    }
}

struct DRCancel: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cancel", abstract: "Record the grid's early cancellation of a cleared event (trader).")
    @OptionGroup var options: ClientOptions
    @Argument(help: "Event id.") var id: String
    @Option(help: "When it takes effect, ISO 8601 (default now).") var at: String?
    @Option(help: "Why.") var reason: String?

    func run() async throws {
        try await runReporting {
            var body: [String: String] = [:]
            if let at {
                _ = try isoDate(at, "at")
                body["at"] = at
            }
            if let reason { body["reason"] = reason }
            let client = try options.client()
            let data = try await client.send(
                "POST", "/v1/dr/events/\(id)/cancel", body: try JSONSerialization.data(withJSONObject: body))
            if options.json { return printJSON(data) }
            print(renderDREvent(try client.decode(DREvent.self, data)))
        }
    }
}
