import Fleet
import Foundation
import VPPCore

/// Why an operator command is refused (issue 6 §4: "rejected with the reason when it is infeasible").
public enum CommandRejection: Error, Hashable, Sendable, CustomStringConvertible {
    /// The target names a device that is not configured.
    case unknownDevice(DeviceID)
    /// The target names a site with no configured devices.
    case unknownSite(SiteID)
    /// No device in the target can do this kind of command; `kinds` are the kinds the target does have.
    case unsupportedKind(CommandKind, target: CommandTarget, kinds: [DeviceKind])
    /// The devices that could do it have no capability right now (stale, down, SOC at its limit, unplugged).
    case noCapability(CommandKind, target: CommandTarget, detail: String)
    /// The magnitude does not fit the kind (missing, or percent where power is needed).
    case invalidMagnitude(CommandKind, detail: String)

    public var description: String {
        switch self {
        case .unknownDevice(let id): return "unknown device \(id)"
        case .unknownSite(let id): return "unknown site \(id): no configured device belongs to it"
        case .unsupportedKind(let k, let t, let kinds):
            let have = kinds.isEmpty ? "no devices" : kinds.map(\.rawValue).joined(separator: ", ")
            return "\(k.rawValue) is not supported by \(t): it has \(have)"
        case .noCapability(let k, let t, let detail):
            return "\(k.rawValue) on \(t) is infeasible now: \(detail)"
        case .invalidMagnitude(let k, let detail): return "\(k.rawValue): \(detail)"
        }
    }
}

/// An accepted command with what it asked for and what the fleet can deliver now.
public struct CommandAcceptance: Hashable, Sendable, CustomStringConvertible {
    public var kind: CommandKind
    public var target: CommandTarget
    /// The power asked for, kW (curtailment: the output cap; charge: positive magnitude of withdrawal;
    /// discharge, override, grid instruction: the aggregate, positive = injection). nil for hold, release, stop.
    public var requestedKW: Double?
    /// What the target's usable devices can deliver now, kW, same convention. nil when `requestedKW` is.
    public var achievableKW: Double?
    /// Devices in the target that the command acts on and that are usable now.
    public var usableDevices: Int
    /// Devices in the target of a kind the command acts on but stale, down or never seen.
    public var unavailableDevices: Int
    /// Anything worth saying beyond the numbers (a curtailment above today's output is not binding now, …).
    public var note: String?

    /// Clamping below this is rounding, kW.
    public static let toleranceKW = 1e-6

    /// True when the fleet cannot deliver the full request now.
    public var isClamped: Bool {
        guard let r = requestedKW, let a = achievableKW else { return false }
        return abs(r - a) > Self.toleranceKW
    }

    /// The reply text: "accepted" or "accepted with clamping: requested …, achievable …".
    public var description: String {
        var s = "accepted"
        if isClamped, let r = requestedKW, let a = achievableKW {
            s += " with clamping: requested \(Self.fmt(r)) kW, achievable \(Self.fmt(a)) kW"
        }
        s += " (\(usableDevices) usable device\(usableDevices == 1 ? "" : "s")"
        if unavailableDevices > 0 { s += ", \(unavailableDevices) unavailable" }
        s += ")"
        if let note { s += "; \(note)" }
        return s
    }

    static func fmt(_ v: Double) -> String { String(format: "%.3f", v) }
}

/// Feasibility verdict for one command.
public enum CommandVerdict: Hashable, Sendable {
    case accepted(CommandAcceptance)
    case rejected(CommandRejection)

    public var isAccepted: Bool {
        if case .accepted = self { return true }
        return false
    }
}

/// Decides whether an operator command can be carried out with the fleet as it is now, from the fleet's
/// flexibility (`FleetAggregate`). Pure: same command, devices and aggregate, same verdict.
///
/// Choices:
/// - **Emergency stop and release are never refused** for capability: a stop must reach every device as soon
///   as it answers again, and a release only removes constraints. They are refused only for an unknown target
///   or one without controllable devices.
/// - **Curtailment** is always achievable by usable PV (output can go to 0); a cap above today's output is
///   accepted and noted as not binding now.
/// - **Charge / discharge** are clamped to the sum of the usable storage and V2G headroom in that direction
///   (the flexibility envelopes, which already keep SOC windows and V2G departures); zero headroom is a rejection.
/// - **Override and grid instructions** are clamped into the aggregate envelope of the usable devices in scope.
/// - Stale, down or never-seen devices contribute nothing (DESIGN §8), but their count is reported.
public enum CommandFeasibility {
    /// The verdict for `command` against `devices` (the configuration) and `aggregate` (flexibility now).
    public static func evaluate(
        _ command: OperatorCommand, devices: [DeviceDescriptor], aggregate: FleetAggregate
    ) -> CommandVerdict {
        let scope = devices.filter { CommandLimits.applies(command.target, to: $0) }
        if scope.isEmpty {
            switch command.target {
            case .device(let id): return .rejected(.unknownDevice(id))
            case .site(let id): return .rejected(.unknownSite(id))
            case .fleet:
                return .rejected(
                    .noCapability(command.kind, target: .fleet, detail: "no devices are configured"))
            }
        }
        let kinds = actingKinds(command.kind)
        let relevant = scope.filter { kinds.contains($0.kind) }
        guard !relevant.isEmpty else {
            let have = Set(scope.map(\.kind)).sorted { $0.rawValue < $1.rawValue }
            return .rejected(.unsupportedKind(command.kind, target: command.target, kinds: have))
        }
        let usable = relevant.filter { aggregate.health[$0.id] == .ok }
        var acceptance = CommandAcceptance(
            kind: command.kind, target: command.target, requestedKW: nil, achievableKW: nil,
            usableDevices: usable.count, unavailableDevices: relevant.count - usable.count, note: nil)
        func none(_ why: String) -> CommandVerdict {
            .rejected(.noCapability(command.kind, target: command.target, detail: why))
        }
        let unusable = "no usable device (\(relevant.count) stale, down or never seen)"
        let flex = usable.map { aggregate.devices[$0.id] ?? .unavailable }

        switch command.kind {
        case .emergencyStop, .release:
            return .accepted(acceptance)
        case .hold:
            return usable.isEmpty ? none(unusable) : .accepted(acceptance)
        case .curtailPV:
            guard !usable.isEmpty else { return none(unusable) }
            guard let m = command.magnitude else {
                return .rejected(
                    .invalidMagnitude(command.kind, detail: "a percent or power magnitude is required"))
            }
            let output = flex.reduce(0) { $0 + $1.powerKW.value }
            let cap: Double
            if m.unit == .percent {
                let pct = min(100, max(0, m.value))
                cap = usable.reduce(0) { $0 + max(0, $1.ratedPowerKW) } * pct / 100
            } else {
                cap = max(0, m.kilowatts?.value ?? 0)
            }
            acceptance.requestedKW = cap
            acceptance.achievableKW = cap
            if cap >= output {
                acceptance.note = "not binding now: PV output is \(CommandAcceptance.fmt(output)) kW"
            }
            return .accepted(acceptance)
        case .charge, .discharge:
            guard let kw = command.magnitude?.kilowatts?.value, kw.isFinite else {
                return .rejected(
                    .invalidMagnitude(command.kind, detail: "a kW or MW magnitude is required"))
            }
            guard !usable.isEmpty else { return none(unusable) }
            let headroom =
                command.kind == .charge
                ? flex.reduce(0) { $0 + max(0, -$1.minKW.value) }
                : flex.reduce(0) { $0 + max(0, $1.maxKW.value) }
            guard headroom > CommandAcceptance.toleranceKW else {
                let dir = command.kind == .charge ? "absorb" : "deliver"
                return none(
                    "the usable storage and V2G can \(dir) 0 kW now (SOC window, departure or device limits)")
            }
            acceptance.requestedKW = abs(kw)
            acceptance.achievableKW = min(abs(kw), headroom)
            return .accepted(acceptance)
        case .overrideSchedule, .gridInstruction:
            guard let kw = command.magnitude?.kilowatts?.value, kw.isFinite else {
                return .rejected(
                    .invalidMagnitude(command.kind, detail: "a kW or MW magnitude is required"))
            }
            guard !usable.isEmpty else { return none(unusable) }
            let lo = flex.reduce(0) { $0 + $1.minKW.value }
            let hi = flex.reduce(0) { $0 + $1.maxKW.value }
            acceptance.requestedKW = kw
            acceptance.achievableKW = min(hi, max(lo, kw))
            return .accepted(acceptance)
        }
    }

    /// The verdict against a live fleet at `now`.
    public static func evaluate(
        _ command: OperatorCommand, fleet: FleetState, now: Date = Date(),
        model: FlexibilityModel = FlexibilityModel()
    ) -> CommandVerdict {
        let snaps = fleet.snapshotAll()
        let aggregate = FleetAggregate(snapshots: snaps.values, now: now, model: model)
        let devices = snaps.values.map(\.descriptor).sorted { $0.id < $1.id }
        return evaluate(command, devices: devices, aggregate: aggregate)
    }

    /// The device kinds a command acts on.
    public static func actingKinds(_ kind: CommandKind) -> Set<DeviceKind> {
        Set(DeviceKind.allCases.filter { DispatchKinds.obeys($0, kind) })
    }
}
