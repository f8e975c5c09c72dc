import CoreMetrics
import Foundation
import Store
import Synchronization
import VPPCore

/// Operator commands at the edge (DESIGN §1): authorize → validate → persist with its audit entry in the same
/// transaction → acknowledge. `create` returns only after the row is committed (`.durable`: WAL fsynced), so a
/// 201 is never sent for a command a crash could lose.
public final class CommandService: Sendable {
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

    /// Validates `request`, checks that its target exists and can do what it asks, persists it with an audit
    /// entry and returns the stored command. Throws `APIError` 422 naming the field for anything invalid.
    public func create(
        _ request: CommandRequest, by principal: Principal, from address: String, now: Date = Date()
    )
        async throws -> OperatorCommand
    {
        let command: OperatorCommand
        do {
            command = try request.validated(author: principal.name, now: now, bounds: bounds)
        } catch {
            throw APIError(.unprocessableContent, "invalid_command", error.description)
        }
        try checkTarget(command)
        let audit = AuditEntry(
            at: now, actor: principal.name, role: principal.role.rawValue, action: "command.create",
            target: command.id.rawValue, detail: Self.summary(command), sourceAddress: address)
        try await timedWrite("command_create") {
            try await self.store.commands.create(command, audit: audit)
        }
        return command
    }

    /// Cancels a pending or active command; 404 if unknown, 409 if already finished.
    public func cancel(
        _ id: CommandID, reason: String?, by principal: Principal, from address: String,
        now: Date = Date()
    )
        async throws -> OperatorCommand
    {
        let reason =
            reason?.trimmingCharacters(in: .whitespacesAndNewlines).nilIfEmpty
            ?? "cancelled by \(principal.name)"
        guard reason.count <= bounds.maxTextLength else {
            throw APIError(
                .unprocessableContent, "invalid_command",
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
        do { return try await store.commands.get(id) } catch { throw Self.apiError(error) }
    }

    public func list(_ query: CommandQuery) async throws -> [OperatorCommand] {
        do { return try await store.commands.list(query) } catch { throw Self.apiError(error) }
    }

    public func audit(_ query: AuditQuery) async throws -> [AuditEntry] {
        do { return try await store.audit.list(query) } catch { throw Self.apiError(error) }
    }

    /// A device target must be configured and of a kind the command applies to; a site target must have devices.
    func checkTarget(_ command: OperatorCommand) throws {
        switch command.target {
        case .fleet:
            return
        case .site(let site):
            guard fleet.hasSite(site) else {
                throw APIError(
                    .unprocessableContent, "invalid_command",
                    "target.id: site '\(site)' has no configured devices")
            }
        case .device(let id):
            guard let device = fleet.deviceView(id) else {
                throw APIError(
                    .unprocessableContent, "invalid_command", "target.id: device '\(id)' is not configured")
            }
            let kind = DeviceKind(rawValue: device.kind)
            switch command.kind {
            case .curtailPV where kind != .pv:
                throw APIError(
                    .unprocessableContent, "invalid_command",
                    "kind: curtailPV needs a PV device; '\(id)' is \(device.kind)")
            case .charge, .discharge:
                guard kind == .storage || kind == .v2g else {
                    throw APIError(
                        .unprocessableContent, "invalid_command",
                        "kind: \(command.kind.rawValue) needs a storage or V2G device; '\(id)' is \(device.kind)"
                    )
                }
                if let kw = command.magnitude?.kilowatts?.value, kw > device.ratedPowerKW {
                    throw APIError(
                        .unprocessableContent, "invalid_command",
                        "magnitude.value: \(kw) kW exceeds the rated power \(device.ratedPowerKW) kW of '\(id)'"
                    )
                }
            case .curtailPV:
                if let kw = command.magnitude?.kilowatts?.value, kw > device.ratedPowerKW {
                    throw APIError(
                        .unprocessableContent, "invalid_command",
                        "magnitude.value: a limit of \(kw) kW is above the rated power \(device.ratedPowerKW) kW of '\(id)'"
                    )
                }
            default:
                return
            }
        }
    }

    /// Runs a store write, records its latency and maps store errors to API errors.
    func timedWrite<T: Sendable>(_ op: String, _ body: @Sendable () async throws -> T) async throws
        -> T
    {
        let start = ContinuousClock.now
        do {
            let result = try await body()
            Timer(label: MetricNames.storeWriteLatency, dimensions: [("op", op)]).recordInterval(
                since: start)
            return result
        } catch {
            throw Self.apiError(error)
        }
    }

    static func apiError(_ error: any Error) -> APIError {
        if let api = error as? APIError { return api }
        guard let store = error as? StoreError else { return .internalError("\(error)") }
        switch store {
        case .notFound: return .notFound(store.description)
        case .duplicate, .invalidTransition: return .conflict(store.description)
        case .invalidValue: return APIError(.unprocessableContent, "invalid", store.description)
        case .open, .migration, .database: return .unavailable("store: \(store.description)")
        }
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
