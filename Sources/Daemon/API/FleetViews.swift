import DeviceIO
import Fleet
import Foundation

/// Totals over a set of devices (DeviceIO's `FleetSummary`): counts by health, power and flexibility now, kW.
/// Power and flexibility count `ok` devices only; meters are summed apart in `meteredPowerKW`.
public struct AggregateView: Codable, Sendable, Hashable {
    public var devices: Int
    public var ok: Int
    public var stale: Int
    public var down: Int
    public var unknown: Int
    public var ratedPowerKW: Double
    public var powerKW: Double
    public var meteredPowerKW: Double
    public var maxKW: Double
    public var minKW: Double
    public var upKW: Double
    public var downKW: Double

    public init(_ s: FleetSummary) {
        devices = s.devices
        ok = s.ok
        stale = s.stale
        down = s.down
        unknown = s.unknown
        ratedPowerKW = s.ratedPowerKW.value
        powerKW = s.powerKW.value
        meteredPowerKW = s.meteredPowerKW.value
        maxKW = s.maxKW.value
        minKW = s.minKW.value
        upKW = s.upKW.value
        downKW = s.downKW.value
    }
}

/// `GET /v1/fleet`: the whole fleet, per site and per kind, from one consistent snapshot.
public struct FleetView: Codable, Sendable, Hashable {
    public var totals: AggregateView
    public var sites: [String: AggregateView]
    public var kinds: [String: AggregateView]

    public init(_ a: FleetAggregate) {
        totals = AggregateView(a.fleet)
        sites = Dictionary(
            uniqueKeysWithValues: a.bySite.map { ($0.key.rawValue, AggregateView($0.value)) })
        kinds = Dictionary(
            uniqueKeysWithValues: a.byKind.map { ($0.key.rawValue, AggregateView($0.value)) })
    }
}
