import DeviceIO
import Foundation
import VPPCore

/// The fleet the API serves: the live `FleetState` (reconciled in place on reload) and the flexibility model
/// used to compute envelopes, with the view builders the routes and metrics use.
public final class FleetHandle: Sendable {
  public let state: FleetState
  public let model: FlexibilityModel

  public init(state: FleetState, model: FlexibilityModel = FlexibilityModel()) {
    self.state = state
    self.model = model
  }

  /// Views of every device at `now`, sorted by id.
  public func deviceViews(now: Date = Date()) -> [DeviceView] {
    state.snapshotAll().values.map { DeviceView($0, now: now, model: model) }.sorted {
      $0.id < $1.id
    }
  }

  /// The view of one device, nil if it is not configured.
  public func deviceView(_ id: DeviceID, now: Date = Date()) -> DeviceView? {
    state.snapshot(id).map { DeviceView($0, now: now, model: model) }
  }

  /// Totals per site and kind.
  public func fleetView(now: Date = Date()) -> FleetView {
    FleetView(state.aggregate(now: now, model: model))
  }

  /// Whether a site has at least one configured device.
  public func hasSite(_ site: SiteID) -> Bool {
    state.snapshotAll().values.contains { $0.descriptor.site == site }
  }
}
