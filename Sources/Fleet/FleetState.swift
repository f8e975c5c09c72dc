import Foundation
import Synchronization
import VPPCore

/// The concurrency-safe live model of every configured device (DESIGN §1): latest canonical values with
/// timestamps, staleness and link status, and the flexibility available right now.
///
/// A `final class` guarded by a `Mutex` rather than an actor: MQTT ingest delivers tens of thousands of
/// samples per second from libmosquitto's network thread, and a lock held for a dictionary update is cheaper
/// than an actor hop per message. The lock is held only for in-place updates and copies; flexibility and
/// aggregation are computed on copies, outside the lock. Readers take immutable snapshots.
public final class FleetState: Sendable {
    private let state: Mutex<[DeviceID: DeviceSnapshot]>

    /// Devices with the default stale timeout (`DeviceTiming().staleAfterMs`).
    public init(devices: [DeviceDescriptor]) {
        var m: [DeviceID: DeviceSnapshot] = [:]
        for d in devices { m[d.id] = DeviceSnapshot(descriptor: d) }
        state = Mutex(m)
    }

    /// Devices with per-device stale timeouts, milliseconds (devices missing from the map use the default).
    public init(devices: [DeviceDescriptor], staleAfterMs: [DeviceID: Int]) {
        var m: [DeviceID: DeviceSnapshot] = [:]
        for d in devices {
            m[d.id] = DeviceSnapshot(
                descriptor: d, staleAfterMs: staleAfterMs[d.id] ?? DeviceTiming().staleAfterMs)
        }
        state = Mutex(m)
    }

    // MARK: ingest (hot path)

    /// Records freshly decoded values of one device (a successful read or message). Marks the link up.
    /// Values older than the ones held are ignored (late MQTT messages). Unknown devices are ignored.
    public func ingest(_ device: DeviceID, values: [CanonicalPoint: Double], at time: Date = Date()) {
        state.withLock { m in
            guard let i = m.index(forKey: device) else { return }
            m.values[i].record(values, at: time)  // in place: no copy of the snapshot's dictionary
        }
    }

    /// Records a failed read or a lost link; values are kept (and become stale by age).
    public func markDown(_ device: DeviceID, error: String, at time: Date = Date()) {
        state.withLock { m in
            guard let i = m.index(forKey: device) else { return }
            m.values[i].link = .down
            m.values[i].lastError = error
        }
    }

    /// PV: records an estimate of the power the array could deliver uncurtailed, kW (see
    /// `DeviceSnapshot.availablePowerEstimate`). It counts for one flexibility horizon after `time`.
    public func setAvailablePowerEstimate(_ device: DeviceID, kW: Double, at time: Date = Date()) {
        state.withLock { m in
            guard let i = m.index(forKey: device) else { return }
            m.values[i].availablePowerEstimate = TimedValue(value: max(0, kW), at: time)
        }
    }

    // MARK: reading

    /// A consistent copy of one device's state.
    public func snapshot(_ device: DeviceID) -> DeviceSnapshot? { state.withLock { $0[device] } }

    /// A consistent copy of every device's state.
    public func snapshotAll() -> [DeviceID: DeviceSnapshot] { state.withLock { $0 } }

    /// Configured device ids, sorted.
    public var deviceIDs: [DeviceID] { state.withLock { Array($0.keys) }.sorted() }

    public var count: Int { state.withLock { $0.count } }

    /// Whether the device has had no successful read within its stale timeout; nil for an unknown device.
    public func isStale(_ device: DeviceID, now: Date = Date()) -> Bool? {
        state.withLock { $0[device]?.isStale(now: now) }
    }

    /// The health of every device, read under the lock without copying the snapshots.
    public func healthAll(now: Date = Date()) -> [DeviceID: DeviceHealth] {
        state.withLock { m in
            var out: [DeviceID: DeviceHealth] = [:]
            out.reserveCapacity(m.count)
            for (id, s) in m { out[id] = s.health(now: now) }
            return out
        }
    }

    /// Health (ok / stale / down / unknown) of one device; nil for an unknown device.
    public func health(_ device: DeviceID, now: Date = Date()) -> DeviceHealth? {
        state.withLock { $0[device]?.health(now: now) }
    }

    /// Flexibility of one device now; nil for an unknown device.
    public func flexibility(
        _ device: DeviceID, now: Date = Date(), model: FlexibilityModel = FlexibilityModel()
    )
        -> Flexibility?
    {
        snapshot(device).map { model.flexibility(of: $0, now: now) }
    }

    /// Per-device, per-site, per-kind and fleet-wide totals from one consistent snapshot.
    public func aggregate(now: Date = Date(), model: FlexibilityModel = FlexibilityModel())
        -> FleetAggregate
    {
        FleetAggregate(snapshots: snapshotAll().values, now: now, model: model)
    }

    /// Fleet-wide totals.
    public func summary(now: Date = Date(), model: FlexibilityModel = FlexibilityModel())
        -> FleetSummary
    {
        aggregate(now: now, model: model).fleet
    }

    // MARK: configuration changes

    /// Overrides one device's stale timeout, milliseconds (> 0).
    public func setStaleAfter(_ device: DeviceID, ms: Int) {
        guard ms > 0 else { return }
        state.withLock { m in
            guard let i = m.index(forKey: device) else { return }
            m.values[i].staleAfterMs = ms
        }
    }

    /// Adds a device, or updates one that exists. An update keeps the latest values and link status when the
    /// device still uses the same profile and kind (a new site, owner, rating or address does not change what
    /// was measured); otherwise it starts afresh. Returns what happened.
    @discardableResult
    public func upsert(_ descriptor: DeviceDescriptor, staleAfterMs: Int? = nil)
        -> FleetChanges.Change
    {
        state.withLock { m in Self.upsert(&m, descriptor, staleAfterMs: staleAfterMs) }
    }

    /// Removes a device; true if it was configured.
    @discardableResult
    public func remove(_ device: DeviceID) -> Bool {
        state.withLock { $0.removeValue(forKey: device) != nil }
    }

    /// Applies a reloaded configuration in one step: devices not in `devices` are removed, new ones added,
    /// existing ones updated as `upsert` does, so the devices that did not change keep their state.
    @discardableResult
    public func reconcile(with devices: [DeviceDescriptor], staleAfterMs: [DeviceID: Int] = [:])
        -> FleetChanges
    {
        state.withLock { m in
            var changes = FleetChanges()
            let wanted = Set(devices.map(\.id))
            for id in m.keys where !wanted.contains(id) {
                m.removeValue(forKey: id)
                changes.removed.append(id)
            }
            for d in devices {
                switch Self.upsert(&m, d, staleAfterMs: staleAfterMs[d.id]) {
                case .added: changes.added.append(d.id)
                case .updated: changes.updated.append(d.id)
                case .replaced: changes.replaced.append(d.id)
                case .unchanged: changes.unchanged.append(d.id)
                }
            }
            changes.sort()
            return changes
        }
    }

    private static func upsert(
        _ m: inout [DeviceID: DeviceSnapshot], _ d: DeviceDescriptor, staleAfterMs: Int?
    ) -> FleetChanges.Change {
        guard let i = m.index(forKey: d.id) else {
            m[d.id] = DeviceSnapshot(descriptor: d, staleAfterMs: staleAfterMs ?? DeviceTiming().staleAfterMs)
            return .added
        }
        let old = m.values[i]
        let stale = staleAfterMs ?? old.staleAfterMs
        if old.descriptor.profile != d.profile || old.descriptor.kind != d.kind {
            m.values[i] = DeviceSnapshot(descriptor: d, staleAfterMs: stale)
            return .replaced
        }
        if old.descriptor == d && old.staleAfterMs == stale { return .unchanged }
        m.values[i].descriptor = d
        m.values[i].staleAfterMs = stale
        return .updated
    }
}

/// What a configuration reload changed in a `FleetState`.
public struct FleetChanges: Sendable, Hashable {
    public enum Change: Sendable, Hashable {
        /// New device, no state yet.
        case added
        /// Same profile and kind, other settings changed: state kept.
        case updated
        /// Profile or kind changed: state dropped.
        case replaced
        /// Nothing changed.
        case unchanged
    }
    public var added: [DeviceID] = []
    public var updated: [DeviceID] = []
    public var replaced: [DeviceID] = []
    public var unchanged: [DeviceID] = []
    public var removed: [DeviceID] = []
    public init() {}

    mutating func sort() {
        added.sort()
        updated.sort()
        replaced.sort()
        unchanged.sort()
        removed.sort()
    }
}
