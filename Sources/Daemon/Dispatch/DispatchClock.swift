import Foundation
import Synchronization

/// The dispatch loop's market clock: which market interval is current and where in it the loop is, i.e. the time
/// base of energy tracking and of the schedule. Device time (staleness, reaction times, write pacing, command
/// windows) stays wall-clock time, because the device layer stamps telemetry with it.
///
/// The daemon uses `SystemDispatchClock`. Tests and `vppbench dispatch` read the simulator's scaled clock through a
/// `ClosureDispatchClock`, to run 15-minute intervals in seconds on the devices' own time; the loop's pace is set by whoever calls
/// `DispatchLoop.cycle()` (the daemon's `ControlTick`, or a test's own loop).
public protocol DispatchClock: Sendable {
    /// Market time now.
    func now() -> Date
}

/// Wall-clock market time.
public struct SystemDispatchClock: DispatchClock {
    public init() {}
    public func now() -> Date { Date() }
}

/// Market time from any closure (e.g. a simulator's `ScaledClock` or `ManualClock`).
public struct ClosureDispatchClock: DispatchClock {
    let read: @Sendable () -> Date
    public init(_ read: @escaping @Sendable () -> Date) { self.read = read }
    public func now() -> Date { read() }
}
