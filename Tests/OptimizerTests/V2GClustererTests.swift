import Foundation
import Testing

@testable import Optimizer

@Suite("V2GClusterer (cluster, don't solve per device)")
struct V2GClustererTests {
    func randomFleet(_ count: Int, seed: UInt64) -> [(car: V2GCar, plugged: Range<Int>)] {
        var rng = SplitMix64(seed: seed)
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
            let socs = c.cars.map(\.arrivalSOCPercent)
            #expect((socs.max() ?? 0) - (socs.min() ?? 0) < 10)
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
}
