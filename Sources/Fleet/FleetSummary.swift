import Foundation
import VPPCore

/// Totals over a group of devices (a site, a kind, the whole fleet) at one instant, kW with the DOMAIN §7 sign.
///
/// Power and flexibility count only `ok` devices: a stale or down device contributes nothing (DESIGN §8).
/// Meters measure the grid connection, which already includes the devices behind it, so their power is kept
/// apart in `meteredPowerKW` instead of being added to `powerKW`.
public struct FleetSummary: Sendable, Hashable, Codable {
    /// Configured devices in the group.
    public var devices: Int = 0
    /// Devices by health: usable now, stale, link down, never reached.
    public var ok: Int = 0
    public var stale: Int = 0
    public var down: Int = 0
    public var unknown: Int = 0
    /// Configured rated power of the group (all devices, usable or not), kW.
    public var ratedPowerKW: Kilowatts = 0
    /// Active power of the usable non-meter devices, kW.
    public var powerKW: Kilowatts = 0
    /// Active power measured by usable meters (grid connection points), kW.
    public var meteredPowerKW: Kilowatts = 0
    /// Sum of the usable devices' envelopes, kW.
    public var maxKW: Kilowatts = 0
    public var minKW: Kilowatts = 0
    /// Sum of the per-device headrooms, kW ≥ 0 (each device's up/down is clamped at 0 before summing).
    public var upKW: Kilowatts = 0
    public var downKW: Kilowatts = 0

    public init() {}

    /// Adds one device: its snapshot's health at the time the flexibility was computed, and that flexibility.
    public mutating func add(_ snap: DeviceSnapshot, health: DeviceHealth, flexibility f: Flexibility) {
        devices += 1
        ratedPowerKW = ratedPowerKW + Kilowatts(snap.descriptor.ratedPowerKW)
        switch health {
        case .ok: ok += 1
        case .stale: stale += 1
        case .down: down += 1
        case .unknown: unknown += 1
        }
        guard health == .ok else { return }
        if f.constraints.contains(.measureOnly) {
            meteredPowerKW = meteredPowerKW + Kilowatts(snap.value(.activePowerKW) ?? 0)
            return
        }
        powerKW = powerKW + f.powerKW
        maxKW = maxKW + f.maxKW
        minKW = minKW + f.minKW
        upKW = upKW + f.upKW
        downKW = downKW + f.downKW
    }
}

/// One consistent picture of the fleet: per device, per site, per kind and in total, all from the same
/// snapshot, time and horizon.
public struct FleetAggregate: Sendable, Hashable {
    public var fleet = FleetSummary()
    public var bySite: [SiteID: FleetSummary] = [:]
    public var byKind: [DeviceKind: FleetSummary] = [:]
    public var devices: [DeviceID: Flexibility] = [:]
    public var health: [DeviceID: DeviceHealth] = [:]

    public init() {}

    /// Builds the aggregate from snapshots.
    public init(snapshots: some Sequence<DeviceSnapshot>, now: Date, model: FlexibilityModel) {
        for s in snapshots {
            let h = s.health(now: now)
            let f = model.flexibility(of: s, now: now)
            devices[s.descriptor.id] = f
            health[s.descriptor.id] = h
            fleet.add(s, health: h, flexibility: f)
            bySite[s.descriptor.site, default: FleetSummary()].add(s, health: h, flexibility: f)
            byKind[s.descriptor.kind, default: FleetSummary()].add(s, health: h, flexibility: f)
        }
    }
}
