import DeviceIO
import Foundation
import Synchronization
import VPPCore

/// The fleet the API serves: the live `FleetState` and each device's stale timeout (seconds, from its profile).
/// Held behind a lock so that a reload can swap in a fleet built from a new configuration.
public final class FleetHandle: Sendable {
  public struct Current: Sendable {
    public var state: FleetState
    /// Stale timeout per device, seconds; devices missing here use `defaultStaleAfter`.
    public var staleAfter: [DeviceID: TimeInterval]
    public var defaultStaleAfter: TimeInterval
    public init(
      state: FleetState, staleAfter: [DeviceID: TimeInterval] = [:],
      defaultStaleAfter: TimeInterval = 5
    ) {
      self.state = state
      self.staleAfter = staleAfter
      self.defaultStaleAfter = defaultStaleAfter
    }
  }
  private let current: Mutex<Current>

  public init(_ current: Current) { self.current = Mutex(current) }

  public var value: Current { current.withLock { $0 } }
  public func replace(_ new: Current) { current.withLock { $0 = new } }

  /// Views of every device at `now`, sorted by id.
  public func deviceViews(now: Date = Date()) -> [DeviceView] {
    let c = value
    return c.state.snapshotAll().values
      .map {
        DeviceView($0, staleAfter: c.staleAfter[$0.descriptor.id] ?? c.defaultStaleAfter, now: now)
      }
      .sorted { $0.id < $1.id }
  }

  /// The view of one device, nil if it is not configured.
  public func deviceView(_ id: DeviceID, now: Date = Date()) -> DeviceView? {
    let c = value
    guard let snap = c.state.snapshot(id) else { return nil }
    return DeviceView(snap, staleAfter: c.staleAfter[id] ?? c.defaultStaleAfter, now: now)
  }

  /// Whether a site has at least one configured device.
  public func hasSite(_ site: SiteID) -> Bool {
    value.state.snapshotAll().values.contains { $0.descriptor.site == site }
  }
}
