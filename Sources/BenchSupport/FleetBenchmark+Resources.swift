import Foundation
import Optimizer
import VPPCore

extension FleetBenchmark {
    /// A raw fleet of individual resources, clustered before planning (issue 5: a bid for 10,000 resources in
    /// ≤ 2 s — cluster, don't solve per device).
    public struct Resources: Sendable, Equatable {
        /// Individual batteries (50–500 kW, 1–4 h), aggregated per site group and duration band.
        public var storageUnits: Int
        /// Individual V2G cars at home chargers (no site group) in 12 plug windows (overnight, workplace, evening).
        public var cars: Int
        /// Individual PV plants (5–500 kW), aggregated per site group.
        public var pvSites: Int
        public var siteGroups: Int

        public init(storageUnits: Int = 1_500, cars: Int = 6_500, pvSites: Int = 2_000, siteGroups: Int = 4) {
            self.storageUnits = storageUnits
            self.cars = cars
            self.pvSites = pvSites
            self.siteGroups = siteGroups
        }

        public var count: Int { storageUnits + cars + pvSites }
    }

    /// Timings of clustering once and planning several price scenarios, seconds.
    public struct ResourcesResult: Sendable {
        public let resources: Resources
        /// Virtual assets after clustering: storage aggregates, V2G clusters, PV aggregates.
        public let storageAggregates: Int
        public let v2gClusters: Int
        public let pvAggregates: Int
        public let clusterSeconds: Double
        /// Build + solve per scenario.
        public let scenarioSeconds: [Double]
        public let relaxations: Int
        public var assets: Int { storageAggregates + v2gClusters + pvAggregates }
        /// Clustering + every scenario: what a bid for this fleet costs in optimizer time.
        public var totalSeconds: Double { clusterSeconds + scenarioSeconds.reduce(0, +) }
    }

    /// Generates `resources` (seeded), clusters them and plans `scenarios` price scenarios, each from scratch
    /// or (`warm`) in one `FleetModel.schedule(_:priceScenarios:)` call.
    public static func run(_ resources: Resources, scenarios: Int = 5, seed: UInt64 = 1, warm: Bool = true)
        throws(FleetModelError) -> ResourcesResult
    {
        var rng = SeededRandom(seed: seed)
        let n = 96
        let groups = max(1, resources.siteGroups)
        func group(_ i: Int) -> String { "site-\(i % groups + 1)" }
        // Raw resources first, so that clustering is inside the measurement.
        var units: [String: [StorageAggregate.Unit]] = [:]
        for i in 0..<resources.storageUnits {
            let kw = rng.uniform(50, 500)
            let hours = [1.0, 2, 4][Int(rng.next() % 3)]
            let p = StorageParameters(
                name: "bess-\(i)", chargePowerMaxMW: kw / 1000, dischargePowerMaxMW: kw / 1000,
                energyCapacityMWh: kw * hours / 1000, degradationCostYuanPerMWh: rng.uniform(10, 40),
                chargingFeeYuanPerMWh: 20)
            units["\(group(i))/\(Int(hours))h", default: []].append(
                .init(parameters: p, socPercent: rng.uniform(20, 80)))
        }
        let windows: [Range<Int>] = [
            0..<28, 0..<32, 0..<36, 4..<32, 32..<68, 36..<72, 40..<72, 36..<68, 72..<96, 76..<96, 80..<96, 84..<96,
        ]
        // Home chargers: a car's only limit is its own charger, so cars belong to no site group.
        var cars: [(car: V2GCar, plugged: Range<Int>)] = []
        for i in 0..<resources.cars {
            let arrival = rng.uniform(25, 75)
            let car = V2GCar(
                id: "ev-\(i)", batteryKWh: [50.0, 60, 70, 80][Int(rng.next() % 4)],
                chargeKW: [7.0, 7, 11][Int(rng.next() % 3)], dischargeKW: [7.0, 7, 11][Int(rng.next() % 3)],
                arrivalSOCPercent: arrival, departureSOCPercent: min(90, arrival + rng.uniform(-5, 30)))
            cars.append((car, windows[Int(rng.next() % UInt64(windows.count))]))
        }
        var pvMW: [String: [Double]] = [:]
        for i in 0..<resources.pvSites {
            let kw = rng.uniform(5, 500)
            let shape = pvProfile(peakMW: kw / 1000, intervals: n)
            pvMW[group(i), default: [Double](repeating: 0, count: n)] =
                zip(pvMW[group(i)] ?? [Double](repeating: 0, count: n), shape).map { $0 + $1 }
        }

        let clusterStart = ContinuousClock.now
        var problem = try synthetic(Shape(storageAssets: 0, v2gClusters: 0, pvAssets: 0, siteGroups: 0), rng: &rng)
        do {
            for key in units.keys.sorted() {
                problem.batteries.append(
                    try StorageAggregate(name: key, units: units[key] ?? []).fleetBattery(
                        group: String(key.split(separator: "/")[0])))
            }
            let aggregates = problem.batteries.count
            for c in try V2GClusterer().clusters(cars) {
                problem.batteries.append(try c.fleetBattery(intervals: n))
            }
            problem.pv = pvMW.keys.sorted().map { FleetPV(name: "pv-\($0)", forecastMW: pvMW[$0] ?? [], group: $0) }
            problem.connections = (0..<groups).map {
                FleetConnection(name: group($0), group: group($0), exportLimitMW: 60, importLimitMW: 60)
            }
            let clusterSeconds = FleetModel.seconds(since: clusterStart)

            let schedules = try schedule(problem, scenarios: scenarios, warm: warm, rng: &rng)
            let times = schedules.map { $0.buildSeconds + $0.solveSeconds }
            let relaxed = schedules.map(\.relaxations.count).max() ?? 0
            return ResourcesResult(
                resources: resources, storageAggregates: aggregates,
                v2gClusters: problem.batteries.count - aggregates, pvAggregates: problem.pv.count,
                clusterSeconds: clusterSeconds, scenarioSeconds: times, relaxations: relaxed)
        } catch let error as StorageModelError {
            throw .invalidBattery(error)
        } catch let error as FleetModelError {
            throw error
        } catch {
            throw .invalidInput(subject: "benchmark", field: "resources", detail: "\(error)")
        }
    }
}
