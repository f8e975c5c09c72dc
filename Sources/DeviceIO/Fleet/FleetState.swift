import Foundation
import Synchronization
import VPPCore

/// Link status of one device as seen by DeviceIO.
public enum LinkStatus: String, Sendable, Hashable, Codable {
    /// Never reached since start.
    case unknown
    /// Last request succeeded.
    case up
    /// Last request failed; the transport is retrying with back-off.
    case down
}

/// The concurrency-safe live model of every configured device (DESIGN §1): latest canonical values with
/// timestamps, staleness and link status, and the flexibility available right now.
///
/// A `final class` guarded by a `Mutex` rather than an actor: MQTT ingest delivers tens of thousands of
/// samples per second from libmosquitto's network thread, and a lock held for a dictionary update is cheaper
/// than an actor hop per message. Readers take immutable snapshots.
public final class FleetState: Sendable {
    // Implementation in progress (see FleetState+*.swift): API below is the seam other components use.
    private let state: Mutex<[DeviceID: DeviceSnapshot]>

    public init(devices: [DeviceDescriptor]) {
        var m: [DeviceID: DeviceSnapshot] = [:]
        for d in devices { m[d.id] = DeviceSnapshot(descriptor: d) }
        state = Mutex(m)
    }

    /// Records freshly decoded values of one device (a successful read or message). Marks the link up.
    public func ingest(_ device: DeviceID, values: [CanonicalPoint: Double], at time: Date = Date()) {
        state.withLock { m in
            guard var snap = m[device] else { return }
            for (k, v) in values { snap.values[k] = TimedValue(value: v, at: time) }
            snap.lastSeen = time
            snap.link = .up
            snap.lastError = nil
            m[device] = snap
        }
    }

    /// Records a failed read or a lost link; values are kept (and become stale by age).
    public func markDown(_ device: DeviceID, error: String, at time: Date = Date()) {
        state.withLock { m in
            m[device]?.link = .down
            m[device]?.lastError = error
        }
    }

    /// A consistent copy of one device's state.
    public func snapshot(_ device: DeviceID) -> DeviceSnapshot? { state.withLock { $0[device] } }

    /// A consistent copy of every device's state.
    public func snapshotAll() -> [DeviceID: DeviceSnapshot] { state.withLock { $0 } }
}

/// A value with the time it was measured.
public struct TimedValue: Sendable, Hashable, Codable {
    public var value: Double
    public var at: Date
    public init(value: Double, at: Date) {
        self.value = value
        self.at = at
    }
}

/// The latest known state of one device.
public struct DeviceSnapshot: Sendable, Hashable {
    public var descriptor: DeviceDescriptor
    public var values: [CanonicalPoint: TimedValue] = [:]
    public var link: LinkStatus = .unknown
    public var lastSeen: Date?
    public var lastError: String?
    public init(descriptor: DeviceDescriptor) { self.descriptor = descriptor }
}
