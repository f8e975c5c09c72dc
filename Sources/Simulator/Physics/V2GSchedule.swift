import Foundation

/// When a charger's car is plugged in: one session per local (Asia/Shanghai) day at most, arriving in the
/// evening and leaving the next morning, drawn from the seed so every run with the same seed sees the same cars.
///
/// Defaults follow the RMI reference case (DOMAIN §6): plugged 19:00–08:00, arrival SOC 30–60 %, here every day
/// (`plugProbability` 1; RMI's four days a week is 4/7).
public struct V2GSchedule: Sendable, Hashable {
    /// One plug-in session.
    public struct Session: Sendable, Hashable {
        public var arrival: Date
        public var departure: Date
        /// SOC the car arrives with, percent.
        public var arrivalSocPercent: Double
    }

    /// Mean arrival hour, local time (e.g. 19 = 19:00).
    public var arrivalHour: Double
    /// Mean departure hour on the next local day.
    public var departureHour: Double
    /// Uniform jitter applied to arrival and departure, ± minutes.
    public var jitterMinutes: Double
    /// Arrival SOC range, percent.
    public var arrivalSocMin: Double
    public var arrivalSocMax: Double
    /// Probability that the car comes home on a given day.
    public var plugProbability: Double
    public var seed: UInt64
    public var key: UInt64

    public init(
        arrivalHour: Double = 19, departureHour: Double = 8, jitterMinutes: Double = 30,
        arrivalSocMin: Double = 30,
        arrivalSocMax: Double = 60, plugProbability: Double = 1, seed: UInt64 = 42, key: UInt64 = 0
    ) {
        self.arrivalHour = arrivalHour
        self.departureHour = departureHour
        self.jitterMinutes = max(0, jitterMinutes)
        self.arrivalSocMin = arrivalSocMin
        self.arrivalSocMax = max(arrivalSocMin, arrivalSocMax)
        self.plugProbability = plugProbability
        self.seed = seed
        self.key = key
    }

    /// The session that starts on local day `day`, nil if the car stays away that evening.
    public func session(startingOnDay day: Int) -> Session? {
        let d = UInt64(bitPattern: Int64(day))
        guard SeededNoise.unit(seed, key, d, 1) < plugProbability else { return nil }
        let j1 = (SeededNoise.unit(seed, key, d, 2) * 2 - 1) * jitterMinutes * 60
        let j2 = (SeededNoise.unit(seed, key, d, 3) * 2 - 1) * jitterMinutes * 60
        let soc = arrivalSocMin + SeededNoise.unit(seed, key, d, 4) * (arrivalSocMax - arrivalSocMin)
        let arrival = Daylight.localMidnight(day: day).addingTimeInterval(arrivalHour * 3600 + j1)
        // Departure on the next day when it is earlier in the day than arrival (overnight), else the same day.
        let depDay = departureHour <= arrivalHour ? day + 1 : day
        var departure = Daylight.localMidnight(day: depDay).addingTimeInterval(
            departureHour * 3600 + j2)
        if departure <= arrival { departure = arrival.addingTimeInterval(600) }
        return Session(arrival: arrival, departure: departure, arrivalSocPercent: soc)
    }

    /// The session in progress at `t`, if any.
    public func session(at t: Date) -> Session? {
        let day = Daylight.localDay(t)
        for d in [day - 1, day] {
            if let s = session(startingOnDay: d), s.arrival <= t, t < s.departure { return s }
        }
        return nil
    }

    /// The next arrival or departure strictly after `t` (within the next three days).
    public func nextEvent(after t: Date) -> Date? {
        let day = Daylight.localDay(t)
        var best: Date?
        for d in (day - 1)...(day + 2) {
            guard let s = session(startingOnDay: d) else { continue }
            for e in [s.arrival, s.departure] where e > t {
                if let b = best, b <= e { continue }
                best = e
            }
        }
        return best
    }
}

/// The sessions around one local day, computed once per day so that stepping the physics does not rehash the
/// schedule on every tick.
struct V2GSessionWindow: Sendable, Hashable {
    private var day = Int.min
    /// Sessions starting on days day−1 … day+2.
    private var sessions: [V2GSchedule.Session?] = []

    mutating func refresh(_ schedule: V2GSchedule, for t: Date) {
        let d = Daylight.localDay(t)
        guard d != day else { return }
        day = d
        sessions = ((d - 1)...(d + 2)).map { schedule.session(startingOnDay: $0) }
    }

    /// The session in progress at `t` (call `refresh` for `t` first).
    func session(at t: Date) -> V2GSchedule.Session? {
        for s in sessions.prefix(2) {
            if let s, s.arrival <= t, t < s.departure { return s }
        }
        return nil
    }

    /// The next arrival or departure after `t` (call `refresh` for `t` first).
    func nextEvent(after t: Date) -> Date? {
        var best: Date?
        func consider(_ e: Date) {
            if e > t, best.map({ e < $0 }) ?? true { best = e }
        }
        for case let s? in sessions {
            consider(s.arrival)
            consider(s.departure)
        }
        return best
    }
}
