import DispatchControl
import Foundation
import Store
import VPPCore

/// What one control cycle did.
public struct CycleReport: Sendable {
    /// Wall time and market time of the cycle.
    public var at: Date
    public var marketAt: Date
    public var target: FleetTarget
    /// The target after the corrector, kW.
    public var askedKW: Double?
    /// The measured aggregate the cycle closed the loop on, kW.
    public var measuredKW: Double
    /// With a grid meter configured: whether its reading was used (false: stale or stuck, device sum used).
    public var meterTrusted: Bool?
    public var allocatedKW: Double
    /// The target lay outside what the fleet can reach and was clamped.
    public var clamped: Bool
    public var excluded: [DeviceID]
    public var deferred: Int
    public var writesPlanned: Int
    public var writesOK: Int
    public var writesFailed: Int
    public var durationMs: Double
    /// Of which the writes (all connections, read-back and the setpoint log), ms.
    public var writeMs: Double
}

/// The loop's state for the API, logs and tests.
public struct DispatchStatus: Sendable {
    public var last: CycleReport?
    /// The last cycle that wrote setpoints.
    public var lastWriting: CycleReport?
    public var counters: DispatchCounters
    /// The interval being tracked, with its progress.
    public var tracking: IntervalTracking?
    /// Whether the running interval's tracking covers it whole and whether it resumed after a restart.
    public var trackingWhole: Bool?
    public var trackingResumed: Bool?
    /// The schedule in use: day and version (nil: none stored for the day).
    public var scheduleDay: MarketDay?
    public var scheduleVersion: Int?
    public var commandsInForce: [CommandID]
    /// Devices the follow monitor has excluded.
    public var notFollowing: [DeviceID]
    public var meterStuck: Bool
}

extension DispatchLoop {
    public func status() -> DispatchStatus {
        DispatchStatus(
            last: lastReport, lastWriting: lastWriting, counters: counters,
            tracking: tracking.map { $0.tracking(tolerancePercent: settings.tolerancePercent, at: clock.now()) },
            trackingWhole: tracking?.whole, trackingResumed: tracking?.resumed, scheduleDay: schedule?.day,
            scheduleVersion: schedule?.stored?.version, commandsInForce: commands.map(\.id),
            notFollowing: core.monitor.excluded, meterStuck: meter.stuck)
    }

    /// The last verified setpoint of every device written since the loop started.
    public func confirmedSetpoints() -> [DeviceID: ConfirmedSetpoint] { confirmed }
}
