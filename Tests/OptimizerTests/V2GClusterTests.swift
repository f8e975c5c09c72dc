import Foundation
import Testing
import VPPCore

@testable import Optimizer

@Suite("V2G clusters as virtual batteries (inner approximation, DOMAIN §6, §8)")
struct V2GClusterTests {
    /// A 96-interval horizon starting at 19:00: the 2025-shaped day rotated so the evening peak comes first.
    let eveningFirst: [Double] = {
        let day = shaped2025Day()
        return Array(day[76...] + day[..<76])
    }()

    /// Replays each car's share and checks its window and departure SOC, kWh tolerance 1e-6 per kWh.
    func checkCars(_ cluster: V2GCluster, _ schedule: StorageSchedule) -> [String] {
        checkCars(cluster, cluster.disaggregate(schedule))
    }

    /// The same check for any per-car split (e.g. of a fleet plan).
    func checkCars(
        _ cluster: V2GCluster, _ split: [(id: String, chargeKW: [Double], dischargeKW: [Double])]
    ) -> [String] {
        var problems: [String] = []
        for ((id, charge, discharge), car) in zip(split, cluster.cars) {
            var kWh = car.batteryKWh * car.arrivalSOCPercent / 100
            let tol = 1e-6 * car.batteryKWh
            for t in 0..<charge.count {
                if charge[t] > car.chargeKW + 1e-9 || discharge[t] > car.dischargeKW + 1e-9 {
                    problems.append("\(id) over power at \(t)")
                }
                kWh += (car.efficiency * charge[t] - discharge[t] / car.efficiency) * 0.25
                guard cluster.plugged.contains(t) else { continue }
                if kWh < car.batteryKWh * car.socMinPercent / 100 - tol {
                    problems.append("\(id) below window at \(t)")
                }
                if kWh > car.batteryKWh * car.socMaxPercent / 100 + tol {
                    problems.append("\(id) above window at \(t)")
                }
                if t == cluster.plugged.upperBound - 1,
                    kWh < car.batteryKWh * car.departureSOCPercent / 100 - tol
                {
                    problems.append("\(id) leaves at \(kWh) kWh below its departure SOC")
                }
            }
        }
        return problems
    }

    @Test("identical RMI cars discharge into the evening peak and are back to 90 % by 08:00")
    func rmiCluster() throws {
        let cars = (1...20).map { V2GCar(id: "ev\($0)", arrivalSOCPercent: 60) }
        let cluster = try V2GCluster(name: "rmi", cars: cars, plugged: 0..<52)
        let s = try StorageModel.schedule(try cluster.problem(pricesYuanPerMWh: eveningFirst))
        #expect(s.relaxations.isEmpty)
        #expect(s.steps[0..<8].map(\.dischargeMW).reduce(0, +) > 0)
        #expect(s.steps[52...].allSatisfy { $0.chargeMW == 0 && $0.dischargeMW == 0 })
        #expect(checkCars(cluster, s).isEmpty)
        // V2G earns more than smart charging alone (same cars, no discharge) — the point of bidirectional charging.
        let chargeOnly = try V2GCluster(
            name: "rmi-charge-only",
            cars: cars.map {
                var c = $0
                c.dischargeKW = 0
                return c
            }, plugged: 0..<52)
        let smart = try StorageModel.schedule(try chargeOnly.problem(pricesYuanPerMWh: eveningFirst))
        #expect(smart.relaxations.isEmpty)
        #expect(s.profitYuan > smart.profitYuan + 1)
    }

    @Test(
        "random fleets: no car ever leaves below its departure SOC or outside its window",
        arguments: 0..<4)
    func randomFleets(seed: UInt64) throws {
        var rng = SeededRandom(seed: 500 + seed)
        var clean = 0
        for round in 0..<10 {
            // One cluster as a clusterer would form it: same plug window, arrival SOCs within a 5-point band and
            // required charge (departure − arrival) within a 5-point band. Sizes, chargers and windows vary.
            let band = Double.random(in: 30...50, using: &rng)
            let need = Double.random(in: 10...25, using: &rng)
            let cars = (0..<Int(rng.next() % 30 + 2)).map { i -> V2GCar in
                V2GCar(
                    id: "r\(round)-\(i)", batteryKWh: Double.random(in: 40...80, using: &rng),
                    chargeKW: Double.random(in: 3.7...11, using: &rng),
                    dischargeKW: Double.random(in: 0...11, using: &rng),
                    socMinPercent: Double.random(in: 10...25, using: &rng),
                    socMaxPercent: Double.random(in: 88...95, using: &rng),
                    arrivalSOCPercent: Double.random(in: band...(band + 5), using: &rng),
                    departureSOCPercent: 0)
            }
            let fleet = cars.map { c -> V2GCar in
                var c = c
                c.departureSOCPercent = c.arrivalSOCPercent + need + Double.random(in: 0...5, using: &rng)
                return c
            }
            let prices = eveningFirst.map { $0 + Double.random(in: -250...150, using: &rng) }
            let cluster = try V2GCluster(name: "fleet-\(round)", cars: fleet, plugged: 0..<52)
            let s = try StorageModel.schedule(try cluster.problem(pricesYuanPerMWh: prices))
            if s.relaxations.isEmpty {
                clean += 1
                #expect(checkCars(cluster, s).isEmpty, "round \(round)")
            } else {
                #expect(s.relaxations.allSatisfy { $0.kind == .energyFloorShortfall }, "\(s.relaxations)")
            }
        }
        #expect(clean >= 8)  // 13 h at ≥ 3.7 kW / 80 kWh (≥ 57 SOC points) covers every car's ≤ 30-point need
    }

    @Test("a departure SOC that cannot be reached in time is reported, not silently missed")
    func unreachableDeparture() throws {
        let car = V2GCar(id: "late", arrivalSOCPercent: 20, departureSOCPercent: 90)
        let cluster = try V2GCluster(name: "short-stay", cars: [car], plugged: 0..<4)  // one hour: +6.65 kWh
        let s = try StorageModel.schedule(
            try cluster.problem(pricesYuanPerMWh: Array(eveningFirst.prefix(8))))
        let r = try #require(s.relaxations.first)
        #expect(r.kind == .energyFloorShortfall)
        #expect(r.interval == 4)
        // 70 kWh × 70 % = 49 kWh needed, 4 × 7 kW × 0.25 h × 0.95 = 6.65 kWh possible.
        #expect(abs(r.amount - (49 - 6.65) / 1000) < 1e-6)
    }

    @Test("mixed efficiencies and empty clusters are rejected with the car named")
    func validation() {
        #expect(throws: StorageModelError.self) {
            try V2GCluster(name: "empty", cars: [], plugged: 0..<4)
        }
        do {
            _ = try V2GCluster(
                name: "mixed",
                cars: [
                    V2GCar(id: "a", arrivalSOCPercent: 50),
                    V2GCar(id: "b", arrivalSOCPercent: 50, efficiency: 0.9),
                ],
                plugged: 0..<4)
            Issue.record("accepted")
        } catch {
            #expect("\(error)".contains("car b.efficiency"))
        }
    }
}
