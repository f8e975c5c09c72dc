import ArgumentParser
import Foundation
import Market
import VPPCore

/// `vppctl bid build|show|export|submit` over `/v1/bids` (trader builds and submits, viewer reads).
struct BidGroup: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bid", abstract: "Build, show, export and submit day-ahead bids.",
        subcommands: [BidBuild.self, BidShow.self, BidExport.self, BidSubmit.self])
}

/// `vppctl clearing post|show` over `/v1/clearing`.
struct ClearingGroup: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "clearing", abstract: "Post and show clearing results.",
        subcommands: [ClearingPost.self, ClearingShow.self])
}

/// The API's bid answer, as far as the CLI shows it.
struct BidStatusAnswer: Decodable {
    var bid: BidDocument
    var latestVersion: Int
    var submittedVersion: Int?
    var submitted: Bool
    var gateClosure: Date
    var lateForGateClosure: Bool
    var files: [String]

    /// A summary line and one row per interval.
    func render() -> String {
        let b = bid
        let state: String = submitted ? "submitted" : "submitted: " + (submittedVersion.map { "v\($0)" } ?? "none")
        let late: String = lateForGateClosure ? ", built late" : ""
        let fileList: String = files.isEmpty ? "-" : files.joined(separator: ", ")
        var out = "bid \(b.marketDay) v\(b.version) (\(b.market), latest v\(latestVersion), \(state)"
        out += ", gate closure \(iso(gateClosure))\(late))\n"
        out += "units MW / yuan/MWh, time = interval \(b.intervalLabelling) (\(b.timeZone)); files: \(fileList)\n"
        var t = Table("#", "TIME", "CAPABILITY MW", "FLAG", "EXPECTED MW", "CURVE (base | price→MW …)")
        for i in b.intervals {
            let curve =
                fmt(i.baseMW, 3)
                + i.segments.map { " | \(fmt($0.priceYuanPerMWh, 2))→\(fmt($0.netMW, 3))" }.joined()
            t.add(
                String(i.index), i.time, "\(fmt(i.capability.minMW, 3))…\(fmt(i.capability.maxMW, 3))",
                i.flag?.rawValue ?? "-", fmt(i.expectedMW, 3), curve)
        }
        out += t.render()
        for r in b.relaxations {
            out +=
                "\nrelaxed \(r.constraint)\(r.interval.map { " interval \($0)" } ?? ""): \(r.amount) \(r.unit) — \(r.detail)"
        }
        return out
    }
}

struct BidBuild: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "build", abstract: "Build the next bid version of a market day (trader).",
        discussion: """
            Without --prices the daemon uses the forecast stored with PUT /v1/forecast/prices/DAY, else its \
            similar-day fallback from accepted clearings. --prices takes a price file (CSV day,interval,price \
            or JSON, see README) holding DAY. --flag 17=tight marks a pre-check flag (repeatable).
            """)
    @OptionGroup var options: ClientOptions
    @Argument(help: "Market day YYYY-MM-DD.") var day: String
    @Option(help: "Price forecast file (.csv or .json) containing DAY.") var prices: String?
    @Option(name: .customLong("flag"), help: "Pre-check flag INTERVAL=tight|surplus (repeatable).")
    var flags: [String] = []

    func run() async throws {
        try await runReporting {
            guard let marketDay = MarketDay(day) else {
                throw CLIError(code: 2, message: "DAY must be YYYY-MM-DD, got '\(day)'")
            }
            var request = BuildBody(day: day)
            if let prices {
                let series: PriceSeries
                do {
                    series = try PriceSeries.load(file: URL(fileURLWithPath: prices))
                } catch {
                    throw CLIError(code: 2, message: "\(error)")
                }
                guard let forecast = series.forecast(for: marketDay) else {
                    throw CLIError(code: 2, message: "\(prices) has no prices for \(day)")
                }
                request.pricesYuanPerMWh = forecast.expectedYuanPerMWh
                if !forecast.quantiles.isEmpty {
                    request.quantiles = Dictionary(
                        forecast.quantiles.map { (String(Int(($0.level * 100).rounded())), $0.pricesYuanPerMWh) },
                        uniquingKeysWith: { a, _ in a })
                }
            }
            for f in flags {
                let parts = f.split(separator: "=").map(String.init)
                guard parts.count == 2, Int(parts[0]) != nil, PrecheckFlag(rawValue: parts[1]) != nil else {
                    throw CLIError(code: 2, message: "--flag must be INTERVAL=tight|surplus, got '\(f)'")
                }
                request.flags[parts[0]] = parts[1]
            }
            let client = try options.client()
            let data = try await client.send("POST", "/v1/bids", body: try JSONEncoder().encode(request))
            if options.json { return printJSON(data) }
            print(try client.decode(BidStatusAnswer.self, data).render())
        }
    }

    struct BuildBody: Encodable {
        var day: String
        var pricesYuanPerMWh: [Double]?
        var quantiles: [String: [Double]]?
        var flags: [String: String] = [:]
    }
}

struct BidShow: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show", abstract: "Show a bid (latest version unless --version).")
    @OptionGroup var options: ClientOptions
    @Argument(help: "Market day YYYY-MM-DD.") var day: String
    @Option(help: "Bid version.") var version: Int?

    func run() async throws {
        try await runReporting {
            let (answer, data) = try await options.client().get(
                BidStatusAnswer.self, "/v1/bids/\(day)", query: ["version": version.map(String.init)])
            if options.json { return printJSON(data) }
            print(answer.render())
        }
    }
}

struct BidExport: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export", abstract: "Write a bid as the market file (vppd.bid/1 JSON or CSV).")
    @OptionGroup var options: ClientOptions
    @Argument(help: "Market day YYYY-MM-DD.") var day: String
    @Option(help: "Bid version (default latest).") var version: Int?
    @Option(help: "json or csv.") var format: String = "json"
    @Option(name: .shortAndLong, help: "Output file (default stdout).") var output: String?

    func run() async throws {
        try await runReporting {
            let client = try options.client()
            let query = ["version": version.map(String.init)]
            let bytes: Data
            switch format {
            case "csv":
                bytes = try await client.send("GET", "/v1/bids/\(day)/csv", query: query)
            case "json":
                let data = try await client.send("GET", "/v1/bids/\(day)", query: query)
                do {
                    bytes = try client.decode(BidStatusAnswer.self, data).bid.jsonData()
                } catch let e as DocumentError {
                    throw CLIError(code: 1, message: "\(e)")
                }
            default:
                throw CLIError(code: 2, message: "--format must be json or csv, got '\(format)'")
            }
            if let output {
                do {
                    try bytes.write(to: URL(fileURLWithPath: output), options: .atomic)
                } catch {
                    throw CLIError(code: 1, message: "cannot write \(output): \(error.localizedDescription)")
                }
            } else {
                FileHandle.standardOutput.write(bytes)
            }
        }
    }
}

struct BidSubmit: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "submit", abstract: "Mark a bid version submitted (trader); clearings must answer it.")
    @OptionGroup var options: ClientOptions
    @Argument(help: "Market day YYYY-MM-DD.") var day: String
    @Argument(help: "Bid version.") var version: Int

    func run() async throws {
        try await runReporting {
            let client = try options.client()
            let data = try await client.send("POST", "/v1/bids/\(day)/\(version)/submit")
            if options.json { return printJSON(data) }
            let answer = try client.decode(BidStatusAnswer.self, data)
            print(
                "bid \(answer.bid.marketDay) v\(answer.bid.version) submitted; files: \(answer.files.joined(separator: ", "))"
            )
        }
    }
}

/// The API's clearing answer.
struct ClearingAnswer: Decodable {
    struct Interval: Decodable {
        var index: Int
        var clearedMW: Double
        var priceYuanPerMWh: Double
        var targetKW: Double
    }
    var day: String
    var version: Int
    var bidVersion: Int
    var acceptedAt: Date
    var source: String
    var scheduleVersion: Int?
    var duplicate: Bool
    var intervals: [Interval]

    func render() -> String {
        var t = Table("#", "CLEARED MW", "PRICE yuan/MWh", "TARGET kW")
        for i in intervals {
            t.add(String(i.index), fmt(i.clearedMW, 3), fmt(i.priceYuanPerMWh, 2), fmt(i.targetKW, 1))
        }
        let head =
            "clearing \(day) v\(version) for bid v\(bidVersion)\(duplicate ? " (already accepted)" : ""), "
            + "accepted \(iso(acceptedAt)) from \(source), schedule \(scheduleVersion.map { "v\($0)" } ?? "-")\n"
        return head + t.render()
    }
}

struct ClearingPost: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "post", abstract: "Post a clearing result file (JSON or CSV) for the submitted bid (trader).")
    @OptionGroup var options: ClientOptions
    @Argument(help: "Clearing file (.json or .csv, README \"Bids and clearing\").") var file: String

    func run() async throws {
        try await runReporting {
            let body: Data
            do {
                body = try Data(contentsOf: URL(fileURLWithPath: file))
            } catch {
                throw CLIError(code: 2, message: "cannot read \(file): \(error.localizedDescription)")
            }
            let client = try options.client()
            let data = try await client.send("POST", "/v1/clearing", body: body)
            if options.json { return printJSON(data) }
            print(try client.decode(ClearingAnswer.self, data).render())
        }
    }
}

struct ClearingShow: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show", abstract: "Show the accepted clearing of a market day.")
    @OptionGroup var options: ClientOptions
    @Argument(help: "Market day YYYY-MM-DD.") var day: String

    func run() async throws {
        try await runReporting {
            let (answer, data) = try await options.client().get(ClearingAnswer.self, "/v1/clearing/\(day)")
            if options.json { return printJSON(data) }
            print(answer.render())
        }
    }
}
