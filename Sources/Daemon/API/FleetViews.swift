import Foundation

/// Totals over a set of devices: counts, power (kW, positive = injection) and flexibility now.
public struct AggregateView: Codable, Sendable, Hashable {
  public var devices: Int = 0
  public var linkUp: Int = 0
  public var stale: Int = 0
  public var activePowerKW: Double = 0
  public var ratedPowerKW: Double = 0
  public var flexibility: FlexibilityView = .none

  public init() {}

  mutating func add(_ d: DeviceView) {
    devices += 1
    if d.link == "up" { linkUp += 1 }
    if d.stale { stale += 1 }
    if !d.stale, let p = d.values["activePowerKW"]?.value { activePowerKW += p }
    ratedPowerKW += d.ratedPowerKW
    flexibility.upKW += d.flexibility.upKW
    flexibility.downKW += d.flexibility.downKW
  }
}

/// `GET /v1/fleet`: the whole fleet, per site and per kind.
public struct FleetView: Codable, Sendable, Hashable {
  public var totals: AggregateView
  public var sites: [String: AggregateView]
  public var kinds: [String: AggregateView]

  public init(devices: [DeviceView]) {
    var totals = AggregateView()
    var sites: [String: AggregateView] = [:]
    var kinds: [String: AggregateView] = [:]
    for d in devices {
      totals.add(d)
      sites[d.site, default: AggregateView()].add(d)
      kinds[d.kind, default: AggregateView()].add(d)
    }
    self.totals = totals
    self.sites = sites
    self.kinds = kinds
  }
}
