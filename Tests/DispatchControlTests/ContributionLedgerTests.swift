import DispatchControl
import Foundation
import Testing
import VPPCore

@Suite("Per-device contributions within an interval")
struct ContributionLedgerTests {
    let start = Date(timeIntervalSince1970: 1_795_428_000)

    @Test("device contributions add up to the tracker's energy and group by owner")
    func sums() {
        let end = start.addingTimeInterval(900)
        var ledger = ContributionLedger(start: start, end: end)
        var tracker = EnergyTracker(start: start, end: end, clearedKWh: 100)
        let devices: [(DeviceID, Double)] = [("a", 200), ("b", 100), ("c", -50)]
        for s in stride(from: 0.0, through: 900, by: 10) {
            let t = start.addingTimeInterval(s)
            var sum = 0.0
            for (id, base) in devices {
                let p = base * (1 + 0.1 * sin(s / 60))
                ledger.record(id, powerKW: p, at: t)
                sum += p
            }
            tracker.record(powerKW: sum, at: t)
        }
        #expect(abs(ledger.totalKWh - tracker.deliveredKWh) < 1e-9)
        #expect((ledger.energyKWh["c"] ?? 0) < 0)
        let owners = ledger.byOwner(["a": "o1", "b": "o1", "c": "o2"])
        #expect(
            abs((owners["o1"] ?? 0) - ((ledger.energyKWh["a"] ?? 0) + (ledger.energyKWh["b"] ?? 0)))
                < 1e-9)
        #expect(owners.count == 2)
    }

    @Test("samples out of order or NaN are ignored")
    func ignored() {
        var ledger = ContributionLedger(start: start, end: start.addingTimeInterval(900))
        ledger.record("a", powerKW: 360, at: start)
        ledger.record("a", powerKW: 360, at: start.addingTimeInterval(100))
        ledger.record("a", powerKW: 9999, at: start.addingTimeInterval(50))
        ledger.record("a", powerKW: .nan, at: start.addingTimeInterval(200))
        #expect(abs((ledger.energyKWh["a"] ?? 0) - 10) < 1e-9)
    }
}
