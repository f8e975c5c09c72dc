import DispatchControl
import Foundation
import Testing
import VPPCore

@Suite("Allocator: splitting a fleet target across resources")
struct AllocatorTests {
    func pv(
        _ id: String, available: Double, current: Double? = nil, cost: MeritCost = .neutral,
        site: String = "s1", owner: String = "o1"
    )
        -> AllocationResource
    {
        AllocationResource(
            id: DeviceID(id), kind: .pv, site: SiteID(site), owner: OwnerID(owner),
            range: PowerRange(lowerKW: 0, upperKW: available), currentKW: current ?? available, cost: cost
        )
    }

    func battery(
        _ id: String, rated: Double = 50, current: Double = 0, up: Double = 100, down: Double = 100,
        cost: MeritCost = .neutral, ramp: Double? = nil, site: String = "s1",
        kind: DeviceKind = .storage,
        excluded: Bool = false
    ) -> AllocationResource {
        AllocationResource(
            id: DeviceID(id), kind: kind, site: SiteID(site), owner: "o1",
            range: PowerRange(lowerKW: -rated, upperKW: rated),
            currentKW: current, rampKWPerSecond: ramp, cost: cost, energyUpKWh: up, energyDownKWh: down,
            excluded: excluded)
    }

    func kW(_ a: Allocation, _ id: String) -> Double? {
        a.setpoints.first { $0.id == DeviceID(id) }?.kW
    }

    func near(_ a: Double?, _ b: Double, _ tol: Double = 1e-9) -> Bool {
        a.map { abs($0 - b) <= tol } ?? false
    }

    @Test("two PV of equal cost share a curtailment in proportion to their headroom")
    func pvProportional() {
        let a = Allocator(settings: .init(deadbandKW: 0)).allocate(
            targetKW: 50, resources: [pv("a", available: 60), pv("b", available: 40)])
        #expect(near(kW(a, "a"), 30))
        #expect(near(kW(a, "b"), 20))
        #expect(near(a.allocatedKW, 50))
        #expect(!a.isClamped)
    }

    @Test("merit order: at a positive price storage charges before PV is curtailed")
    func meritPositivePrice() {
        let m = MeritModel(
            priceYuanPerMWh: 300, degradationYuanPerMWh: 50, storedEnergyValueYuanPerMWh: 400)
        let a = Allocator(settings: .init(deadbandKW: 0)).allocate(
            targetKW: 80,
            resources: [
                pv("pv", available: 100, cost: m.cost(for: .pv)),
                battery("st", rated: 15, cost: m.cost(for: .storage)),
            ])
        #expect(near(kW(a, "st"), -15))
        #expect(near(kW(a, "pv"), 95))
    }

    @Test("merit order: at a negative price PV is curtailed first")
    func meritNegativePrice() {
        let m = MeritModel(priceYuanPerMWh: -100)
        let a = Allocator(settings: .init(deadbandKW: 0)).allocate(
            targetKW: 80,
            resources: [
                pv("pv", available: 100, cost: m.cost(for: .pv)),
                battery("st", rated: 15, cost: m.cost(for: .storage)),
            ])
        #expect(near(kW(a, "pv"), 80))
        #expect(near(kW(a, "st"), 0))
    }

    @Test("V2G: a car that urgently needs energy is the last to discharge")
    func v2gUrgency() {
        let m = MeritModel(priceYuanPerMWh: 400)
        let a = Allocator(settings: .init(deadbandKW: 0)).allocate(
            targetKW: 5,
            resources: [
                battery("urgent", rated: 7, cost: m.cost(for: .v2g, departureUrgency: 0.9), kind: .v2g),
                battery("relaxed", rated: 7, cost: m.cost(for: .v2g, departureUrgency: 0), kind: .v2g),
            ])
        #expect(near(kW(a, "relaxed"), 5))
        #expect(near(kW(a, "urgent"), 0))
    }

    @Test("an infeasible target is clamped to the fleet's envelope and says so")
    func infeasible() {
        let rs = [pv("pv", available: 40), battery("st", rated: 25)]
        let a = Allocator().allocate(targetKW: 1000, resources: rs)
        #expect(a.isClamped)
        #expect(a.envelope == PowerRange(lowerKW: -25, upperKW: 65))
        #expect(near(a.allocatedKW, 65))
        #expect(near(a.shortfallKW, 935))
        #expect(a.summary.contains("clamped"))
        let b = Allocator().allocate(targetKW: -1000, resources: rs)
        #expect(b.isClamped)
        #expect(near(b.allocatedKW, -25))
        #expect(near(kW(b, "pv"), 0))
    }

    @Test("ramp limits: a device moves at most ramp × period; a moved range wins over the ramp")
    func ramp() {
        let a = Allocator(settings: .init(controlPeriodS: 1, deadbandKW: 0)).allocate(
            targetKW: 40, resources: [battery("st", current: 0, ramp: 5)])
        #expect(near(kW(a, "st"), 5))
        #expect(a.isClamped)
        #expect(a.envelope == PowerRange(lowerKW: -5, upperKW: 5))
        let slow = Allocator(settings: .init(controlPeriodS: 0.5, deadbandKW: 0)).allocate(
            targetKW: -40, resources: [battery("st", current: 10, ramp: 4)])
        #expect(near(kW(slow, "st"), 8))
        // Range now [-10, 10] but the device sits at 30: pinned at the range edge, not at 30 - ramp.
        var r = battery("st", current: 30, ramp: 5)
        r.range = PowerRange(lowerKW: -10, upperKW: 10)
        let c = Allocator(settings: .init(deadbandKW: 0)).allocate(targetKW: 0, resources: [r])
        #expect(near(kW(c, "st"), 10))
    }

    @Test("SOC balancing: repeated discharge and charge bring the batteries' SOCs together")
    func socBalancing() {
        var soc = [80.0, 50.0, 30.0]  // percent of 100 kWh, window 10…90
        let spread0 = soc.max()! - soc.min()!
        var last = spread0
        let alloc = Allocator(settings: .init(deadbandKW: 0))
        for cycle in 0..<4 {
            for step in 0..<60 {  // one-minute steps, 30 min discharging then 30 min charging
                let target = step < 30 ? 60.0 : -60.0
                let rs = soc.enumerated().map { i, s in
                    battery("b\(i)", rated: 50, up: max(0, s - 10), down: max(0, 90 - s))
                }
                let a = alloc.allocate(targetKW: target, resources: rs)
                #expect(near(a.allocatedKW, target, 1e-6), "cycle \(cycle) step \(step)")
                for (i, sp) in a.setpoints.enumerated() { soc[i] -= sp.kW / 60 }  // kWh of 100 kWh = percent
                let spread = soc.max()! - soc.min()!
                #expect(spread <= last + 1e-9)
                last = spread
            }
        }
        #expect(last < spread0 * 0.5)
        #expect(soc.allSatisfy { (10...90).contains($0) })
    }

    @Test("when 10 % of the devices drop out, the rest cover their share in one allocation")
    func dropout() {
        var rs = (0..<100).map { battery(String(format: "b%03d", $0), rated: 10, current: 5) }
        let full = Allocator().allocate(targetKW: 500, resources: rs)
        #expect(near(full.allocatedKW, 500, 1e-6))
        for i in stride(from: 0, to: 100, by: 10) {
            rs[i].excluded = true
            rs[i].currentKW = 0  // stale: assumed to deliver nothing
        }
        let a = Allocator().allocate(targetKW: 500, resources: rs)
        #expect(a.excluded.count == 10)
        #expect(a.setpoints.count == 90)
        #expect(abs(a.allocatedKW - 500) <= 0.02 * 500)
        #expect(near(a.allocatedKW, 500, 1e-6))
        #expect(a.setpoints.allSatisfy { near($0.kW, 500.0 / 90, 1e-9) && $0.write })
    }

    @Test("a site connection limit caps the site and moves the rest to other sites")
    func siteLimit() {
        let rs = [battery("a", rated: 100, site: "A"), battery("b", rated: 100, site: "B")]
        let open = Allocator(settings: .init(deadbandKW: 0)).allocate(targetKW: 100, resources: rs)
        #expect(near(kW(open, "a"), 50) && near(kW(open, "b"), 50))
        let capped = Allocator(
            settings: .init(deadbandKW: 0, siteLimits: ["A": PowerRange(lowerKW: -20, upperKW: 30)])
        ).allocate(targetKW: 100, resources: rs)
        #expect(near(kW(capped, "a"), 30))
        #expect(near(kW(capped, "b"), 70))
        let over = Allocator(
            settings: .init(deadbandKW: 0, siteLimits: ["A": PowerRange(lowerKW: -20, upperKW: 30)])
        ).allocate(targetKW: 500, resources: rs)
        #expect(over.envelope.upperKW == 130)
        #expect(near(over.allocatedKW, 130))
    }

    @Test("deadband: small moves are skipped and their sum goes to a device that moves anyway")
    func deadband() {
        let rs = [battery("a", current: 33.3), battery("b", current: 33.3), battery("c", current: 0)]
        let a = Allocator(settings: .init(deadbandKW: 0.1)).allocate(targetKW: 100, resources: rs)
        #expect(a.writes.map(\.id) == ["c"])
        #expect(near(kW(a, "a"), 33.3) && near(kW(a, "b"), 33.3))
        #expect(near(kW(a, "c"), 33.4, 1e-9))
        #expect(near(a.allocatedKW, 100, 1e-9))
        let still = Allocator(settings: .init(deadbandKW: 0.1)).allocate(
            targetKW: 100.05, resources: [battery("a", current: 50), battery("b", current: 50)])
        #expect(still.writes.isEmpty)
    }

    @Test("fairness: equal-cost PV owners are curtailed by the same share of their headroom")
    func fairness() {
        let rs = (1...4).map { pv("pv\($0)", available: Double($0) * 10, owner: "owner-\($0)") }
        let a = Allocator(settings: .init(deadbandKW: 0)).allocate(targetKW: 75, resources: rs)
        for (i, s) in a.setpoints.enumerated() { #expect(near(s.kW, Double(i + 1) * 10 * 0.75)) }
    }

    @Test("deterministic, and a non-finite target holds every device where it is")
    func deterministic() {
        let rs: [AllocationResource] = (0..<50).map { (i: Int) -> AllocationResource in
            let rated = Double(10 + i % 7)
            let current = Double(i % 5)
            let up = Double(i % 13)
            return battery("b\(i)", rated: rated, current: current, up: up)
        }
        let x = Allocator().allocate(targetKW: 123.4, resources: rs)
        let y = Allocator().allocate(targetKW: 123.4, resources: rs)
        #expect(x == y)
        let hold = Allocator().allocate(targetKW: .nan, resources: rs)
        #expect(hold.writes.isEmpty)
        #expect(hold.setpoints.allSatisfy { $0.kW == $0.previousKW })
    }

    @Test("10,000 devices allocate within a bound (debug build: < 200 ms)")
    func scale() {
        let m = MeritModel(priceYuanPerMWh: 250)
        var rs: [AllocationResource] = []
        for i in 0..<10_000 {
            let site = "site-\(i / 20)"
            switch i % 3 {
            case 0:
                rs.append(pv("pv\(i)", available: 5 + Double(i % 17), cost: m.cost(for: .pv), site: site))
            case 1:
                rs.append(
                    battery(
                        "st\(i)", rated: 20, current: 3, up: Double(i % 40), down: Double(40 - i % 40),
                        cost: m.cost(for: .storage), ramp: 10, site: site))
            default:
                rs.append(
                    battery(
                        "ev\(i)", rated: 7, up: Double(i % 30), down: 20,
                        cost: m.cost(for: .v2g, departureUrgency: Double(i % 4) / 4), site: site, kind: .v2g))
            }
        }
        let allocator = Allocator(
            settings: .init(siteLimits: ["site-3": PowerRange(lowerKW: -10, upperKW: 10)]))
        let clock = ContinuousClock()
        var a: Allocation?
        let t = clock.measure { a = allocator.allocate(targetKW: 40_000, resources: rs) }
        #expect(t < .milliseconds(200), "took \(t)")
        #expect(a.map { near($0.allocatedKW, 40_000, 1e-3) || $0.isClamped } ?? false)
    }

    @Test("a composed fleet target: site targets first, the rest of the fleet takes the remainder")
    func fleetTarget() {
        let rs = [
            battery("a1", rated: 50, current: 4, site: "A"),
            battery("b1", rated: 100, current: 2, site: "B"),
            battery("a2", rated: 50, current: 4, site: "A"),
        ]
        let allocator = Allocator(settings: .init(deadbandKW: 0))
        let a = allocator.allocate(
            FleetTarget(
                kW: 100, source: .market, siteTargets: ["A": .init(kW: 30, source: .override("o"))]),
            resources: rs)
        #expect(a.setpoints.map(\.id) == ["a1", "b1", "a2"])
        #expect(near(kW(a, "a1"), 15) && near(kW(a, "a2"), 15))
        #expect(near(kW(a, "b1"), 70))
        #expect(near(a.allocatedKW, 100))
        // A site asked for more than it has: it gives what it can, the rest still makes up the fleet target.
        let b = allocator.allocate(
            FleetTarget(
                kW: 150, source: .market, siteTargets: ["A": .init(kW: 500, source: .override("o"))]),
            resources: rs)
        #expect(near(kW(b, "a1"), 50) && near(kW(b, "b1"), 50))
        // No fleet target: the rest holds.
        let c = allocator.allocate(
            FleetTarget(
                kW: nil, source: .none, siteTargets: ["A": .init(kW: -20, source: .override("o"))]),
            resources: rs)
        #expect(near(kW(c, "b1"), 2) && near(kW(c, "a1"), -10))
        #expect(near(c.requestedKW, -18))
    }

    @Test("bad input never crashes: unbounded and NaN ranges, NaN current power, empty fleet")
    func badInput() {
        var open = battery("open")
        open.range = .unbounded
        var nan = battery("nan", current: .nan)
        nan.range = PowerRange(lowerKW: .nan, upperKW: .nan)
        let a = Allocator().allocate(targetKW: 42, resources: [open, nan, battery("ok")])
        #expect(a.setpoints.count == 3)
        #expect(a.setpoints.allSatisfy { !$0.kW.isNaN })
        let empty = Allocator().allocate(targetKW: 10, resources: [])
        #expect(empty.setpoints.isEmpty && empty.isClamped && empty.allocatedKW == 0)
    }
}
