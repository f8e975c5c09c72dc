import Foundation
import Synchronization

/// The time source of the simulated devices. Physics integrates over simulation time, and every device timer
/// (revert timeouts, V2G arrivals and departures, publish periods) counts in simulation time too, because it is
/// the device's own clock. Real time only paces the tick loop.
public protocol SimulationClock: Sendable {
    /// The current simulation time.
    func now() -> Date
}

/// A clock that moves only when told to: for tests, so physics can be stepped deterministically.
public final class ManualClock: SimulationClock {
    private let current: Mutex<Date>

    /// - Parameter start: the initial simulation time.
    public init(start: Date) { current = Mutex(start) }

    public func now() -> Date { current.withLock { $0 } }

    /// Moves the clock forward by `seconds` (simulation seconds; negative values are ignored).
    public func advance(by seconds: TimeInterval) {
        guard seconds > 0 else { return }
        current.withLock { $0 = $0.addingTimeInterval(seconds) }
    }

    /// Sets the clock to `date` if it is later than now (time never runs backwards).
    public func set(_ date: Date) {
        current.withLock { if date > $0 { $0 = date } }
    }
}

/// Real time scaled by a speed factor: simulation time = `start` + (real elapsed) × `speed`.
/// `speed` 1 is real time; 60 makes one real second a simulated minute.
public struct ScaledClock: SimulationClock {
    /// Simulation time at the moment the clock was created.
    public let start: Date
    /// Simulated seconds per real second (> 0).
    public let speed: Double
    private let realStart: ContinuousClock.Instant

    public init(start: Date = Date(), speed: Double = 1) {
        self.start = start
        self.speed = speed > 0 ? speed : 1
        self.realStart = ContinuousClock.now
    }

    public func now() -> Date {
        let elapsed = ContinuousClock.now - realStart
        let seconds =
            Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
        return start.addingTimeInterval(seconds * speed)
    }
}
