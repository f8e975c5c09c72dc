import DeviceIO
import Fleet
import Foundation
import VPPCore

/// One canonical value with the time it was measured.
public struct PointValueView: Codable, Sendable, Hashable {
    public var value: Double
    public var at: Date
}

/// Flexibility now (DeviceIO's `Flexibility`), kW, DOMAIN §7 sign (positive = injection): the envelope
/// `minKW…maxKW` the device can hold over the current market interval, its power now, and the headroom
/// `upKW`/`downKW` (both ≥ 0). Devices that are not `ok` offer none.
public struct FlexibilityView: Codable, Sendable, Hashable {
    public var powerKW: Double
    public var maxKW: Double
    public var minKW: Double
    public var upKW: Double
    public var downKW: Double
    /// What narrowed the envelope (`unavailable`, `disconnected`, `socWindow`, …), sorted.
    public var constraints: [String]

    public init(_ f: Flexibility) {
        powerKW = f.powerKW.value
        maxKW = f.maxKW.value
        minKW = f.minKW.value
        upKW = f.upKW.value
        downKW = f.downKW.value
        constraints = f.constraints.map(\.rawValue).sorted()
    }
}

/// A device as the API shows it: identity, link, health and staleness, latest values, flexibility.
public struct DeviceView: Codable, Sendable, Hashable {
    public var id: String
    public var kind: String
    public var site: String
    public var owner: String
    public var profile: String
    public var transport: String
    public var address: String
    public var ratedPowerKW: Double
    public var ratedEnergyKWh: Double?
    public var installerLimitKW: Double?
    /// `unknown`, `up` or `down`.
    public var link: String
    /// `ok`, `stale`, `down` or `unknown` (DeviceIO's `DeviceHealth`); only `ok` devices are allocated.
    public var health: String
    /// True when there has been no successful read within the stale timeout (or never).
    public var stale: Bool
    public var staleAfterSeconds: Double
    public var lastSeen: Date?
    public var lastError: String?
    /// Latest values by canonical point name (`activePowerKW`, `socPercent`, …).
    public var values: [String: PointValueView]
    public var flexibility: FlexibilityView

    /// Builds the view of one snapshot at `now` with the flexibility `model`.
    public init(_ snap: DeviceSnapshot, now: Date, model: FlexibilityModel = FlexibilityModel()) {
        let d = snap.descriptor
        id = d.id.rawValue
        kind = d.kind.rawValue
        site = d.site.rawValue
        owner = d.owner.rawValue
        profile = d.profile
        transport = d.address.transport.rawValue
        address = d.address.description
        ratedPowerKW = d.ratedPowerKW
        ratedEnergyKWh = d.ratedEnergyKWh
        installerLimitKW = d.installerLimitKW
        link = snap.link.rawValue
        health = snap.health(now: now).rawValue
        stale = snap.isStale(now: now)
        staleAfterSeconds = Double(snap.staleAfterMs) / 1000
        lastSeen = snap.lastSeen
        lastError = snap.lastError
        values = Dictionary(
            uniqueKeysWithValues: snap.values.map {
                ($0.key.rawValue, PointValueView(value: $0.value.value, at: $0.value.at))
            })
        flexibility = FlexibilityView(model.flexibility(of: snap, now: now))
    }
}

/// `GET /v1/devices`.
public struct DeviceListView: Codable, Sendable {
    public var count: Int
    public var devices: [DeviceView]
}
