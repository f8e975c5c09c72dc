import CoreMetrics
import DeviceIO
import DispatchControl
import Fleet
import Foundation
import Store
import Synchronization
import VPPCore

/// Operator commands at the edge (DESIGN §1): authorize → validate → check feasibility against the live fleet
/// → persist with its audit entry in the same transaction → acknowledge. `create` returns only after the row is
/// committed (`.durable`: WAL fsynced), so a 201 is never sent for a command a crash could lose.
///
/// Feasibility (issue 6 §4) is DispatchControl's `CommandFeasibility` on the fleet as it is now:
/// - an unknown target, a kind no device in scope can do, or usable devices without any headroom in the asked
///   direction → 422 with the reason, recorded in the audit log (`command.reject`), nothing stored;
/// - otherwise accepted, and the reply states the clamping (`requestedKW` vs `feasibleKW`) when the fleet can
///   deliver less than asked. The stored command keeps the magnitude asked for (the dispatch loop clamps again
///   every cycle, so a fleet that recovers delivers more); the clamping is kept in `statusDetail`.
/// - **Unavailable is not infeasible.** When every device the command acts on is stale, down or never seen, the
///   command is accepted with a feasible power of 0 kW and says so: an operator's curtailment or stop must not
///   be lost because telemetry is late; it acts as soon as the devices answer.
/// - **Later is not now.** A command that starts beyond the flexibility horizon (one market interval by
///   default) is refused for capability only when it could never act (unknown target, wrong kinds); batteries
///   empty now may be full by then, so "nothing can act now" is stated (0 kW feasible now), not refused.
public final class CommandService: Sendable {
    /// Commands pending or active at once, at most (README "API limits"). Every control cycle weighs every
    /// command in force against every device, so their number is the loop's work: a client posting commands
    /// in a loop (`vppbench flood`) once had 4,800 in force and a 3 ms tick took 200 ms. An aggregator's
    /// operators run a handful; 256 leaves room for scripted grid instructions without letting the loop drown.
    public static let maxOpenCommands = 256

    public let store: Store
    let fleet: FleetHandle
    private let boundsState: Mutex<CommandBounds>

    public init(store: Store, fleet: FleetHandle, bounds: CommandBounds = .default) {
        self.store = store
        self.fleet = fleet
        self.boundsState = Mutex(bounds)
    }

    /// The sanity bounds in force (replaced on reload).
    public var bounds: CommandBounds {
        get { boundsState.withLock { $0 } }
        set { boundsState.withLock { $0 = newValue } }
    }

    /// Validates `request`, checks it against the live fleet, persists it with an audit entry and returns the
    /// stored command with the feasibility check. Throws `ServiceError` (invalid, naming the field) for anything invalid,
    /// and 422 `infeasible_command` with the reason when the fleet cannot do it at all.
    public func create(
        _ request: CommandRequest, by principal: Principal, from address: String, now: Date = Date()
    )
        async throws -> CommandReceipt
    {
        var command: OperatorCommand
        do {
            command = try request.validated(author: principal.name, now: now, bounds: bounds)
        } catch {
            throw ServiceError.invalid("invalid_command", error.description)
        }
        let check: CommandCheck
        do {
            check = try feasibility(of: command, now: now)
        } catch let refusal as ServiceError {
            let audit = AuditEntry(
                at: now, actor: principal.name, role: principal.role.rawValue, action: "command.reject",
                target: command.target.description, detail: "\(Self.summary(command)) — \(refusal.detail)",
                sourceAddress: address)
            _ = try? await store.audit.append(audit)
            throw refusal
        }
        command.statusDetail = check.summary
        let audit = AuditEntry(
            at: now, actor: principal.name, role: principal.role.rawValue, action: "command.create",
            target: command.id.rawValue, detail: Self.summary(command) + " — " + check.summary,
            sourceAddress: address)
        let stored = command
        try await timedWrite("command_create") {
            try await self.store.commands.create(stored, audit: audit, maxOpen: Self.maxOpenCommands)
        }
        return CommandReceipt(command: command, check: check)
    }

    /// Cancels a pending or active command; 404 if unknown, 409 if already finished.
    public func cancel(
        _ id: CommandID, reason: String?, by principal: Principal, from address: String,
        now: Date = Date()
    )
        async throws -> OperatorCommand
    {
        // Counted as JSON Schema's maxLength counts: Unicode scalars of the text as sent (see CommandRequest).
        guard (reason?.unicodeScalars.count ?? 0) <= bounds.maxTextLength else {
            throw ServiceError.invalid("invalid_command",
                "reason: longer than \(bounds.maxTextLength) characters")
        }
        let reason =
            reason?.trimmingCharacters(in: .whitespacesAndNewlines).nilIfEmpty
            ?? "cancelled by \(principal.name)"
        guard reason.unicodeScalars.count <= bounds.maxTextLength else {
            throw ServiceError.invalid("invalid_command",
                "reason: longer than \(bounds.maxTextLength) characters")
        }
        let audit = AuditEntry(
            at: now, actor: principal.name, role: principal.role.rawValue, action: "command.cancel",
            target: id.rawValue,
            detail: reason, sourceAddress: address)
        return try await timedWrite("command_cancel") {
            try await self.store.commands.cancel(
                id, by: principal.name, reason: reason, at: now, audit: audit)
        }
    }

    public func get(_ id: CommandID) async throws -> OperatorCommand? {
        try await store.commands.get(id)
    }

    public func list(_ query: CommandQuery) async throws -> [OperatorCommand] {
        try await store.commands.list(query)
    }

    public func audit(_ query: AuditQuery) async throws -> [AuditEntry] {
        try await store.audit.list(query)
    }

    /// The feasibility of `command` against the live fleet at `now`; throws the 422 refusal. Only the devices
    /// in the command's scope are snapshotted and aggregated (one device for a device command), so checking
    /// stays cheap on a large fleet.
    func feasibility(of command: OperatorCommand, now: Date) throws -> CommandCheck {
        let inScope: [DeviceSnapshot]
        if case .device(let id) = command.target {
            inScope = fleet.state.snapshot(id).map { [$0] } ?? []
        } else {
            inScope = fleet.state.snapshotAll().values.filter {
                CommandLimits.applies(command.target, to: $0.descriptor)
            }
        }
        let aggregate = FleetAggregate(snapshots: inScope, now: now, model: fleet.model)
        switch CommandFeasibility.evaluate(command, devices: inScope.map(\.descriptor), aggregate: aggregate) {
        case .accepted(let acceptance):
            return CommandCheck(acceptance, command: command)
        case .rejected(let rejection):
            if case .noCapability = rejection,
                let check = Self.notNowCheck(command, inScope: inScope, now: now, horizon: fleet.model.horizon)
            {
                return check
            }
            throw Self.refusal(rejection)
        }
    }

    /// The acceptance of a command nothing can carry out right now but that is not refused (see the type's doc):
    /// every device it acts on is stale, down or never seen, or it starts beyond `horizon` seconds. nil when
    /// neither holds (then the rejection stands).
    static func notNowCheck(
        _ command: OperatorCommand, inScope: [DeviceSnapshot], now: Date, horizon: TimeInterval
    ) -> CommandCheck? {
        let kinds = CommandFeasibility.actingKinds(command.kind)
        let acting = inScope.filter { kinds.contains($0.descriptor.kind) }
        let usable = acting.filter { $0.health(now: now) == .ok }.count
        guard !acting.isEmpty else { return nil }
        let why: String
        if usable == 0 {
            why =
                "no device in scope answers now (\(acting.count) stale, down or never seen); "
                + "the command acts when they answer"
        } else if command.start.timeIntervalSince(now) > horizon {
            why =
                "nothing in scope can do this now; the command starts in "
                + "\(Int(command.start.timeIntervalSince(now) / 60)) min and acts on what the fleet can do then"
        } else {
            return nil
        }
        var check = CommandCheck(usableDevices: usable, unavailableDevices: acting.count - usable, note: why)
        if let kw = command.magnitude?.kilowatts?.value, command.kind != .curtailPV {
            let requested = command.kind == .charge || command.kind == .discharge ? abs(kw) : kw
            check.requestedKW = requested
            check.feasibleKW = 0
            if abs(requested) > CommandAcceptance.toleranceKW {
                check.clamped = CommandCheck.Clamp(
                    requestedKW: requested, feasibleKW: 0, reason: "0 kW feasible now: \(why)")
            }
        }
        return check
    }

    /// The API error for a refusal: `invalid_command` naming the field for what the request got wrong (target,
    /// kind, magnitude), `infeasible_command` when the fleet cannot do it now.
    static func refusal(_ rejection: CommandRejection) -> ServiceError {
        switch rejection {
        case .unknownDevice, .unknownSite:
            return ServiceError.invalid("invalid_command", "target.id: \(rejection)")
        case .unsupportedKind:
            return ServiceError.invalid("invalid_command", "kind: \(rejection)")
        case .invalidMagnitude:
            return ServiceError.invalid("invalid_command", "magnitude: \(rejection)")
        case .noCapability:
            return ServiceError.invalid("infeasible_command", "\(rejection)")
        }
    }

    /// Runs a store write and records its latency; store errors go to the caller as they are.
    func timedWrite<T: Sendable>(_ op: String, _ body: @Sendable () async throws -> T) async throws
        -> T
    {
        let start = ContinuousClock.now
        let result = try await body()
        Timer(label: MetricNames.storeWriteLatency, dimensions: [("op", op)]).recordInterval(since: start)
        return result
    }

    static func summary(_ c: OperatorCommand) -> String {
        let iso = Date.ISO8601FormatStyle()
        var s = "\(c.kind.rawValue) \(c.target)"
        if let m = c.magnitude { s += " \(m)" }
        s += " \(c.start.formatted(iso))–\(c.end.formatted(iso)): \(c.reason)"
        return s
    }
}

extension String {
    var nilIfEmpty: String? { isEmpty ? nil : self }
}
