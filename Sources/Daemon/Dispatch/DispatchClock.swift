import Foundation
import Synchronization

/// The dispatch loop's market clock: which market interval is current and where in it the loop is, i.e. the time
/// base of energy tracking and of the schedule. Device time (staleness, reaction times, write pacing, command
/// windows) stays wall-clock time, because the device layer stamps telemetry with it.
///
/// The daemon uses `SystemDispatchClock`. Tests and `vppbench dispatch` use `ScaledDispatchClock` to run 15-minute
/// intervals in seconds against a simulator running at the same speed; the loop's pace is set by whoever calls
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

/// Market time = `start` + real elapsed time × `speed` (the same rule as the simulator's `ScaledClock`, so a
/// loop and a simulated fleet built from one start and speed agree on the time).
public struct ScaledDispatchClock: DispatchClock {
    public let start: Date
    public let speed: Double
    private let realStart: ContinuousClock.Instant

    public init(start: Date = Date(), speed: Double = 1) {
        self.start = start
        self.speed = speed > 0 && speed.isFinite ? speed : 1
        self.realStart = ContinuousClock.now
    }

    public func now() -> Date {
        let e = ContinuousClock.now - realStart
        return start.addingTimeInterval(
            (Double(e.components.seconds) + Double(e.components.attoseconds) * 1e-18) * speed)
    }
}

/// Market time from any closure (e.g. a simulator's `ManualClock`).
public struct ClosureDispatchClock: DispatchClock {
    let read: @Sendable () -> Date
    public init(_ read: @escaping @Sendable () -> Date) { self.read = read }
    public func now() -> Date { read() }
}
