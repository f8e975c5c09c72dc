import Foundation
import VPPCore

/// One charging session of a charger's history (or a driver's declared plan): plug-in and departure instants
/// and SOCs, percent.
public struct PlugSession: Sendable, Equatable, Codable {
    public var arrival: Date
    public var departure: Date
    public var arrivalSOCPercent: Double
    /// SOC the driver wanted at departure; nil when unknown (the charger's default target applies).
    public var departureSOCPercent: Double?

    public init(arrival: Date, departure: Date, arrivalSOCPercent: Double, departureSOCPercent: Double? = nil) {
        self.arrival = arrival
        self.departure = departure
        self.arrivalSOCPercent = arrivalSOCPercent
        self.departureSOCPercent = departureSOCPercent
    }
}

/// When a V2G charger has a car on it during one market day, and with which energy needs (issue 5 §2).
///
/// A day holds at most a few plug **windows**. A car plugged overnight (e.g. the RMI reference 19:00–08:00,
/// DOMAIN §6) gives two: [00:00, departure) ending at the departure SOC, and [arrival, 24:00) ending at the
/// *midnight level* — the SOC from which the car can still reach its departure SOC by charging at full power
/// before it leaves next morning — so a plan for day D never leaves a car short on D+1.
public struct V2GAvailability: Sendable, Equatable, Codable {
    /// One plug window inside the day. Intervals are 0-based: `firstInterval` 0 is interval 1 (00:00–00:15).
    public struct Window: Sendable, Equatable, Codable {
        /// First whole interval with the car plugged.
        public var firstInterval: Int
        /// One past the last whole plugged interval (96 = plugged through midnight).
        public var endInterval: Int
        /// SOC at the start of the window, percent.
        public var startSOCPercent: Double
        /// SOC the car must hold at the end of the window, percent.
        public var endSOCPercent: Double

        public init(firstInterval: Int, endInterval: Int, startSOCPercent: Double, endSOCPercent: Double) {
            self.firstInterval = firstInterval
            self.endInterval = endInterval
            self.startSOCPercent = startSOCPercent
            self.endSOCPercent = endSOCPercent
        }

        public var plugged: Range<Int> { firstInterval..<max(firstInterval, endInterval) }
    }

    public var windows: [Window]

    public init(windows: [Window]) { self.windows = windows }

    /// The car's limits that turn a session into windows.
    public struct Car: Sendable, Equatable, Codable {
        public var batteryKWh: Double
        public var chargeKW: Double
        public var socMinPercent: Double
        public var efficiency: Double
        public var defaultDepartureSOCPercent: Double

        public init(
            batteryKWh: Double = 70, chargeKW: Double = 7, socMinPercent: Double = 20, efficiency: Double = 0.95,
            defaultDepartureSOCPercent: Double = 90
        ) {
            self.batteryKWh = batteryKWh
            self.chargeKW = chargeKW
            self.socMinPercent = socMinPercent
            self.efficiency = efficiency
            self.defaultDepartureSOCPercent = defaultDepartureSOCPercent
        }
    }

    /// Windows of `day` from declared sessions (the driver's plan, or the live session with its departure time).
    /// A session that began before the day starts its window at 00:00 with its arrival SOC; one that ends after
    /// the day ends at 24:00 with the midnight level.
    public static func declared(
        _ sessions: [PlugSession], day: MarketDay, car: Car, timeZone: TimeZone = MarketDay.defaultTimeZone
    ) -> V2GAvailability {
        let start = day.start(timeZone: timeZone)
        let end = day.end(timeZone: timeZone)
        let n = MarketInterval.perDay
        var windows: [Window] = []
        for s in sessions where s.departure > start && s.arrival < end && s.departure > s.arrival {
            let target = s.departureSOCPercent ?? car.defaultDepartureSOCPercent
            let first = s.arrival <= start ? 0 : Int((s.arrival.timeIntervalSince(start) / 900).rounded(.up))
            let last = s.departure >= end ? n : Int((s.departure.timeIntervalSince(start) / 900).rounded(.down))
            guard last > first else { continue }
            var endSOC = target
            if s.departure > end {
                endSOC = midnightLevel(
                    target: target, hoursAfterMidnight: s.departure.timeIntervalSince(end) / 3600, car: car)
            }
            windows.append(
                Window(
                    firstInterval: first, endInterval: last, startSOCPercent: s.arrivalSOCPercent, endSOCPercent: endSOC
                ))
        }
        return V2GAvailability(windows: windows.sorted { $0.firstInterval < $1.firstInterval })
    }

    /// Windows of `day` from the charger's plug-in history: the median arrival and departure times of day, the
    /// lower quartile of arrival SOC (a conservative car needs more charge), the median departure target.
    /// A charger used on fewer than `minimumShare` of the last `lookbackDays` days is not counted on (no windows).
    /// Times of day are plain medians, so arrivals (and departures) are assumed not to straddle midnight —
    /// true of the evening-arrival, morning-departure pattern of DOMAIN §6; a departure earlier in the day than
    /// the arrival means an overnight session.
    public static func fromHistory(
        _ sessions: [PlugSession], day: MarketDay, car: Car, lookbackDays: Int = 28, minimumShare: Double = 0.5,
        timeZone: TimeZone = MarketDay.defaultTimeZone
    ) -> V2GAvailability {
        let from = day.adding(days: -lookbackDays).start(timeZone: timeZone)
        let to = day.start(timeZone: timeZone)
        let recent = sessions.filter { $0.arrival >= from && $0.arrival < to && $0.departure > $0.arrival }
        let usedDays = Set(recent.map { MarketDay(containing: $0.arrival, timeZone: timeZone) })
        guard lookbackDays > 0, Double(usedDays.count) / Double(lookbackDays) >= minimumShare else {
            return V2GAvailability(windows: [])
        }
        var cal = Calendar(identifier: .gregorian)
        cal.timeZone = timeZone
        func minuteOfDay(_ d: Date) -> Double {
            let c = cal.dateComponents([.hour, .minute], from: d)
            return Double((c.hour ?? 0) * 60 + (c.minute ?? 0))
        }
        let arrival = median(recent.map { minuteOfDay($0.arrival) })
        let departure = median(recent.map { minuteOfDay($0.departure) })
        let arrivalSOC = SimilarDayForecaster.quantile(sorted: recent.map(\.arrivalSOCPercent).sorted(), 0.25)
        let targets = recent.compactMap(\.departureSOCPercent)
        let target = targets.isEmpty ? car.defaultDepartureSOCPercent : median(targets)
        let n = MarketInterval.perDay
        let firstInterval = min(n, Int((arrival / 15).rounded(.up)))
        let departInterval = Int((departure / 15).rounded(.down))
        if departure > arrival {  // a day-time session (workplace charging)
            guard departInterval > firstInterval else { return V2GAvailability(windows: []) }
            return V2GAvailability(windows: [
                Window(
                    firstInterval: firstInterval, endInterval: departInterval, startSOCPercent: arrivalSOC,
                    endSOCPercent: target)
            ])
        }
        let midnight = midnightLevel(target: target, hoursAfterMidnight: departure / 60, car: car)
        var windows: [Window] = []
        if departInterval > 0 {
            windows.append(
                Window(firstInterval: 0, endInterval: departInterval, startSOCPercent: midnight, endSOCPercent: target))
        }
        if firstInterval < n {
            windows.append(
                Window(
                    firstInterval: firstInterval, endInterval: n, startSOCPercent: arrivalSOC, endSOCPercent: midnight))
        }
        return V2GAvailability(windows: windows)
    }

    /// The SOC at midnight from which full-power charging reaches `target` within `hoursAfterMidnight`
    /// (never below the car's SOC floor), percent.
    public static func midnightLevel(target: Double, hoursAfterMidnight: Double, car: Car) -> Double {
        guard car.batteryKWh > 0 else { return target }
        let reachable = car.chargeKW * car.efficiency * max(0, hoursAfterMidnight) / car.batteryKWh * 100
        return min(target, max(car.socMinPercent, target - reachable))
    }

    static func median(_ xs: [Double]) -> Double { SimilarDayForecaster.quantile(sorted: xs.sorted(), 0.5) }
}
