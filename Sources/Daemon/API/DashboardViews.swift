import Foundation
import Store
import VPPCore

/// `GET /v1/session`: who the bearer token is and what its role allows, so that the page can show only the
/// controls the role may use (the API still enforces every role on every route).
public struct SessionView: Codable, Sendable, Hashable {
    public var name: String
    public var role: String
    /// `read` (every role), `market` (trader, admin), `dispatch` (operator, admin), `admin`.
    public var allows: [String]

    init(_ p: Principal) {
        name = p.name
        role = p.role.rawValue
        var allows = ["read"]
        if p.role.permits(.trader) { allows.append("market") }
        if p.role.permits(.operator) { allows.append("dispatch") }
        if p.role == .admin { allows.append("admin") }
        self.allows = allows
    }
}

/// One setpoint write attempt as the API shows it (the store's `SetpointRecord`).
public struct SetpointView: Codable, Sendable, Hashable {
    public var device: String
    /// Canonical point written (`activePowerLimitPercent`, `activePowerSetpointKW`, …).
    public var point: String
    /// Value requested, in the point's canonical unit.
    public var value: Double
    public var written: Bool
    public var readBack: Double?
    public var ok: Bool
    public var error: String?
    public var commandID: String?
    public var at: Date

    init(_ r: SetpointRecord) {
        device = r.device.rawValue
        point = r.point
        value = r.value
        written = r.written
        readBack = r.readBack
        ok = r.ok
        error = r.error
        commandID = r.commandID?.rawValue
        at = r.at
    }
}

/// `GET /v1/devices/{id}/setpoints`: a device's recent setpoint writes, newest first.
public struct SetpointListView: Codable, Sendable, Hashable {
    public var device: String
    public var count: Int
    public var setpoints: [SetpointView]
}

/// `GET /v1/market/calendar`: the bid gate closures around today (profile `bid.gateClosure`) and, for each day,
/// which bid versions exist, which was submitted and whether a clearing was accepted, so that the page asks only
/// for documents that exist.
public struct MarketCalendarView: Codable, Sendable, Hashable {
    public struct Gate: Codable, Sendable, Hashable {
        public var day: String
        /// When bids for the day close, UTC.
        public var gateClosure: Date
        public var closed: Bool
        /// The submitted bid version; nil when none was submitted.
        public var submittedVersion: Int?
        /// Every stored bid version of the day, oldest first (empty: no bid built).
        public var bidVersions: [Int]
        /// The latest accepted clearing's version; nil when none was accepted.
        public var clearingVersion: Int?
    }
    public var profile: String
    /// The profile's deviation tolerance, percent of the cleared energy (the page's deviation band).
    public var deviationTolerancePercent: Double
    public var timeZone: String
    public var now: Date
    /// Yesterday, today, tomorrow and the day after, in the market time zone.
    public var gates: [Gate]
}

/// `GET /v1/alerts`: what an operator should look at now. Each list is newest first and bounded; `counts` has
/// the full numbers.
public struct AlertsView: Codable, Sendable, Hashable {
    /// A device that is not `ok` (stale, down or never seen).
    public struct Device: Codable, Sendable, Hashable {
        public var id: String
        public var health: String
        public var lastSeen: Date?
        public var lastError: String?
    }
    /// A bid gate that closed with no bid submitted for its day.
    public struct MissedGate: Codable, Sendable, Hashable {
        public var day: String
        public var gateClosure: Date
    }
    /// A file the inbox refused (it is under `rejected/` with its `.error.txt`).
    public struct RejectedFile: Codable, Sendable, Hashable {
        public var name: String
        public var at: Date
        public var reason: String
    }
    public var at: Date
    public var counts: [String: Int]
    public var devices: [Device]
    public var missedGates: [MissedGate]
    public var rejectedFiles: [RejectedFile]
    /// Setpoint writes of the last hour that failed or did not verify.
    public var failedWrites: [SetpointView]
}

/// One device in the live stream: what the devices table shows, nothing more, so that a fleet of thousands
/// fits in one small event.
public struct LiveDeviceView: Codable, Sendable, Hashable {
    public var id: String
    public var kind: String
    public var site: String
    public var link: String
    public var health: String
    public var ratedPowerKW: Double
    public var powerKW: Double?
    public var socPercent: Double?
    public var upKW: Double
    public var downKW: Double
    public var lastSeen: Date?

    init(_ d: DeviceView) {
        id = d.id
        kind = d.kind
        site = d.site
        link = d.link
        health = d.health
        ratedPowerKW = d.ratedPowerKW
        powerKW = d.values["activePowerKW"]?.value
        socPercent = d.values["socPercent"]?.value
        upKW = d.flexibility.upKW
        downKW = d.flexibility.downKW
        lastSeen = d.lastSeen
    }
}

/// The `devices` event of the live stream: every device on the first event (`full`), then only those whose
/// row changed, plus the ids that left the configuration.
public struct LiveDevicesEvent: Codable, Sendable, Hashable {
    public var full: Bool
    public var devices: [LiveDeviceView]
    public var removed: [String]
}

/// The `alerts` event of the live stream: counts that are cheap to keep current; the page reads `/v1/alerts` for
/// the lists when they change.
public struct LiveAlertsEvent: Codable, Sendable, Hashable {
    public var devices: Int
    public var rejectedFiles: Int
}
