import Foundation

/// Operator commands (DESIGN §8, issue 6): every command has a start, an end, a bounded magnitude, an author
/// and a reason; it is persisted before it is acknowledged, auditable and cancellable.
///
/// `OperatorCommand` is the stored value. Requests from the API or `vppctl` arrive as `CommandRequest` and
/// become commands only through `CommandRequest.validated(...)` (CommandValidation.swift).

/// A command id: a UUID string (lower-case on output, any case accepted on input).
public struct CommandID: StringIdentifier {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    /// A fresh random id.
    public static func random() -> CommandID { CommandID(UUID().uuidString.lowercased()) }
}

/// What a command asks the fleet to do (issue 6 §4).
public enum CommandKind: String, Codable, Sendable, CaseIterable, Hashable {
    /// Limit PV output: magnitude in percent of rated power (0…100) or kW (≥ 0).
    case curtailPV
    /// Charge storage / V2G at a power: magnitude kW or MW (> 0, withdrawal).
    case charge
    /// Discharge storage / V2G at a power: magnitude kW or MW (> 0, injection).
    case discharge
    /// Freeze the targets' current output (no magnitude).
    case hold
    /// Return the targets to automatic (schedule) control (no magnitude).
    case release
    /// Everything in scope to its safe state now (no magnitude).
    case emergencyStop
    /// Replace the market schedule for a window with an aggregate target: kW or MW, any sign (positive = export).
    case overrideSchedule
    /// A real-time grid dispatch instruction: aggregate target kW or MW for a window, as a dispatch centre sends it.
    case gridInstruction

    /// Whether the kind carries a magnitude (true) or must not (false).
    public var needsMagnitude: Bool {
        switch self {
        case .curtailPV, .charge, .discharge, .overrideSchedule, .gridInstruction: return true
        case .hold, .release, .emergencyStop: return false
        }
    }
}

/// Which resources a command applies to.
public enum CommandTarget: Hashable, Sendable, Codable, CustomStringConvertible {
    case device(DeviceID)
    case site(SiteID)
    case fleet

    /// `device`, `site` or `fleet`.
    public var scope: String {
        switch self {
        case .device: return "device"
        case .site: return "site"
        case .fleet: return "fleet"
        }
    }

    /// The device or site id, nil for the fleet.
    public var id: String? {
        switch self {
        case .device(let d): return d.rawValue
        case .site(let s): return s.rawValue
        case .fleet: return nil
        }
    }

    /// Rebuilds a target from `scope` and `id`; nil when they do not fit together.
    public init?(scope: String, id: String?) {
        switch (scope, id) {
        case ("device", .some(let i)) where !i.isEmpty: self = .device(DeviceID(i))
        case ("site", .some(let i)) where !i.isEmpty: self = .site(SiteID(i))
        case ("fleet", nil): self = .fleet
        default: return nil
        }
    }

    /// `device:pv-1`, `site:hz-01`, `fleet`.
    public var description: String { id.map { "\(scope):\($0)" } ?? scope }

    private enum CodingKeys: String, CodingKey { case scope, id }

    /// JSON: `{"scope": "device", "id": "pv-1"}` or `{"scope": "fleet"}`.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let scope = try c.decode(String.self, forKey: .scope)
        let id = try c.decodeIfPresent(String.self, forKey: .id)
        guard let t = CommandTarget(scope: scope, id: id) else {
            throw DecodingError.dataCorruptedError(
                forKey: .scope, in: c,
                debugDescription: "target must be {scope: device|site, id: …} or {scope: fleet}")
        }
        self = t
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(scope, forKey: .scope)
        try c.encodeIfPresent(id, forKey: .id)
    }
}

/// The unit of a command magnitude.
public enum MagnitudeUnit: String, Codable, Sendable, CaseIterable, Hashable {
    case kW
    case MW
    case percent
}

/// A command magnitude with its unit: `{"value": 50, "unit": "percent"}`.
public struct CommandMagnitude: Hashable, Sendable, Codable, CustomStringConvertible {
    public var value: Double
    public var unit: MagnitudeUnit
    public init(value: Double, unit: MagnitudeUnit) {
        self.value = value
        self.unit = unit
    }
    /// The magnitude in kW for power units, nil for percent.
    public var kilowatts: Kilowatts? {
        switch unit {
        case .kW: return Kilowatts(value)
        case .MW: return Kilowatts(value * 1000)
        case .percent: return nil
        }
    }
    public var description: String { unit == .percent ? "\(value) %" : "\(value) \(unit.rawValue)" }
}

/// Lifecycle of a command. `pending` (accepted, start in the future) → `active` → `completed` at its end;
/// `pending`/`active` → `cancelled` by an operator; `pending` → `expired` when its window passed unused;
/// `rejected` is terminal for commands refused after persistence (e.g. infeasible at dispatch time).
public enum CommandStatus: String, Codable, Sendable, CaseIterable, Hashable {
    case pending
    case active
    case completed
    case cancelled
    case expired
    case rejected

    /// No transition leaves a terminal status.
    public var isTerminal: Bool {
        switch self {
        case .pending, .active: return false
        case .completed, .cancelled, .expired, .rejected: return true
        }
    }

    /// The statuses of a command that is not finished (pending, active), for queries.
    public static let open: [CommandStatus] = allCases.filter { !$0.isTerminal }

    /// The allowed transitions, enforced by the store.
    public func canTransition(to next: CommandStatus) -> Bool {
        switch (self, next) {
        case (.pending, .active), (.pending, .cancelled), (.pending, .expired), (.pending, .rejected),
            (.active, .completed), (.active, .cancelled), (.active, .rejected):
            return true
        default:
            return false
        }
    }
}

/// A stored operator command.
public struct OperatorCommand: Hashable, Sendable, Codable {
    public var id: CommandID
    public var kind: CommandKind
    public var target: CommandTarget
    /// nil for kinds without a magnitude (`hold`, `release`, `emergencyStop`).
    public var magnitude: CommandMagnitude?
    /// When the command takes effect (UTC).
    public var start: Date
    /// When it ends (UTC), exclusive; always after `start`.
    public var end: Date
    /// Who issued it (token name or user).
    public var author: String
    /// Why: free text, required.
    public var reason: String
    public var status: CommandStatus
    /// Why the status is what it is (rejection reason, clamping applied, …), if anything worth saying.
    public var statusDetail: String?
    public var createdAt: Date
    public var updatedAt: Date
    public var cancelledBy: String?
    public var cancelReason: String?
    public var cancelledAt: Date?

    public init(
        id: CommandID, kind: CommandKind, target: CommandTarget, magnitude: CommandMagnitude?,
        start: Date,
        end: Date, author: String, reason: String, status: CommandStatus = .pending,
        statusDetail: String? = nil,
        createdAt: Date, updatedAt: Date? = nil, cancelledBy: String? = nil,
        cancelReason: String? = nil,
        cancelledAt: Date? = nil
    ) {
        self.id = id
        self.kind = kind
        self.target = target
        self.magnitude = magnitude
        self.start = start
        self.end = end
        self.author = author
        self.reason = reason
        self.status = status
        self.statusDetail = statusDetail
        self.createdAt = createdAt
        self.updatedAt = updatedAt ?? createdAt
        self.cancelledBy = cancelledBy
        self.cancelReason = cancelReason
        self.cancelledAt = cancelledAt
    }

    /// Duration in seconds.
    public var duration: TimeInterval { end.timeIntervalSince(start) }

    /// Whether the command's window contains `instant` (start inclusive, end exclusive). Status is not checked.
    public func covers(_ instant: Date) -> Bool { start <= instant && instant < end }

    /// Whether the command is in force at `instant`: not finished, and its window covers it. The one
    /// definition (DESIGN §8): the store's `inForce` query, the loop's open commands and dispatch's
    /// `ActiveCommands` all answer with it.
    public func isInForce(at instant: Date) -> Bool { !status.isTerminal && covers(instant) }

    /// The status the clock moves the command to at `instant`, nil when none is due: a pending command becomes
    /// active once its window begins; once the window has ended an active one completes and a pending one
    /// expires unused. Operators' cancellations and dispatch's rejections are not the clock's.
    public func clockStatus(at instant: Date) -> CommandStatus? {
        switch status {
        case .pending:
            if end <= instant { return .expired }
            return start <= instant ? .active : nil
        case .active:
            return end <= instant ? .completed : nil
        case .completed, .cancelled, .expired, .rejected:
            return nil
        }
    }
}
