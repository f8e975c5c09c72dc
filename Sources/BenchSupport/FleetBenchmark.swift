import Foundation
import Optimizer
import VPPCore

/// Measures `FleetModel` on a seeded synthetic fleet of virtual assets, for `vppbench market` and for anyone
/// sizing a planner: how long one LP takes to build and solve for a given number of storage aggregates,
/// V2G clusters and PV assets, over several price scenarios. Not a test (timings depend on the machine);
/// the figures it reports are the numbers.
public enum FleetBenchmark {
    /// The synthetic fleet's shape.
    public struct Shape: Sendable, Equatable {
        /// Storage aggregates (each 0.5–5 MW, 1–4 h, SOC 20–80 %).
        public var storageAssets: Int
        /// V2G clusters (each 20–200 RMI-like cars with one plug window overnight or at work).
        public var v2gClusters: Int
        /// PV assets (1–20 MW peak, curtailable).
        public var pvAssets: Int
        /// Site groups with a connection limit each; assets are spread over them round-robin.
        public var siteGroups: Int
        public var intervals: Int

        public init(
            storageAssets: Int = 10, v2gClusters: Int = 20, pvAssets: Int = 10, siteGroups: Int = 5,
            intervals: Int = 96
        ) {
            self.storageAssets = storageAssets
            self.v2gClusters = v2gClusters
            self.pvAssets = pvAssets
            self.siteGroups = siteGroups
            self.intervals = intervals
        }

        public var assetCount: Int { storageAssets + v2gClusters + pvAssets }
    }

    /// Timings of one run, seconds, one entry per scenario.
    public struct Result: Sendable {
        public let shape: Shape
        public let columns: Int
        public let rows: Int
        public let nonZeros: Int
        public let buildSeconds: [Double]
        public let solveSeconds: [Double]
        /// Build + solve per scenario.
        public var totalSeconds: [Double] { zip(buildSeconds, solveSeconds).map { $0 + $1 } }
        public var medianSeconds: Double {
            let s = totalSeconds.sorted()
            return s.isEmpty ? 0 : s[s.count / 2]
        }
        public var worstSeconds: Double { totalSeconds.max() ?? 0 }
    }

    /// Solves the synthetic fleet of `shape` under `scenarios` seeded price scenarios, each from scratch
    /// (`warm: false`) or all in one `FleetModel.schedule(_:priceScenarios:)` call (`warm: true`).
    public static func run(_ shape: Shape, scenarios: Int = 5, seed: UInt64 = 1, warm: Bool = false)
        throws(FleetModelError) -> Result
    {
        var rng = SeededRandom(seed: seed)
        let problem = try synthetic(shape, rng: &rng)
        let schedules = try schedule(problem, scenarios: scenarios, warm: warm, rng: &rng)
        let last = schedules.last
        return Result(
            shape: shape, columns: last?.lpColumns ?? 0, rows: last?.lpRows ?? 0, nonZeros: last?.lpNonZeros ?? 0,
            buildSeconds: schedules.map(\.buildSeconds), solveSeconds: schedules.map(\.solveSeconds))
    }

    /// Plans `problem` under `scenarios` seeded price series (its prices ± 120 yuan/MWh, drawn from `rng`),
    /// each from scratch or (`warm`) all in one `FleetModel.schedule(_:priceScenarios:)` call.
    static func schedule(_ problem: FleetProblem, scenarios: Int, warm: Bool, rng: inout SeededRandom)
        throws(FleetModelError) -> [FleetSchedule]
    {
        let base = problem.pricesYuanPerMWh
        let series = (0..<max(1, scenarios)).map { _ in base.map { $0 + rng.uniform(-120, 120) } }
        if warm { return try FleetModel.schedule(problem, priceScenarios: series) }
        var schedules: [FleetSchedule] = []
        for prices in series {
            var p = problem
            p.pricesYuanPerMWh = prices
            schedules.append(try FleetModel.schedule(p))
        }
        return schedules
    }

    /// The seeded synthetic fleet (also useful as a fixture).
    public static func problem(_ shape: Shape, seed: UInt64 = 1) throws(FleetModelError) -> FleetProblem {
        var rng = SeededRandom(seed: seed)
        return try synthetic(shape, rng: &rng)
    }

    static func synthetic(_ shape: Shape, rng: inout SeededRandom) throws(FleetModelError) -> FleetProblem {
        let n = shape.intervals
        let hours = 24.0 / Double(max(1, n))
        let groups = max(1, shape.siteGroups)
        func group(_ i: Int) -> String { "site-\(i % groups + 1)" }
        // Midday valley, evening peak (DOMAIN §3), with a few zero/negative intervals around noon.
        let prices = (0..<n).map { k -> Double in
            let hour = (Double(k) + 0.5) * hours
            return 330 - 380 * exp(-pow((hour - 12.5) / 2, 2)) + 260 * exp(-pow((hour - 19) / 1.6, 2))
        }
        var problem = FleetProblem(name: "bench", pricesYuanPerMWh: prices, intervalHours: hours)
        for i in 0..<shape.storageAssets {
            let power = rng.uniform(0.5, 5)
            let storage = StorageParameters(
                name: "storage-\(i + 1)", chargePowerMaxMW: power, dischargePowerMaxMW: power,
                energyCapacityMWh: power * rng.uniform(1, 4), degradationCostYuanPerMWh: rng.uniform(10, 40),
                chargingFeeYuanPerMWh: rng.uniform(0, 30))
            problem.batteries.append(
                FleetBattery(storage: storage, initialSOCPercent: rng.uniform(20, 80), group: group(i)))
        }
        for i in 0..<shape.v2gClusters {
            let overnight = i % 3 != 2
            // Overnight 19:00–08:00 wraps on a midnight-based day: plug in at the start, leave at 08:00.
            let window = overnight ? 0..<(n / 3) : (n * 9 / 24)..<(n * 17 / 24)
            let arrival = rng.uniform(30, 60)
            let need = rng.uniform(10, 25)
            let cars = (0..<Int(rng.uniform(20, 200))).map { c in
                V2GCar(
                    id: "v2g-\(i + 1)-\(c)", batteryKWh: [50, 60, 70, 80][c % 4], chargeKW: 7, dischargeKW: 7,
                    arrivalSOCPercent: arrival + rng.uniform(0, 5),
                    departureSOCPercent: min(90, arrival + need + rng.uniform(0, 5)))
            }
            do {
                let cluster = try V2GCluster(name: "v2g-\(i + 1)", cars: cars, plugged: window)
                problem.batteries.append(try cluster.fleetBattery(intervals: n, group: group(i)))
            } catch {
                throw .invalidBattery(error)
            }
        }
        var siteLoad = [[Double]](repeating: [Double](repeating: 0, count: n), count: groups)
        for i in 0..<shape.pvAssets {
            let peak = rng.uniform(1, 20)
            let forecast = pvProfile(peakMW: peak, intervals: n)
            problem.pv.append(FleetPV(name: "pv-\(i + 1)", forecastMW: forecast, group: group(i)))
            for k in 0..<n { siteLoad[i % groups][k] -= 0.3 * peak * rng.uniform(0.5, 1) }
        }
        for g in 0..<groups {
            problem.fixed.append(FleetFixedProfile(name: "load-\(g + 1)", netMW: siteLoad[g], group: group(g)))
            problem.connections.append(
                FleetConnection(name: group(g), group: group(g), exportLimitMW: 25, importLimitMW: 25))
        }
        // An evening DR award and a "tight" flag at noon, both on the whole fleet.
        problem.netBounds.append(
            FleetNetBound(name: "dr", minMW: (0..<n).map { k in (n * 18 / 24..<n * 19 / 24).contains(k) ? 2 : nil }))
        problem.netBounds.append(
            FleetNetBound(name: "tight", maxMW: (0..<n).map { k in (n * 12 / 24..<n * 13 / 24).contains(k) ? 0 : nil }))
        return problem
    }

    /// A clear-day PV shape, MW per interval: 0 before 06:00 and after 19:00, a sine bump peaking at 12:30.
    static func pvProfile(peakMW: Double, intervals n: Int) -> [Double] {
        let hours = 24.0 / Double(max(1, n))
        return (0..<n).map { k in
            let hour = (Double(k) + 0.5) * hours
            return hour < 6 || hour > 19 ? 0 : peakMW * pow(sin(Double.pi * (hour - 6) / 13), 1.5)
        }
    }
}
