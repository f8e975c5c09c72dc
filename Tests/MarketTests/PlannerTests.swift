import Foundation
import Testing
import VPPCore

@testable import Market
@testable import Optimizer

@Suite("BidPlanner: curves from price scenarios on small fleets")
struct BidPlannerTests {
    static let day = MarketDay(year: 2026, month: 7, day: 15)!

    func profile(_ id: String = "shandong") throws -> MarketProfile {
        try MarketProfileLoader.load(file: MarketFixtures.profiles.appendingPathComponent("\(id).yaml"))
    }

    func forecast(seed: UInt64 = 3, profile: MarketProfile) -> PriceForecast {
        let actual = SyntheticPrices(seed: seed, profile: profile).prices(for: Self.day)
        return ForecastNoise(seed: seed).forecast(actual: actual, day: Self.day)
    }

    func battery(_ id: String, site: String = "s1", kW: Double = 500, kWh: Double = 1000, soc: Double = 50)
        -> PlanningResource
    {
        PlanningResource(
            id: DeviceID(id), kind: .storage, site: SiteID(site), owner: "o1", ratedKW: kW, energyKWh: kWh,
            socPercent: soc, degradationCostYuanPerMWh: 20)
    }

    func pv(_ id: String, site: String = "s1", kW: Double = 800) -> PlanningResource {
        PlanningResource(
            id: DeviceID(id), kind: .pv, site: SiteID(site), owner: "o1", ratedKW: kW, latitude: 30.27,
            longitude: 120.15, pvRatio: 0.8)
    }

    /// Independent checks of every curve against the profile and a quantity range, without `BidValidator`.
    func checkCurves(_ plan: BidPlan, _ p: MarketProfile, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(plan.curves.count == 96, sourceLocation: sourceLocation)
        for (t, c) in plan.curves.enumerated() {
            #expect(c.steps.count <= p.bid.maxSegments, "interval \(t + 1)", sourceLocation: sourceLocation)
            var previousPrice = -Double.infinity
            var previousQ = c.baseMW
            for s in c.steps {
                #expect(s.priceYuanPerMWh > previousPrice, sourceLocation: sourceLocation)
                #expect(s.netMW > previousQ, sourceLocation: sourceLocation)
                #expect(s.netMW - previousQ >= p.bid.minSegmentMW - 1e-9, sourceLocation: sourceLocation)
                #expect(
                    s.priceYuanPerMWh >= p.price.floorYuanPerMWh && s.priceYuanPerMWh <= p.price.capYuanPerMWh,
                    sourceLocation: sourceLocation)
                let ticks = s.priceYuanPerMWh / p.price.tickYuanPerMWh
                #expect(abs(ticks - ticks.rounded()) < 1e-6, sourceLocation: sourceLocation)
                previousPrice = s.priceYuanPerMWh
                previousQ = s.netMW
            }
            for q in [c.baseMW] + c.steps.map(\.netMW) {
                #expect(q >= plan.capabilityMinMW[t] - 1e-9, "interval \(t + 1)", sourceLocation: sourceLocation)
                #expect(q <= plan.capabilityMaxMW[t] + 1e-9, "interval \(t + 1)", sourceLocation: sourceLocation)
                let ticks = q / p.bid.quantityTickMW
                #expect(abs(ticks - ticks.rounded()) < 1e-6, sourceLocation: sourceLocation)
            }
        }
    }

    @Test("a storage + PV fleet gets monotone curves inside floor/cap, ticks, segments and capability")
    func curvesWithinRules() throws {
        for id in ["shandong", "anhui", "generic"] {
            let p = try profile(id)
            let fleet = [battery("b1"), battery("b2", site: "s2", kW: 250, kWh: 1000, soc: 30), pv("pv1")]
            let plan = try BidPlanner.plan(
                BidPlanningInput(day: Self.day, profile: p, resources: fleet, prices: forecast(profile: p)))
            checkCurves(plan, p)
            #expect(plan.scenarios.count == 5)
            #expect(plan.expectedNetMW.count == 96)
            // The battery sells in the evening peak and the curve offers more at higher prices somewhere.
            #expect(plan.curves.contains { !$0.steps.isEmpty })
        }
    }

    @Test("capability is derived device by device: SOC near the floor limits the first interval's discharge")
    func capabilityByHand() throws {
        let p = try profile()
        // 100 kW / 200 kWh at 12 % SOC, window 10–90 %, η = 0.95, Δ = 0.25 h.
        let b = battery("b", kW: 100, kWh: 200, soc: 12)
        let plan = try BidPlanner.plan(
            BidPlanningInput(day: Self.day, profile: p, resources: [b], prices: forecast(profile: p)))
        // Discharge: (24 − 20) kWh × 0.95 / 0.25 h = 15.2 kW; charge: min(100, (180 − 24) / (0.95 × 0.25)) = 100 kW.
        #expect(abs(plan.capabilityMaxMW[0] - 0.0152) < 1e-9)
        #expect(abs(plan.capabilityMinMW[0] + 0.1) < 1e-9)
        // One interval later it could have charged 23.75 kWh: (24 + 23.75 − 20) × 0.95 / 0.25 = 105.45 → 100 kW.
        #expect(abs(plan.capabilityMaxMW[1] - 0.1) < 1e-9)
        checkCurves(plan, p)
    }

    @Test("PV can only inject, and nothing at night; a site limit caps the site's export")
    func pvAndSiteLimit() throws {
        let p = try profile()
        var input = BidPlanningInput(
            day: Self.day, profile: p, resources: [pv("pv1", kW: 1000)], prices: forecast(profile: p))
        input.siteLimits = ["s1": .init(exportKW: 300, importKW: 300)]
        let plan = try BidPlanner.plan(input)
        #expect(plan.capabilityMaxMW[0] == 0)  // 00:00–00:15
        #expect(plan.capabilityMaxMW[48] > 0.25)  // noon
        #expect(plan.capabilityMaxMW.allSatisfy { $0 <= 0.3 + 1e-9 })
        #expect(plan.capabilityMinMW.allSatisfy { $0 == 0 })
        #expect(plan.clustering.exactSites == 1)
        #expect(plan.expectedNetMW.allSatisfy { $0 <= 0.3 + 1e-6 })
        checkCurves(plan, p)
    }

    @Test("beyond maxExactSites, limited sites are derated: every site and the fleet stay inside their limits")
    func deratedSites() throws {
        let p = try profile()
        // Three sites, each 500 kW of storage + 800 kW of PV behind a 400 kW connection.
        var fleet: [PlanningResource] = []
        var input = BidPlanningInput(day: Self.day, profile: p, resources: [], prices: forecast(profile: p))
        for k in 1...3 {
            fleet += [battery("b\(k)", site: "s\(k)"), pv("pv\(k)", site: "s\(k)")]
            input.siteLimits[SiteID("s\(k)")] = .init(exportKW: 400, importKW: 400)
        }
        input.resources = fleet
        input.maxExactSites = 1
        let plan = try BidPlanner.plan(input)
        #expect(plan.clustering.exactSites == 1)
        #expect(plan.clustering.deratedSites == 2)
        for t in 0..<96 {
            #expect(plan.capabilityMaxMW[t] <= 1.2 + 1e-9)
            #expect(plan.capabilityMinMW[t] >= -1.2 - 1e-9)
            #expect(abs(plan.expectedNetMW[t]) <= 1.2 + 1e-6, "interval \(t + 1)")
        }
        #expect(
            !plan.relaxations.contains { $0.kind == .connectionExportExceeded || $0.kind == .connectionImportExceeded })
        checkCurves(plan, p)
    }

    @Test("pre-check flags: no selling in a tight interval, no buying in a surplus interval")
    func flags() throws {
        let p = try profile()
        var input = BidPlanningInput(
            day: Self.day, profile: p, resources: [battery("b1"), pv("pv1")], prices: forecast(profile: p))
        let tight = [74, 75, 76, 77, 78]
        let surplus = [10, 11, 48, 49]
        for k in tight { input.flags[k] = .tight }
        for k in surplus { input.flags[k] = .surplus }
        let plan = try BidPlanner.plan(input)
        for k in tight {
            let c = plan.curves[k - 1]
            #expect(([c.baseMW] + c.steps.map(\.netMW)).allSatisfy { $0 <= 1e-9 }, "interval \(k)")
        }
        for k in surplus {
            let c = plan.curves[k - 1]
            #expect(([c.baseMW] + c.steps.map(\.netMW)).allSatisfy { $0 >= -1e-9 }, "interval \(k)")
        }
        checkCurves(plan, p)
    }

    @Test("a DR obligation as a minimum net injection is offered at every price; an impossible one is reported")
    func obligations() throws {
        let p = try profile()
        var input = BidPlanningInput(
            day: Self.day, profile: p, resources: [battery("b1")], prices: forecast(profile: p))
        var minimum = [Double?](repeating: nil, count: 96)
        minimum[71] = 0.2  // 18:00–18:15: at least 0.2 MW out
        minimum[72] = 5  // more than a 0.5 MW battery can do
        input.netInjectionMinMW = minimum
        let plan = try BidPlanner.plan(input)
        let c = plan.curves[71]
        #expect(([c.baseMW] + c.steps.map(\.netMW)).allSatisfy { $0 >= 0.2 - 1e-9 })
        #expect(plan.expectedNetMW[71] >= 0.2 - 1e-6)
        #expect(plan.boundConflicts.map(\.interval) == [73])
        #expect(plan.relaxations.contains { $0.kind == .obligationShortfall && $0.interval == 73 })
        #expect(plan.boundConflicts.first?.offeredMW == plan.capabilityMaxMW[72])
        checkCurves(plan, p)
    }

    @Test("a measured SOC outside the window is clamped, planned from the edge and reported")
    func socClamp() throws {
        let p = try profile()
        let plan = try BidPlanner.plan(
            BidPlanningInput(
                day: Self.day, profile: p, resources: [battery("low", soc: 3), battery("ok", soc: 50)],
                prices: forecast(profile: p)))
        #expect(plan.socClamped == [.init(resource: "low", measuredPercent: 3, usedPercent: 10)])
        #expect(plan.relaxations.contains { $0.kind == .initialSOCClamped && $0.subject == "low" && $0.amount == 7 })
        checkCurves(plan, p)
    }

    @Test("bad input is refused with the field named")
    func badInput() throws {
        let p = try profile()
        var bad = battery("b1")
        bad.energyKWh = nil
        #expect(throws: PlanningError.self) {
            try BidPlanner.plan(
                BidPlanningInput(day: Self.day, profile: p, resources: [bad], prices: forecast(profile: p)))
        }
        var input = BidPlanningInput(
            day: Self.day, profile: p, resources: [battery("b1")], prices: forecast(profile: p))
        input.netInjectionMaxMW = [1, 2]
        do {
            _ = try BidPlanner.plan(input)
            Issue.record("accepted 2 bounds for 96 intervals")
        } catch {
            #expect(error.description.contains("netInjectionMaxMW"))
        }
        input.netInjectionMaxMW = []
        input.prices.expectedYuanPerMWh[5] = .nan
        #expect(throws: PlanningError.self) { try BidPlanner.plan(input) }
    }

    /// A price of 1e27 once reached CLP as a cost and aborted the daemon; the planner must refuse it by name.
    @Test("prices far outside the market's floor…cap and absurd bounds are refused before solving")
    func hostilePricesRefused() throws {
        let p = try profile()
        let band = ForecastPriceBand(profile: p)
        #expect(band.lowYuanPerMWh == p.price.floorYuanPerMWh - p.priceSpreadYuanPerMWh)
        #expect(band.highYuanPerMWh == p.price.capYuanPerMWh + p.priceSpreadYuanPerMWh)
        for hostile in [1e27, -1e308, band.highYuanPerMWh + 1] {
            var input = BidPlanningInput(
                day: Self.day, profile: p, resources: [battery("b1")], prices: forecast(profile: p))
            input.prices.expectedYuanPerMWh[40] = hostile
            do {
                _ = try BidPlanner.plan(input)
                Issue.record("planned with a price of \(hostile)")
            } catch {
                #expect(error.description.contains("interval 41"), "\(error)")
            }
            input = BidPlanningInput(
                day: Self.day, profile: p, resources: [battery("b1")], prices: forecast(profile: p))
            input.prices.quantiles = [.init(level: 0.9, pricesYuanPerMWh: Array(repeating: hostile, count: 96))]
            #expect(throws: PlanningError.self) { try BidPlanner.plan(input) }
        }
        // The band's own edges are accepted.
        var edge = BidPlanningInput(
            day: Self.day, profile: p, resources: [battery("b1")], prices: forecast(profile: p))
        edge.prices.expectedYuanPerMWh[0] = band.highYuanPerMWh
        edge.prices.expectedYuanPerMWh[1] = band.lowYuanPerMWh
        _ = try BidPlanner.plan(edge)
        var bounds = BidPlanningInput(
            day: Self.day, profile: p, resources: [battery("b1")], prices: forecast(profile: p))
        bounds.netInjectionMaxMW = Array(repeating: 1e300, count: 96)
        do {
            _ = try BidPlanner.plan(bounds)
            Issue.record("accepted a 1e300 MW bound")
        } catch {
            #expect(error.description.contains("netInjectionMaxMW"))
        }
    }

    @Test("with one certain price series the expected schedule earns the fleet LP optimum")
    func certainPrices() throws {
        let p = try profile()
        let prices = SyntheticPrices(seed: 9, profile: p).prices(for: Self.day)
        var input = BidPlanningInput(
            day: Self.day, profile: p, resources: [battery("b1"), pv("pv1")],
            prices: PriceForecast(day: Self.day, expectedYuanPerMWh: prices))
        input.scenarioLevels = [0.5]
        input.sampledPaths = 0
        let plan = try BidPlanner.plan(input)
        // Independent: the same fleet as one storage LP (StorageModel) plus uncurtailed PV at non-negative prices.
        let pvKW = try PVForecaster.forecastKW(
            ratedKW: 800, latitude: 30.27, longitude: 120.15, ratio: 0.8, day: Self.day)
        let storage = try StorageModel.schedule(
            StorageProblem(
                storage: StorageParameters(
                    name: "b1", chargePowerMaxMW: 0.5, dischargePowerMaxMW: 0.5, energyCapacityMWh: 1,
                    degradationCostYuanPerMWh: 20),
                initialSOCPercent: 50, pricesYuanPerMWh: prices, finalSOC: .init(minimumPercent: 50)))
        let pvRevenue = zip(pvKW, prices).map { max(0, $1) * $0 / 1000 * 0.25 }.reduce(0, +)
        let independent = storage.profitYuan + pvRevenue
        let planned = plan.scenarios[0].profitYuan
        #expect(abs(planned - independent) <= 0.001 * abs(independent))
    }
}

@Suite("BidPlanner: V2G")
struct BidPlannerV2GTests {
    @Test("a V2G fleet is clustered and planned without leaving any car short of its departure SOC")
    func v2gDeparture() throws {
        let p = try MarketProfileLoader.load(file: MarketFixtures.profiles.appendingPathComponent("guangdong.yaml"))
        let day = BidPlannerTests.day
        let fleet = SyntheticFleet.mixed(count: 300, seed: 5, mix: (pv: 0, storage: 0, v2g: 1))
        let actual = SyntheticPrices(seed: 4, profile: p).prices(for: day)
        let plan = try BidPlanner.plan(
            BidPlanningInput(
                day: day, profile: p, resources: fleet,
                prices: ForecastNoise(seed: 4).forecast(actual: actual, day: day)))
        #expect(plan.clustering.v2gClusters > 0)
        #expect(plan.clustering.v2gClusters < fleet.count / 2)
        #expect(!plan.relaxations.contains { $0.kind == .energyFloorShortfall }, "\(plan.relaxations.prefix(3))")
        // Unplugged hours (10:00–17:00 for every synthetic car) offer nothing.
        for t in 40..<68 {
            #expect(plan.capabilityMinMW[t] == 0 && plan.capabilityMaxMW[t] == 0)
            #expect(plan.curves[t].baseMW == 0 && plan.curves[t].steps.isEmpty)
        }
        // Overnight the cars can both charge and discharge.
        #expect(plan.capabilityMinMW[0] < 0 && plan.capabilityMaxMW[0] > 0)
    }
}
