import ArgumentParser
import Foundation
import VPPCore

struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status", abstract: "Daemon version, uptime, configuration and fleet totals.")
    @OptionGroup var options: ClientOptions

    func run() async throws {
        try await runReporting {
            let (s, data) = try await options.client().get(StatusAnswer.self, "/v1/status")
            if options.json { return printJSON(data) }
            print(
                "vppd \(s.version)  ready: \(s.ready ? "yes" : "no")  up \(fmt(s.uptimeSeconds, 0)) s since \(iso(s.startedAt))"
            )
            print(
                "config \(s.config.path)  api \(s.config.apiListen)  state \(s.config.stateDirectory)  control period \(s.config.controlPeriodMs) ms"
            )
            print("sites \(s.config.sites)  devices \(s.config.devices)  tokens \(s.config.tokens)")
            if let r = s.lastReload {
                print("last reload \(iso(r.at)) \(r.ok ? "ok" : "REFUSED"): \(r.detail)")
            }
            let f = s.fleet
            print(
                "fleet: \(f.devices) devices (\(f.ok) ok, \(f.stale) stale, \(f.down) down, \(f.unknown) unknown); power \(fmt(f.powerKW)) kW of \(fmt(f.ratedPowerKW)) kW rated; flexibility +\(fmt(f.upKW))/-\(fmt(f.downKW)) kW"
            )
        }
    }
}

struct DevicesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "devices", abstract: "Every device with link, staleness and power.")
    @OptionGroup var options: ClientOptions

    func run() async throws {
        try await runReporting {
            let (list, data) = try await options.client().get(DeviceListAnswer.self, "/v1/devices")
            if options.json { return printJSON(data) }
            var t = Table(
                "ID", "KIND", "SITE", "LINK", "HEALTH", "POWER kW", "SOC %", "RATED kW", "FLEX +/- kW")
            for d in list.devices {
                t.add(
                    d.id, d.kind, d.site, d.link, d.health,
                    fmt(d.values["activePowerKW"]?.value),
                    fmt(d.values["socPercent"]?.value), fmt(d.ratedPowerKW),
                    "+\(fmt(d.flexibility.upKW))/-\(fmt(d.flexibility.downKW))")
            }
            print(t.render())
        }
    }
}

struct DeviceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "device", abstract: "One device: telemetry and flexibility.")
    @OptionGroup var options: ClientOptions
    @Argument(help: "Device id.") var id: String

    func run() async throws {
        try await runReporting {
            guard
                let escaped = id.addingPercentEncoding(
                    withAllowedCharacters: .urlPathAllowed.subtracting(["/"]))
            else {
                throw CLIError(code: 2, message: "invalid device id '\(id)'")
            }
            let (d, data) = try await options.client().get(DeviceAnswer.self, "/v1/devices/\(escaped)")
            if options.json { return printJSON(data) }
            print(
                "\(d.id)  \(d.kind)  site \(d.site)  owner \(d.owner)  profile \(d.profile)  \(d.address)")
            print(
                "link \(d.link)  health \(d.health)  last seen \(iso(d.lastSeen))\(d.lastError.map { "  error: \($0)" } ?? "")"
            )
            print(
                "rated \(fmt(d.ratedPowerKW)) kW  envelope \(fmt(d.flexibility.minKW))…\(fmt(d.flexibility.maxKW)) kW  flexibility +\(fmt(d.flexibility.upKW))/-\(fmt(d.flexibility.downKW)) kW\(d.flexibility.constraints.isEmpty ? "" : "  (" + d.flexibility.constraints.joined(separator: ", ") + ")")"
            )
            var t = Table("POINT", "VALUE", "AT")
            for (name, v) in d.values.sorted(by: { $0.key < $1.key }) {
                t.add(name, fmt(v.value, 3), iso(v.at))
            }
            print(t.render())
        }
    }
}

struct FleetCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fleet", abstract: "Fleet totals per site and kind.")
    @OptionGroup var options: ClientOptions

    func run() async throws {
        try await runReporting {
            let (f, data) = try await options.client().get(FleetAnswer.self, "/v1/fleet")
            if options.json { return printJSON(data) }
            var t = Table("GROUP", "DEVICES", "OK", "NOT OK", "POWER kW", "RATED kW", "FLEX +/- kW")
            func row(_ name: String, _ a: Aggregate) {
                t.add(
                    name, String(a.devices), String(a.ok), String(a.stale + a.down + a.unknown),
                    fmt(a.powerKW),
                    fmt(a.ratedPowerKW),
                    "+\(fmt(a.upKW))/-\(fmt(a.downKW))")
            }
            row("fleet", f.totals)
            for (k, a) in f.sites.sorted(by: { $0.key < $1.key }) { row("site:\(k)", a) }
            for (k, a) in f.kinds.sorted(by: { $0.key < $1.key }) { row("kind:\(k)", a) }
            print(t.render())
        }
    }
}

struct ScheduleCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "schedule",
        abstract: "The schedule (96 intervals) of a market day, with executed power and deviation once recorded.")
    @OptionGroup var options: ClientOptions
    @Argument(help: "Market day YYYY-MM-DD (default today).") var day: String?
    @Option(name: .customLong("day"), help: "Same as the argument (kept for scripts).") var dayOption: String?

    func run() async throws {
        try await runReporting {
            let path = try (day ?? dayOption).map { "/v1/schedule/\(try checkedDay($0))" } ?? "/v1/schedule"
            let (s, data) = try await options.client().get(ScheduleAnswer.self, path)
            if options.json { return printJSON(data) }
            guard !s.intervals.isEmpty else { return print("no schedule stored for \(s.day)") }
            print(
                "schedule \(s.day) version \(s.version.map(String.init) ?? "-") from \(s.source ?? "-")")
            var t = Table("#", "START", "TARGET kW", "EXECUTED kW", "DEVIATION MWh", "IN TOLERANCE")
            for i in s.intervals {
                t.add(
                    String(i.index), iso(i.start), fmt(i.targetKW), fmt(i.executedKW), fmt(i.deviationMWh, 4),
                    i.withinTolerance.map { $0 ? "yes" : "NO" } ?? "-")
            }
            print(t.render())
        }
    }
}

struct DeviationCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "deviation",
        abstract: "Cleared vs. executed energy per interval of a market day, with per-device contributions.")
    @OptionGroup var options: ClientOptions
    @Argument(help: "Market day YYYY-MM-DD (default today, market time).") var day: String?
    @Option(help: "Only this interval (1…96), with each device's contribution.") var interval: Int?

    func run() async throws {
        try await runReporting {
            let day = try day.map(checkedDay) ?? MarketDay(containing: Date()).description
            let (a, data) = try await options.client().get(
                TrackingAnswer.self, "/v1/tracking/\(day)", query: ["interval": interval.map(String.init)])
            if options.json { return printJSON(data) }
            guard !a.intervals.isEmpty else {
                return print("no tracking recorded for \(a.day)\(interval.map { " interval \($0)" } ?? "")")
            }
            var t = Table(
                "#", "START", "CLEARED MWh", "EXECUTED MWh", "DEVIATION MWh", "DEVIATION %", "TOLERANCE %",
                "IN TOLERANCE")
            for i in a.intervals {
                t.add(
                    String(i.index), iso(i.start), fmt(i.clearedMWh, 4), fmt(i.executedMWh, 4),
                    fmt(i.deviationMWh, 4), fmt(i.deviationPercent, 2), fmt(i.tolerancePercent, 2),
                    i.withinTolerance ? "yes" : "NO")
            }
            print(t.render())
            let s = a.totals
            print(
                "\(s.intervals) interval(s), \(s.withinTolerance) in tolerance; cleared \(fmt(s.clearedMWh, 4)) MWh, executed \(fmt(s.executedMWh, 4)) MWh, deviation \(fmt(s.deviationMWh, 4)) MWh (|Σ| \(fmt(s.absoluteDeviationMWh, 4)) MWh)"
            )
            for i in a.intervals {
                guard let contributions = i.contributions, !contributions.isEmpty else { continue }
                print("\ninterval \(i.index): contributions")
                var c = Table("DEVICE", "ENERGY MWh", "SHARE %")
                for d in contributions {
                    c.add(
                        d.device, fmt(d.energyMWh, 5),
                        abs(i.executedMWh) > 1e-12 ? fmt(d.energyMWh / i.executedMWh * 100, 1) : "-")
                }
                print(c.render())
            }
        }
    }
}

/// `GET /v1/tracking/{day}`.
struct TrackingAnswer: Decodable {
    struct Interval: Decodable {
        var index: Int
        var start: Date
        var clearedMWh: Double
        var executedMWh: Double
        var deviationMWh: Double
        var deviationPercent: Double?
        var tolerancePercent: Double
        var withinTolerance: Bool
        var contributions: [Contribution]?
    }
    struct Contribution: Decodable {
        var device: String
        var energyMWh: Double
    }
    struct Totals: Decodable {
        var intervals: Int
        var withinTolerance: Int
        var clearedMWh: Double
        var executedMWh: Double
        var deviationMWh: Double
        var absoluteDeviationMWh: Double
    }
    var day: String
    var intervals: [Interval]
    var totals: Totals
}

/// A `YYYY-MM-DD` market day from the command line, or a usage error.
func checkedDay(_ text: String) throws -> String {
    guard let d = MarketDay(text) else { throw CLIError(code: 2, message: "'\(text)' is not a market day YYYY-MM-DD") }
    return d.description
}

struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit", abstract: "The audit log, newest first (operator or admin).")
    @OptionGroup var options: ClientOptions
    @Option(help: "Only this actor (token name).") var actor: String?
    @Option(help: "Only this action, or a prefix ending in '.' (command.).") var action: String?
    @Option(help: "At most this many entries (1…1000).") var limit: Int = 50

    func run() async throws {
        try await runReporting {
            let (a, data) = try await options.client().get(
                AuditAnswer.self, "/v1/audit",
                query: ["actor": actor, "action": action, "limit": String(limit)])
            if options.json { return printJSON(data) }
            var t = Table("ID", "AT", "ACTOR", "ROLE", "ACTION", "TARGET", "FROM", "DETAIL")
            for e in a.entries {
                t.add(
                    e.id.map(String.init) ?? "-", iso(e.at), e.actor, e.role, e.action, e.target,
                    e.sourceAddress, e.detail)
            }
            print(t.render())
        }
    }
}
