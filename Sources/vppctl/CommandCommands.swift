import ArgumentParser
import Foundation
import VPPCore

struct CommandsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "commands", abstract: "List operator commands, newest first.")
    @OptionGroup var options: ClientOptions
    @Option(help: "Only these statuses, comma-separated (pending,active,…).") var status: String?
    @Option(help: "At most this many (1…1000).") var limit: Int = 50

    func run() async throws {
        try await runReporting {
            let (list, data) = try await options.client().get(
                CommandListAnswer.self, "/v1/commands", query: ["status": status, "limit": String(limit)])
            if options.json { return printJSON(data) }
            var t = Table(
                "ID", "STATUS", "KIND", "TARGET", "MAGNITUDE", "START", "END", "AUTHOR", "REASON", "DETAIL")
            for c in list.commands {
                t.add(
                    c.id, c.status, c.kind, c.target.text, c.magnitude?.text ?? "-", iso(c.start), iso(c.end),
                    c.author, c.reason, c.statusDetail ?? "-")
            }
            print(t.render())
        }
    }
}

struct CommandGroup: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "command",
        abstract: "Create or cancel an operator command (generic form of `vppctl dispatch`).",
        subcommands: [CreateCommand.self, CancelCommand.self])
}

struct CreateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create", abstract: "Create an operator command (operator or admin).",
        discussion: """
            Example: vppctl command create --kind curtailPV --target device:pv-1 --value 50 --unit percent \
            --duration 900 --reason "grid operator request"
            """)
    @OptionGroup var options: ClientOptions
    @Option(help: "One of \(CommandKind.allCases.map(\.rawValue).joined(separator: ", ")).") var kind: String
    @Option(help: "fleet, site:ID or device:ID.") var target: String
    @Option(help: "Magnitude (omit for hold, release, emergencyStop).") var value: Double?
    @Option(help: "Unit of the magnitude: kW, MW or percent.") var unit: String = "kW"
    @Option(help: "Start, ISO 8601 (default now).") var start: String?
    @Option(help: "End, ISO 8601.") var end: String?
    @Option(help: "Duration, seconds (instead of --end).") var duration: Double?
    @Option(help: "Why (required).") var reason: String

    func run() async throws {
        try await runReporting {
            guard let kind = CommandKind(rawValue: kind) else {
                throw CLIError(code: 2, message: "unknown --kind '\(self.kind)'")
            }
            let parts = target.split(separator: ":", maxSplits: 1).map(String.init)
            guard let target = CommandTarget(scope: parts[0], id: parts.count > 1 ? parts[1] : nil) else {
                throw CLIError(
                    code: 2, message: "--target must be fleet, site:ID or device:ID, got '\(self.target)'")
            }
            guard let unit = MagnitudeUnit(rawValue: unit) else {
                throw CLIError(code: 2, message: "--unit must be kW, MW or percent, got '\(self.unit)'")
            }
            try await submitCommand(
                CommandRequest(
                    kind: kind, target: target, magnitude: value.map { CommandMagnitude(value: $0, unit: unit) },
                    start: try start.map { try isoDate($0, "start") }, end: try end.map { try isoDate($0, "end") },
                    durationSeconds: duration, reason: reason),
                options: options)
        }
    }
}

struct CancelCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cancel", abstract: "Cancel a pending or active command (operator or admin).")
    @OptionGroup var options: ClientOptions
    @Argument(help: "Command id.") var id: String
    @Option(help: "Why.") var reason: String?

    func run() async throws {
        try await runReporting {
            guard
                let escaped = id.addingPercentEncoding(
                    withAllowedCharacters: .urlPathAllowed.subtracting(["/"]))
            else {
                throw CLIError(code: 2, message: "invalid command id '\(id)'")
            }
            let body = try JSONSerialization.data(withJSONObject: reason.map { ["reason": $0] } ?? [:])
            let client = try options.client()
            let data = try await client.send("POST", "/v1/commands/\(escaped)/cancel", body: body)
            if options.json { return printJSON(data) }
            let c = try client.decode(CommandAnswer.self, data)
            print("cancelled \(c.id) (\(c.status))")
        }
    }
}
