import Foundation
import Testing
import VPPCore

@testable import Optimizer

@Suite("V2GClusterer (cluster, don't solve per device)")
struct V2GClustererTests {
    func randomFleet(_ count: Int, seed: UInt64) -> [(car: V2GCar, plugged: Range<Int>)] {
        var rng = SeededRandom(seed: seed)
        return (0..<count).map { i in
            let arrival = Double.random(in: 30...70, using: &rng)
            let car = V2GCar(
                id: "ev\(i)", batteryKWh: [50, 60, 70, 80][Int(rng.next() % 4)],
                chargeKW: [7, 7, 11][Int(rng.next() % 3)],
                dischargeKW: 7, arrivalSOCPercent: arrival,
                departureSOCPercent: min(90, arrival + Double.random(in: 5...30, using: &rng)))
            let first = [0, 4, 8][Int(rng.next() % 3)]  // 19:00, 20:00, 21:00 on a horizon starting 19:00
            let end = [48, 52, 56][Int(rng.next() % 3)]  // leaves 07:00, 08:00, 09:00
            return (car, first..<end)
        }
    }

    @Test("every car lands in exactly one cluster whose window and bands it shares")
    func partition() throws {
        let fleet = randomFleet(3_000, seed: 42)
        let clusters = try V2GClusterer().clusters(fleet)
        let ids = clusters.flatMap { $0.cars.map(\.id) }
        #expect(ids.count == fleet.count)
        #expect(Set(ids).count == fleet.count)
        #expect(clusters.count < fleet.count / 5)
        let window = Dictionary(uniqueKeysWithValues: fleet.map { ($0.car.id, $0.plugged) })
        for c in clusters {
            #expect(c.cars.allSatisfy { window[$0.id] == c.plugged })
            switch c.split {
            case .energy:
                let socs = c.cars.map(\.arrivalSOCPercent)
                #expect((socs.max() ?? 0) - (socs.min() ?? 0) < 10)
            case .need:
                // Same charge-time band (factor 4, hours under one interval count as 0.25 h); every car needs charge.
                let hours = c.cars.map {
                    max(
                        0.25,
                        $0.batteryKWh * ($0.departureSOCPercent - $0.arrivalSOCPercent) / 100
                            / ($0.chargeKW * $0.efficiency))
                }
                #expect((hours.max() ?? 0) < 4 * (hours.min() ?? 0) + 1e-9)
                #expect(c.cars.allSatisfy { $0.departureSOCPercent > $0.arrivalSOCPercent })
            case .room:
                #expect(
                    c.cars.allSatisfy {
                        $0.departureSOCPercent <= $0.arrivalSOCPercent && $0.arrivalSOCPercent > $0.socMinPercent
                    })
            }
        }
    }

    @Test(
        "a 2,000-car fleet plans in well under 2 s and no car is left short where no relaxation is reported"
    )
    func fleetPlan() throws {
        let prices: [Double] = {
            let day = shaped2025Day()
            return Array(day[76...] + day[..<76])
        }()
        let started = ContinuousClock.now
        let clusters = try V2GClusterer().clusters(randomFleet(2_000, seed: 7))
        var schedules: [(V2GCluster, StorageSchedule)] = []
        for c in clusters {
            schedules.append((c, try StorageModel.schedule(try c.problem(pricesYuanPerMWh: prices))))
        }
        let elapsed = ContinuousClock.now - started
        #expect(elapsed < .seconds(2), "planning took \(elapsed) for \(clusters.count) clusters")
        let checker = V2GClusterTests()
        var relaxed = 0
        for (c, s) in schedules {
            if s.relaxations.isEmpty {
                #expect(checker.checkCars(c, s).isEmpty, "\(c.name)")
            } else {
                relaxed += 1
            }
        }
        #expect(
            relaxed * 10 <= schedules.count,
            "\(relaxed) of \(schedules.count) clusters needed a relaxation")
    }

    @Test("need shares let cars at any arrival SOC share a cluster: fewer clusters, none relaxed, no car short")
    func needSplitClustersFewer() throws {
        let fleet = randomFleet(2_000, seed: 11)
        var energy = V2GClusterer()
        energy.splitByNeed = false
        let byEnergy = try energy.clusters(fleet)
        let byNeed = try V2GClusterer().clusters(fleet)
        #expect(byNeed.count * 2 < byEnergy.count, "\(byNeed.count) need-split vs \(byEnergy.count) energy-split")
        let prices: [Double] = {
            let day = shaped2025Day()
            return Array(day[76...] + day[..<76])
        }()
        var problem = FleetProblem(name: "need-split", pricesYuanPerMWh: prices)
        problem.batteries = try byNeed.map { try $0.fleetBattery(intervals: 96) }
        let s = try FleetModel.schedule(problem)
        #expect(s.relaxations.isEmpty)
        let checker = V2GClusterTests()
        for c in byNeed {
            let plan = try #require(s.battery(named: c.name))
            #expect(checker.checkCars(c, c.disaggregate(plan)).isEmpty, "\(c.name)")
        }
    }

    @Test("two cars at 30 % and 70 % that both must reach 90 % share one need-split cluster and both arrive full")
    func needSplitHandCase() throws {
        let a = V2GCar(id: "a", batteryKWh: 60, chargeKW: 7, arrivalSOCPercent: 30, departureSOCPercent: 90)
        let b = V2GCar(id: "b", batteryKWh: 60, chargeKW: 7, arrivalSOCPercent: 70, departureSOCPercent: 90)
        let clusters = try V2GClusterer().clusters([(a, 0..<40), (b, 0..<40)])
        // Energy shares would need two clusters (b's 20-point headroom is below a's 60-point need).
        var energy = V2GClusterer()
        energy.splitByNeed = false
        #expect(try energy.clusters([(a, 0..<40), (b, 0..<40)]).count == 2)
        // Charge times 60·0.6/(7·0.95) = 5.4 h and 1.8 h are in different time bands: one cluster each here…
        #expect(clusters.count == 2)
        // …so build the shared one by hand: shares 60·60 : 60·20 = 3 : 1, departure bound = Σ E·n = 48 kWh.
        let shared = try V2GCluster(name: "ab", cars: [a, b], plugged: 0..<40, split: .need)
        #expect(abs(shared.weights[0] - 0.75) < 1e-12 && abs(shared.weights[1] - 0.25) < 1e-12)
        let battery = try shared.fleetBattery(intervals: 48)
        let floor = try #require(battery.envelope?.energyMinMWh[39] ?? nil)
        #expect(abs(floor - (0.018 + 0.042 + 0.048)) < 1e-12)  // arrival 18 + 42 kWh, plus the 48 kWh needed
        var problem = FleetProblem(name: "ab", pricesYuanPerMWh: Array(repeating: 300, count: 48))
        problem.batteries = [battery]
        let s = try FleetModel.schedule(problem)
        #expect(s.relaxations.isEmpty)
        let plan = try #require(s.battery(named: "ab"))
        #expect(V2GClusterTests().checkCars(shared, shared.disaggregate(plan)).isEmpty)
        // Power: b's charger carries a quarter of the cluster, a's three quarters: a (7 kW / 0.75) binds.
        #expect(abs(battery.storage.chargePowerMaxMW - 0.007 / 0.75) < 1e-12)
        // A car that needs no charge cannot be need-split; the error names it.
        let full = V2GCar(id: "full", arrivalSOCPercent: 90, departureSOCPercent: 80)
        do {
            _ = try V2GCluster(name: "x", cars: [a, full], plugged: 0..<4, split: .need)
            Issue.record("accepted")
        } catch {
            #expect("\(error)".contains("car full.departureSOCPercent"))
        }
    }

    @Test("cars that need no charge share a room-split cluster: all reach their floor together, none below departure")
    func roomSplit() throws {
        // Room 40 and 20 points of 50 kWh: shares 2 : 1; both may discharge to their floor, b only to 50 % by departure.
        let a = V2GCar(id: "a", batteryKWh: 50, arrivalSOCPercent: 60, departureSOCPercent: 40)
        let b = V2GCar(id: "b", batteryKWh: 50, arrivalSOCPercent: 40, departureSOCPercent: 40)
        let cluster = try V2GCluster(name: "ab", cars: [a, b], plugged: 0..<32, split: .room)
        #expect(abs(cluster.weights[0] - 2.0 / 3) < 1e-12)
        // Every window floor is the same −Σ E·room = −30 kWh; b's departure (no net discharge) binds at 0.
        let battery = try cluster.fleetBattery(intervals: 32)
        let e0 = 0.050 * 0.6 + 0.050 * 0.4
        #expect(abs(battery.storage.energyCapacityMWh - 0.1) < 1e-12)
        let floors = try #require(battery.envelope?.energyMinMWh)
        #expect(abs(try #require(floors[0]) - (e0 - 0.030)) < 1e-12)
        #expect(abs(try #require(floors[31]) - e0) < 1e-12)
        // A peak in the middle: the cluster discharges, then recharges to its departure floor.
        var prices = Array(repeating: 200.0, count: 32)
        for k in 8..<16 { prices[k] = 900 }
        var problem = FleetProblem(name: "room", pricesYuanPerMWh: prices)
        problem.batteries = [battery]
        let s = try FleetModel.schedule(problem)
        #expect(s.relaxations.isEmpty)
        let plan = try #require(s.battery(named: "ab"))
        #expect(plan.dischargeMW[8..<16].reduce(0, +) > 0)
        #expect(V2GClusterTests().checkCars(cluster, cluster.disaggregate(plan)).isEmpty)
        // A car that needs charge cannot be room-split.
        let needy = V2GCar(id: "needy", arrivalSOCPercent: 40, departureSOCPercent: 80)
        #expect(throws: StorageModelError.self) {
            try V2GCluster(name: "x", cars: [a, needy], plugged: 0..<4, split: .room)
        }
    }
}
