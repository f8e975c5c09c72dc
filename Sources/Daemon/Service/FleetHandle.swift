import DeviceIO
import Fleet
import Foundation
import Synchronization
import VPPCore

/// The fleet the API serves: the live `FleetState` (reconciled in place on reload) and the flexibility model
/// used to compute envelopes, with the view builders the routes and metrics use.
public final class FleetHandle: Sendable {
    public let state: FleetState
    public let model: FlexibilityModel
    /// How long an aggregate may be reused, seconds. Aggregating 1,000 devices costs about a millisecond; the
    /// status and fleet routes are polled by dashboards and scripts far more often than telemetry changes (fast
    /// points arrive once a second), so a 250 ms old aggregate is as good as a fresh one and keeps those routes
    /// cheap under load.
    public let aggregateMaxAge: TimeInterval
    private let cached = Mutex<(at: Date, view: FleetView)?>(nil)

    public init(
        state: FleetState, model: FlexibilityModel = FlexibilityModel(), aggregateMaxAge: TimeInterval = 0.25
    ) {
        self.state = state
        self.model = model
        self.aggregateMaxAge = aggregateMaxAge
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
        if let c = cached.withLock({ $0 }), now >= c.at, now.timeIntervalSince(c.at) < aggregateMaxAge {
            return c.view
        }
        let view = FleetView(state.aggregate(now: now, model: model))
        cached.withLock { $0 = (now, view) }
        return view
    }

    /// Drops the cached aggregate (after a reload changed the fleet).
    public func invalidateAggregate() { cached.withLock { $0 = nil } }
}
