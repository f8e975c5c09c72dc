import DeviceIO
import Foundation
import VPPCore

/// One canonical value with the time it was measured.
public struct PointValueView: Codable, Sendable, Hashable {
  public var value: Double
  public var at: Date
}

/// Flexibility available now, kW, both non-negative: `upKW` is how much more the device can inject (or less it
/// can withdraw), `downKW` how much less it can inject (or more it can withdraw). Stale or down devices offer none.
public struct FlexibilityView: Codable, Sendable, Hashable {
  public var upKW: Double
  public var downKW: Double
  public static let none = FlexibilityView(upKW: 0, downKW: 0)
}

/// A device as the API shows it: identity, link and staleness, latest values, flexibility.
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
  /// True when the latest values are older than the profile's stale timeout, or there are none.
  public var stale: Bool
  public var staleAfterSeconds: Double
  public var lastSeen: Date?
  public var lastError: String?
  /// Latest values by canonical point name (`activePowerKW`, `socPercent`, …).
  public var values: [String: PointValueView]
  public var flexibility: FlexibilityView
}

/// `GET /v1/devices`.
public struct DeviceListView: Codable, Sendable {
  public var count: Int
  public var devices: [DeviceView]
}

extension DeviceView {
  /// Builds the view of one snapshot at `now`; `staleAfter` is the profile's stale timeout in seconds.
  public init(_ snap: DeviceSnapshot, staleAfter: TimeInterval, now: Date) {
    let d = snap.descriptor
    let stale = snap.lastSeen.map { now.timeIntervalSince($0) > staleAfter } ?? true
    self.init(
      id: d.id.rawValue, kind: d.kind.rawValue, site: d.site.rawValue, owner: d.owner.rawValue,
      profile: d.profile, transport: d.address.transport.rawValue, address: d.address.description,
      ratedPowerKW: d.ratedPowerKW, ratedEnergyKWh: d.ratedEnergyKWh,
      installerLimitKW: d.installerLimitKW,
      link: snap.link.rawValue, stale: stale, staleAfterSeconds: staleAfter,
      lastSeen: snap.lastSeen,
      lastError: snap.lastError,
      values: Dictionary(
        uniqueKeysWithValues: snap.values.map {
          ($0.key.rawValue, PointValueView(value: $0.value.value, at: $0.value.at))
        }),
      flexibility: (stale || snap.link != .up) ? .none : Self.flexibility(snap))
  }

  /// Flexibility from the latest values (DOMAIN sign convention: positive power = injection).
  ///
  /// Storage and V2G can move between their charge and discharge limits (the device's reported limits, else
  /// the rated power), except where the SOC sits at the bound of its window; PV can be curtailed down to zero
  /// but not raised; meters offer nothing.
  static func flexibility(_ snap: DeviceSnapshot) -> FlexibilityView {
    let d = snap.descriptor
    let p = snap.values[.activePowerKW]?.value ?? 0
    switch d.kind {
    case .storage, .v2g:
      var maxDischarge = snap.values[.maxDischargeKW]?.value ?? d.ratedPowerKW
      var maxCharge = snap.values[.maxChargeKW]?.value ?? d.ratedPowerKW
      if let soc = snap.values[.socPercent]?.value {
        if soc <= (snap.values[.socMinPercent]?.value ?? 0) { maxDischarge = 0 }
        if soc >= (snap.values[.socMaxPercent]?.value ?? 100) { maxCharge = 0 }
      }
      if d.kind == .v2g, (snap.values[.connected]?.value ?? 1) == 0 { return .none }
      return FlexibilityView(upKW: max(0, maxDischarge - p), downKW: max(0, p + maxCharge))
    case .pv:
      return FlexibilityView(upKW: 0, downKW: max(0, p))
    case .meter:
      return .none
    }
  }
}
