import DispatchControl
import Foundation
import VPPCore

/// `GET /v1/commands`.
public struct CommandListView: Codable, Sendable {
    public var count: Int
    public var commands: [OperatorCommand]
}

/// Body of `POST /v1/commands/{id}/cancel` (optional).
public struct CancelRequest: Codable, Sendable {
    public var reason: String?
    public init(reason: String? = nil) { self.reason = reason }
}

/// `GET /v1/audit`.
public struct AuditListView: Codable, Sendable {
    public var count: Int
    public var entries: [AuditEntry]
}

/// What the feasibility check of a new command found (issue 6 §4): how many devices can act on it now and, for
/// commands with a power, what was asked and what the fleet can deliver now (kW; curtailment: the output cap;
/// charge and discharge: the magnitude; override and grid instruction: the aggregate, positive = injection).
public struct CommandCheck: Codable, Sendable, Hashable {
    /// The fleet can deliver less than asked: by how much and why.
    public struct Clamp: Codable, Sendable, Hashable {
        public var requestedKW: Double
        public var feasibleKW: Double
        public var reason: String
    }

    /// Devices the command acts on that answer now.
    public var usableDevices: Int
    /// Devices the command would act on that are stale, down or never seen.
    public var unavailableDevices: Int
    public var requestedKW: Double?
    public var feasibleKW: Double?
    /// Anything worth saying beyond the numbers (a curtailment that is not binding now, …).
    public var note: String?
    /// Set when `feasibleKW` falls short of `requestedKW`; the reply carries it at the top level.
    public var clamped: Clamp?

    private enum CodingKeys: String, CodingKey {
        case usableDevices, unavailableDevices, requestedKW, feasibleKW, note
    }

    public init(
        usableDevices: Int, unavailableDevices: Int, requestedKW: Double? = nil, feasibleKW: Double? = nil,
        note: String? = nil, clamped: Clamp? = nil
    ) {
        self.usableDevices = usableDevices
        self.unavailableDevices = unavailableDevices
        self.requestedKW = requestedKW
        self.feasibleKW = feasibleKW
        self.note = note
        self.clamped = clamped
    }

    /// The check of an accepted command, with the clamping reason worded for its kind.
    init(_ a: CommandAcceptance, command: OperatorCommand) {
        self.init(
            usableDevices: a.usableDevices, unavailableDevices: a.unavailableDevices, requestedKW: a.requestedKW,
            feasibleKW: a.achievableKW, note: a.note)
        guard a.isClamped, let requested = a.requestedKW, let feasible = a.achievableKW else { return }
        let kw = String(format: "%.3f kW", feasible)
        let why: String
        switch command.kind {
        case .charge:
            why = "the usable storage and V2G can absorb at most \(kw) now (SOC windows, departure needs, limits)"
        case .discharge:
            why = "the usable storage and V2G can deliver at most \(kw) now (SOC windows, departure needs, limits)"
        default:
            why =
                "the usable devices in scope reach \(feasible < requested ? "at most" : "at least") \(kw) now "
                + "(their flexibility envelope)"
        }
        clamped = Clamp(requestedKW: requested, feasibleKW: feasible, reason: why)
    }

    /// One line for the command's `statusDetail` and the audit log.
    public var summary: String {
        var s = "accepted"
        if let c = clamped {
            s += String(format: " with clamping: requested %.3f kW, feasible %.3f kW now", c.requestedKW, c.feasibleKW)
        }
        s += " (\(usableDevices) usable, \(unavailableDevices) unavailable)"
        if let c = clamped { s += "; \(c.reason)" }
        if let note { s += "; \(note)" }
        return s
    }
}

/// The reply to a new command: the stored command, the feasibility check (`feasibility`) and, when the fleet
/// can deliver less than asked, `clamped: {requestedKW, feasibleKW, reason}`.
public struct CommandReceipt: Encodable, Sendable, Hashable {
    public var command: OperatorCommand
    public var check: CommandCheck

    private enum CodingKeys: String, CodingKey { case feasibility, clamped }

    /// The command's own members, then `feasibility` and `clamped` beside them.
    public func encode(to encoder: any Encoder) throws {
        try command.encode(to: encoder)
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(check, forKey: .feasibility)
        try c.encodeIfPresent(check.clamped, forKey: .clamped)
    }
}

/// Body of `POST /v1/grid-instructions`: a real-time dispatch instruction as a dispatch centre sends it — an
/// aggregate target in MW (positive = injection) for a window. It becomes a `gridInstruction` command (fleet, or
/// one site), so it is validated, checked, stored, listed and cancelled like every other command.
public struct GridInstructionRequest: Codable, Sendable, Hashable {
    /// Aggregate target, MW (positive = net injection, DOMAIN §7).
    public var targetMW: Double
    /// Start (default now) and end, or `durationSeconds` instead of `end`.
    public var start: Date?
    public var end: Date?
    public var durationSeconds: Double?
    /// Why (required), e.g. the dispatch centre's wording.
    public var reason: String
    /// The dispatch centre's own instruction id, kept in front of the reason (`[ref] reason`).
    public var reference: String?
    /// Longest `reference`, Unicode scalars (the OpenAPI document's `maxLength`).
    public static let maxReference = 200
    /// A site the instruction addresses; nil for the whole fleet.
    public var site: String?

    public init(
        targetMW: Double, start: Date? = nil, end: Date? = nil, durationSeconds: Double? = nil, reason: String,
        reference: String? = nil, site: String? = nil
    ) {
        self.targetMW = targetMW
        self.start = start
        self.end = end
        self.durationSeconds = durationSeconds
        self.reason = reason
        self.reference = reference
        self.site = site
    }

    /// The operator command request it stands for.
    public var commandRequest: CommandRequest {
        let ref = reference?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        return CommandRequest(
            kind: .gridInstruction, target: site.map { .site(SiteID($0)) } ?? .fleet,
            magnitude: CommandMagnitude(value: targetMW, unit: .MW), start: start, end: end,
            durationSeconds: durationSeconds,
            reason: (ref.isEmpty ? "" : "[\(ref)] ") + reason)
    }
}
