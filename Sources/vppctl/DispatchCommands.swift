import ArgumentParser
import Foundation
import VPPCore

/// `vppctl dispatch …`: operator commands in the words an operator uses (issue 6 §4). Every subcommand builds a
/// `CommandRequest` and goes through `submitCommand`, the same path as `vppctl command create`.
struct DispatchGroup: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dispatch", abstract: "Send operator commands: curtail, charge, discharge, hold, … (operator).",
        discussion: """
            Every command has a target (--device ID, --site ID or --fleet, default fleet), a window (--from/--until \
            ISO 8601, or --for 15m|1h|90s; start defaults to now) and a --reason. The reply states what the fleet \
            can deliver now and any clamping; an infeasible command is refused with the reason (exit code 1).
            Examples:
              vppctl dispatch curtail --site hz-01 --percent 30 --for 1h --reason "negative prices"
              vppctl dispatch charge --fleet --mw 2 --for 30m --reason "valley filling"
              vppctl dispatch grid --mw=-1.5 --from 2026-11-28T10:00:00Z --until 2026-11-28T10:15:00Z --reason "AGC"
              vppctl dispatch cancel 3f2a… --reason "instruction withdrawn"
            """,
        subcommands: [
            CurtailDispatch.self, ChargeDispatch.self, DischargeDispatch.self, HoldDispatch.self,
            ReleaseDispatch.self, EmergencyStopDispatch.self, OverrideDispatch.self, GridDispatch.self,
            CancelCommand.self,
        ])
}

/// `--device ID | --site ID | --fleet`.
struct TargetOptions: ParsableArguments {
    @Option(help: "Act on one device.") var device: String?
    @Option(help: "Act on every device of a site.") var site: String?
    @Flag(help: "Act on the whole fleet (the default).") var fleet = false

    func target() throws -> CommandTarget {
        switch (device, site, fleet) {
        case (let d?, nil, false): return .device(DeviceID(d))
        case (nil, let s?, false): return .site(SiteID(s))
        case (nil, nil, _): return .fleet
        default: throw CLIError(code: 2, message: "give only one of --device, --site and --fleet")
        }
    }
}

/// `--kw N | --mw N | --percent N`.
struct MagnitudeOptions: ParsableArguments {
    @Option(help: "Power, kW.") var kw: Double?
    @Option(help: "Power, MW.") var mw: Double?
    @Option(help: "Percent of rated power (curtail only).") var percent: Double?

    func magnitude(percentAllowed: Bool) throws -> CommandMagnitude {
        let given = [kw.map { ($0, MagnitudeUnit.kW) }, mw.map { ($0, .MW) }, percent.map { ($0, .percent) }]
            .compactMap { $0 }
        guard given.count == 1, let (value, unit) = given.first else {
            throw CLIError(
                code: 2, message: "give exactly one of --kw, --mw\(percentAllowed ? " and --percent" : "")")
        }
        guard percentAllowed || unit != .percent else {
            throw CLIError(code: 2, message: "--percent is only for curtail; use --kw or --mw")
        }
        return CommandMagnitude(value: value, unit: unit)
    }
}

/// `--from T --until T | --for 15m` and `--reason`.
struct WindowOptions: ParsableArguments {
    @Option(help: "Start, ISO 8601 (default now).") var from: String?
    @Option(help: "End, ISO 8601.") var until: String?
    @Option(name: .customLong("for"), help: "Duration: 90s, 15m, 1h, 1h30m or seconds.") var duration: String?
    @Option(help: "Why (required; kept with the command and in the audit log).") var reason: String

    /// The window of a request; `defaultSeconds` when neither --until nor --for is given (nil: one is required).
    func window(defaultSeconds: Double? = nil) throws -> (start: Date?, end: Date?, seconds: Double?) {
        let start = try from.map { try isoDate($0, "from") }
        let end = try until.map { try isoDate($0, "until") }
        let seconds = try duration.map { text -> Double in
            guard let s = parseDuration(text) else {
                throw CLIError(code: 2, message: "--for '\(text)' is not a duration such as 90s, 15m, 1h or 1h30m")
            }
            return s
        }
        guard end != nil || seconds != nil || defaultSeconds != nil else {
            throw CLIError(code: 2, message: "give --until or --for")
        }
        return (start, end, end == nil ? (seconds ?? defaultSeconds) : seconds)
    }
}

/// `90s`, `15m`, `1h`, `1h30m`, `2d`, or plain seconds; nil when it is none of these or not positive.
func parseDuration(_ text: String) -> Double? {
    if let plain = Double(text) { return plain > 0 ? plain : nil }
    let units: [Character: Double] = ["s": 1, "m": 60, "h": 3600, "d": 86_400]
    var total = 0.0
    var digits = ""
    for ch in text {
        if ch.isNumber || ch == "." {
            digits.append(ch)
        } else if let unit = units[ch], let n = Double(digits) {
            total += n * unit
            digits = ""
        } else {
            return nil
        }
    }
    return digits.isEmpty && total > 0 ? total : nil
}

/// An ISO 8601 instant from an option, or a usage error naming it.
func isoDate(_ text: String, _ option: String) throws -> Date {
    guard let d = try? Date(text, strategy: .iso8601) else {
        throw CLIError(code: 2, message: "--\(option) '\(text)' is not ISO 8601 (2026-01-31T12:00:00Z)")
    }
    return d
}

/// Sends a command request (to `path`, default `/v1/commands`) and prints the reply: the command, what the
/// fleet can do now and any clamping. Shared by `vppctl dispatch …` and `vppctl command create`.
func submitCommand(_ request: CommandRequest, options: ClientOptions) async throws {
    let encoder = JSONEncoder()
    encoder.dateEncodingStrategy = .iso8601
    try await submit(try encoder.encode(request), to: "/v1/commands", options: options)
}

func submit(_ body: Data, to path: String, options: ClientOptions) async throws {
    let client = try options.client()
    let data = try await client.send("POST", path, body: body)
    if options.json { return printJSON(data) }
    let c = try client.decode(CommandAnswer.self, data)
    let check = try client.decode(ReceiptAnswer.self, data)
    print(
        "accepted \(c.id) (\(c.status)): \(c.kind) \(c.target.text)\(c.magnitude.map { " " + $0.text } ?? "") \(iso(c.start)) – \(iso(c.end))"
    )
    if let f = check.feasibility {
        var line = "fleet now: \(f.usableDevices) usable, \(f.unavailableDevices) unavailable device(s)"
        if let r = f.requestedKW, let a = f.feasibleKW {
            line += "; requested \(fmt(r, 3)) kW, feasible \(fmt(a, 3)) kW"
        }
        print(line)
        if let note = f.note { print("note: \(note)") }
    }
    if let k = check.clamped {
        print("CLAMPED: requested \(fmt(k.requestedKW, 3)) kW → feasible \(fmt(k.feasibleKW, 3)) kW: \(k.reason)")
    }
}

/// The feasibility part of a command reply (the command itself decodes as `CommandAnswer`).
struct ReceiptAnswer: Decodable {
    struct Check: Decodable {
        var usableDevices: Int
        var unavailableDevices: Int
        var requestedKW: Double?
        var feasibleKW: Double?
        var note: String?
    }
    struct Clamp: Decodable {
        var requestedKW: Double
        var feasibleKW: Double
        var reason: String
    }
    var feasibility: Check?
    var clamped: Clamp?
}

/// What every dispatch subcommand has: where, when, why, and how it becomes a request.
protocol DispatchSubcommand: AsyncParsableCommand {
    var options: ClientOptions { get }
    var target: TargetOptions { get }
    var window: WindowOptions { get }
    /// The command kind and magnitude.
    func kindAndMagnitude() throws -> (CommandKind, CommandMagnitude?)
    /// Window length when neither --until nor --for is given, seconds (nil: one is required).
    var defaultSeconds: Double? { get }
}

extension DispatchSubcommand {
    var defaultSeconds: Double? { nil }

    func run() async throws {
        try await runReporting {
            let (kind, magnitude) = try kindAndMagnitude()
            let w = try window.window(defaultSeconds: defaultSeconds)
            try await submitCommand(
                CommandRequest(
                    kind: kind, target: try target.target(), magnitude: magnitude, start: w.start, end: w.end,
                    durationSeconds: w.seconds, reason: window.reason),
                options: options)
        }
    }
}

struct CurtailDispatch: DispatchSubcommand {
    static let configuration = CommandConfiguration(
        commandName: "curtail", abstract: "Limit PV output to a percent of rated power or to kW.")
    @OptionGroup var options: ClientOptions
    @OptionGroup var target: TargetOptions
    @OptionGroup var magnitude: MagnitudeOptions
    @OptionGroup var window: WindowOptions
    func kindAndMagnitude() throws -> (CommandKind, CommandMagnitude?) {
        (.curtailPV, try magnitude.magnitude(percentAllowed: true))
    }
}

struct ChargeDispatch: DispatchSubcommand {
    static let configuration = CommandConfiguration(
        commandName: "charge", abstract: "Charge storage and V2G at a power (kW or MW).")
    @OptionGroup var options: ClientOptions
    @OptionGroup var target: TargetOptions
    @OptionGroup var magnitude: MagnitudeOptions
    @OptionGroup var window: WindowOptions
    func kindAndMagnitude() throws -> (CommandKind, CommandMagnitude?) {
        (.charge, try magnitude.magnitude(percentAllowed: false))
    }
}

struct DischargeDispatch: DispatchSubcommand {
    static let configuration = CommandConfiguration(
        commandName: "discharge", abstract: "Discharge storage and V2G at a power (kW or MW).")
    @OptionGroup var options: ClientOptions
    @OptionGroup var target: TargetOptions
    @OptionGroup var magnitude: MagnitudeOptions
    @OptionGroup var window: WindowOptions
    func kindAndMagnitude() throws -> (CommandKind, CommandMagnitude?) {
        (.discharge, try magnitude.magnitude(percentAllowed: false))
    }
}

struct HoldDispatch: DispatchSubcommand {
    static let configuration = CommandConfiguration(
        commandName: "hold", abstract: "Freeze the target's output where it is.")
    @OptionGroup var options: ClientOptions
    @OptionGroup var target: TargetOptions
    @OptionGroup var window: WindowOptions
    func kindAndMagnitude() throws -> (CommandKind, CommandMagnitude?) { (.hold, nil) }
}

struct ReleaseDispatch: DispatchSubcommand {
    static let configuration = CommandConfiguration(
        commandName: "release", abstract: "Return the target to automatic (schedule) control for a window.")
    @OptionGroup var options: ClientOptions
    @OptionGroup var target: TargetOptions
    @OptionGroup var window: WindowOptions
    func kindAndMagnitude() throws -> (CommandKind, CommandMagnitude?) { (.release, nil) }
}

struct EmergencyStopDispatch: DispatchSubcommand {
    static let configuration = CommandConfiguration(
        commandName: "estop",
        abstract: "Emergency stop: everything in scope to its safe state now (for 24 h unless --for/--until).",
        discussion: "End it early with `vppctl dispatch cancel ID`.")
    @OptionGroup var options: ClientOptions
    @OptionGroup var target: TargetOptions
    @OptionGroup var window: WindowOptions
    var defaultSeconds: Double? { 86_400 }
    func kindAndMagnitude() throws -> (CommandKind, CommandMagnitude?) { (.emergencyStop, nil) }
}

struct OverrideDispatch: DispatchSubcommand {
    static let configuration = CommandConfiguration(
        commandName: "override",
        abstract: "Replace the market schedule for a window with an aggregate target (kW or MW, + = export).")
    @OptionGroup var options: ClientOptions
    @OptionGroup var target: TargetOptions
    @OptionGroup var magnitude: MagnitudeOptions
    @OptionGroup var window: WindowOptions
    func kindAndMagnitude() throws -> (CommandKind, CommandMagnitude?) {
        (.overrideSchedule, try magnitude.magnitude(percentAllowed: false))
    }
}

/// `vppctl dispatch grid`: a dispatch centre's instruction, sent to `POST /v1/grid-instructions`.
struct GridDispatch: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "grid",
        abstract: "A real-time grid dispatch instruction: aggregate MW target (+ = export) for a window.")
    @OptionGroup var options: ClientOptions
    @Option(help: "Aggregate target, MW (+ = export; write a negative one as --mw=-1.5).") var mw: Double
    @Option(help: "Only this site (default the whole fleet).") var site: String?
    @Option(help: "The dispatch centre's instruction id.") var reference: String?
    @OptionGroup var window: WindowOptions

    func run() async throws {
        try await runReporting {
            let w = try window.window()
            var body: [String: Any] = ["targetMW": mw, "reason": window.reason]
            body["start"] = w.start.map(iso)
            body["end"] = w.end.map(iso)
            body["durationSeconds"] = w.seconds
            body["reference"] = reference
            body["site"] = site
            try await submit(
                try JSONSerialization.data(withJSONObject: body), to: "/v1/grid-instructions", options: options)
        }
    }
}
