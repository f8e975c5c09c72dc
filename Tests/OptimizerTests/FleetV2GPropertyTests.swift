import Foundation
import Testing
import VPPCore

@testable import Optimizer

@Suite("FleetModel with V2G clusters: no car ever below its departure SOC or outside its window")
struct FleetV2GPropertyTests {
    /// A random fleet: cars with plug windows of 6–14 h anywhere in the day (so every car's need is
    /// reachable even at the slowest C-rate of its cluster), a storage unit, curtailable PV, a site load, a
    /// generous connection, an evening DR award and a midday "tight" flag that push the plan to use the cars.
    /// Cars may need no charge at all (departure below arrival).
    func randomFleet(seed: UInt64) throws -> (FleetProblem, [V2GCluster]) {
        var rng = SeededRandom(seed: seed)
        let n = 96
        let cars = (0..<Int(rng.next() % 40 + 5)).map { i -> (car: V2GCar, plugged: Range<Int>) in
            let battery = [40.0, 50, 60, 70, 80][Int(rng.next() % 5)]
            let socMin = rng.uniform(10, 30)
            let socMax = rng.uniform(85, 95)
            let arrival = rng.uniform(socMin, socMax - 5)
            let departure = min(socMax, arrival + rng.uniform(-10, 30))
            let first = Int(rng.next() % 40)
            let length = Int(rng.next() % 33) + 24
            return (
                V2GCar(
                    id: "s\(seed)-ev\(i)", batteryKWh: battery, chargeKW: [7.0, 7, 11, 3.7][Int(rng.next() % 4)],
                    dischargeKW: [0.0, 7, 7, 11][Int(rng.next() % 4)], socMinPercent: socMin, socMaxPercent: socMax,
                    arrivalSOCPercent: arrival, departureSOCPercent: departure),
                first..<min(n, first + length)
            )
        }
        // Odd seeds cluster with energy shares, even seeds with need shares (the default): both must be safe.
        var clusterer = V2GClusterer()
        clusterer.splitByNeed = seed.isMultiple(of: 2)
        let clusters = try clusterer.clusters(cars)
        let day = shaped2025Day()
        var problem = FleetProblem(
            name: "v2g-\(seed)", pricesYuanPerMWh: day.map { $0 + rng.uniform(-250, 150) })
        problem.batteries = try clusters.map { try $0.fleetBattery(intervals: n, group: "depot") }
        problem.batteries.append(
            FleetBattery(
                storage: StorageParameters(
                    name: "bess", chargePowerMaxMW: 0.1, dischargePowerMaxMW: 0.1, energyCapacityMWh: 0.2),
                initialSOCPercent: rng.uniform(0, 100), group: "depot"))
        problem.pv = [
            FleetPV(
                name: "roof", forecastMW: (0..<n).map { k in (28..<76).contains(k) ? rng.uniform(0, 0.3) : 0 },
                group: "depot")
        ]
        problem.fixed = [FleetFixedProfile(name: "load", netMW: (0..<n).map { _ in -rng.uniform(0, 0.05) })]
        let chargeMW = cars.map(\.car.chargeKW).reduce(0, +) / 1000
        problem.connections = [
            FleetConnection(name: "depot", group: "depot", exportLimitMW: 1, importLimitMW: chargeMW + 0.3)
        ]
        problem.netBounds = [
            FleetNetBound(name: "dr", minMW: (0..<n).map { (72..<80).contains($0) ? 0.2 : nil }),
            FleetNetBound(name: "tight", maxMW: (0..<n).map { (44..<52).contains($0) ? -0.1 : nil }),
        ]
        return (problem, clusters)
    }

    @Test("240 random fleets: every car's split plan keeps its window, power and departure SOC")
    func randomFleets() throws {
        let checker = V2GClusterTests()
        var carsChecked = 0
        var obligationsRelaxed = 0
        for seed in UInt64(0)..<240 {
            let (problem, clusters) = try randomFleet(seed: seed)
            let s = try FleetModel.schedule(problem)
            // Obligations may give way (their penalty is below a car's), a car's limits never.
            let carKinds: Set<Relaxation.Kind> = [.energyFloorShortfall, .energyCeilingExcess]
            #expect(s.relaxations.allSatisfy { !carKinds.contains($0.kind) }, "seed \(seed): \(s.relaxations)")
            obligationsRelaxed += s.relaxations.isEmpty ? 0 : 1
            for cluster in clusters {
                let plan = try #require(s.battery(named: cluster.name))
                let problems = checker.checkCars(cluster, cluster.disaggregate(plan))
                #expect(problems.isEmpty, "seed \(seed) \(cluster.name): \(problems.prefix(3))")
                carsChecked += cluster.cars.count
            }
        }
        #expect(carsChecked > 240 * 5)
        // The DR award and "tight" flag are there to push: some fleets cannot meet them and say so.
        #expect(obligationsRelaxed > 0)
    }
}
