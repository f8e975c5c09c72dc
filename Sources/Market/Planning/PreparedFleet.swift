import Foundation
import Optimizer
import VPPCore

/// The fleet made ready for the LP: per-device power after connection derating, PV forecasts, capability per
/// interval, and the clustered virtual assets (storage aggregates, V2G clusters, PV aggregates) with their
/// site groups and connection limits. Built once per plan and shared by every price scenario.
struct PreparedFleet {
    var batteries: [FleetBattery] = []
    var pv: [FleetPV] = []
    var connections: [FleetConnection] = []
    var capabilityMinMW: [Double]
    var capabilityMaxMW: [Double]
    var clustering: BidPlan.Clustering
    /// Storage aggregate name → indices of its member resources in the input (to carry SOC back to devices).
    var storageMembers: [String: [Int]] = [:]
    /// Storage units whose measured SOC was outside their window.
    var socClamped: [BidPlan.SOCClamp] = []
    var relaxations: [Relaxation] = []

    init(_ input: BidPlanningInput) throws(PlanningError) {
        let n = MarketInterval.perDay
        let dt = 0.25
        let day = input.day
        let tz = input.profile.timeZone
        var minKW = [Double](repeating: 0, count: n)
        var maxKW = [Double](repeating: 0, count: n)
        clustering = .init(
            resources: input.resources.count, storageAggregates: 0, v2gClusters: 0, pvAggregates: 0, exactSites: 0,
            deratedSites: 0)

        // Sites with a connection limit: the most constrained `maxExactSites` are modelled exactly, the rest derated.
        var bySite: [SiteID: [Int]] = [:]
        for (i, r) in input.resources.enumerated() { bySite[r.site, default: []].append(i) }
        var pressure: [(SiteID, Double)] = []
        for (site, limit) in input.siteLimits {
            guard limit.exportKW >= 0, limit.importKW >= 0, limit.exportKW.isFinite, limit.importKW.isFinite else {
                throw .badInput(field: "siteLimits[\(site)]", reason: "limits must be numbers ≥ 0 kW")
            }
            let rated = (bySite[site] ?? []).map { input.resources[$0].ratedKW }.reduce(0, +)
            pressure.append((site, rated / max(min(limit.exportKW, limit.importKW), 1e-6)))
        }
        pressure.sort { ($0.1, $1.0) > ($1.1, $0.0) }
        let exact = Set(
            pressure.prefix(max(0, input.maxExactSites)).map(\.0).filter { site in
                let rated = (bySite[site] ?? []).map { input.resources[$0].ratedKW }.reduce(0, +)
                guard let l = input.siteLimits[site] else { return false }
                return rated > min(l.exportKW, l.importKW)  // a limit above everything installed cannot bind
            })
        var exportFactor: [SiteID: Double] = [:]
        var importFactor: [SiteID: Double] = [:]
        for (site, limit) in input.siteLimits where !exact.contains(site) {
            let members = (bySite[site] ?? []).map { input.resources[$0] }
            let export = members.map(\.ratedKW).reduce(0, +)
            let imports = members.filter { PlanningKinds.component($0.kind)?.absorbs ?? false }.map(\.ratedKW)
                .reduce(0, +)
            let fe = export > limit.exportKW ? limit.exportKW / export : 1
            let fi = imports > limit.importKW ? limit.importKW / imports : 1
            if fe < 1 || fi < 1 {
                exportFactor[site] = fe
                importFactor[site] = fi
                clustering.deratedSites += 1
            }
        }
        clustering.exactSites = exact.count
        func group(_ site: SiteID) -> String? { exact.contains(site) ? "site:\(site.rawValue)" : nil }

        // Per site capability first (clipped to the site limit), then summed; each kind adds its own share
        // (`PlanningComponent`).
        var assembly = FleetAssembly(day: day, timeZone: tz, intervals: n, dt: dt)
        for (site, indices) in bySite.sorted(by: { $0.key < $1.key }) {
            assembly.startSite()
            let share = SiteShare(
                group: group(site), exportFactor: exportFactor[site] ?? 1, importFactor: importFactor[site] ?? 1)
            for i in indices {
                let r = input.resources[i]
                try r.validate(intervals: n)
                PlanningKinds.component(r.kind)?.contribute(r, index: i, site: share, into: &assembly)
            }
            if let limit = input.siteLimits[site] {
                for t in 0..<n {
                    assembly.siteMaxKW[t] = max(
                        min(assembly.siteMaxKW[t], limit.exportKW), min(assembly.siteMinKW[t], assembly.siteMaxKW[t]))
                    assembly.siteMinKW[t] = min(max(assembly.siteMinKW[t], -limit.importKW), assembly.siteMaxKW[t])
                }
            }
            for t in 0..<n {
                minKW[t] += assembly.siteMinKW[t]
                maxKW[t] += assembly.siteMaxKW[t]
            }
        }
        socClamped = assembly.socClamped
        let storageGroups = assembly.storageGroups
        let pvGroups = assembly.pvGroups
        let carsByGroup = assembly.carsByGroup
        capabilityMinMW = minKW.map { $0 / 1000 }
        capabilityMaxMW = maxKW.map { $0 / 1000 }

        // Virtual assets.
        for (key, members) in storageGroups.sorted(by: { $0.key < $1.key }) {
            batteries.append(try Self.aggregate(members, key: key, finalSOC: input.finalSOCPercent))
            storageMembers[key.name] = members.map(\.index)
        }
        clustering.storageAggregates = batteries.count
        var clusterer = V2GClusterer()
        clusterer.socBandPercent = input.v2gClusterer.socBandPercent
        clusterer.needBandPercent = input.v2gClusterer.needBandPercent
        clusterer.maxCarsPerCluster = input.v2gClusterer.maxCarsPerCluster
        for (g, cars) in carsByGroup.sorted(by: { $0.key < $1.key }) {
            let clusters: [V2GCluster]
            do {
                clusters = try clusterer.clusters(cars)
            } catch {
                throw .optimizer(.invalidBattery(error))
            }
            for c in clusters {
                do {
                    var battery = try c.fleetBattery(intervals: n, group: g.isEmpty ? nil : g)
                    battery.storage.name = g.isEmpty ? c.name : "\(g)/\(c.name)"
                    batteries.append(battery)
                } catch {
                    throw .optimizer(.invalidBattery(error))
                }
            }
            clustering.v2gClusters += clusters.count
        }
        for (key, forecastKW) in pvGroups.sorted(by: { $0.key < $1.key }) {
            pv.append(
                FleetPV(
                    name: "pv\(key.group.map { "-\($0)" } ?? "")\(key.curtailable ? "" : "-fixed")",
                    forecastMW: forecastKW.map { $0 / 1000 }, curtailable: key.curtailable, group: key.group))
        }
        clustering.pvAggregates = pv.count
        for site in exact.sorted() {
            guard let l = input.siteLimits[site] else { continue }
            connections.append(
                FleetConnection(
                    name: "site \(site.rawValue)", group: "site:\(site.rawValue)", exportLimitMW: l.exportKW / 1000,
                    importLimitMW: l.importKW / 1000))
        }
    }

    /// The fleet LP for one price series with `bounds` on the net injection.
    func problem(name: String, prices: [Double], bounds: [FleetNetBound]) -> FleetProblem {
        var problem = FleetProblem(name: name, pricesYuanPerMWh: prices)
        problem.batteries = batteries
        problem.pv = pv
        problem.connections = connections
        problem.netBounds = bounds
        return problem
    }

    /// One storage unit after derating.
    struct StorageMember {
        var index: Int
        var resource: PlanningResource
        var chargeKW: Double
        var dischargeKW: Double
    }

    /// Storage units share an aggregate when they sit in the same site group and have the same efficiency,
    /// a similar duration (half-octave bands of kWh/kW), SOC (10-point bands) and SOC window (5-point bands):
    /// the aggregate's summed power and energy then behave like its members moving in step.
    struct StorageKey: Hashable, Comparable {
        var group: String
        var efficiency: Int
        var duration: Int
        var soc: Int
        var socMin: Int
        var socMax: Int
        var degradation: Int

        init(_ m: StorageMember, group: String?) {
            let r = m.resource
            let e = r.energyKWh ?? 0
            self.group = group ?? ""
            efficiency = Int((r.efficiency * 1000).rounded())
            duration = Int((2 * log2(max(e / max(max(m.chargeKW, m.dischargeKW), 1e-6), 1e-3))).rounded(.down))
            soc = Int(((r.socPercent ?? 0) / 10).rounded(.down))
            socMin = Int((r.socMinPercent / 5).rounded(.down))
            socMax = Int((r.socMaxPercent / 5).rounded(.down))
            degradation = Int((r.degradationCostYuanPerMWh / 10).rounded(.down))
        }

        static func < (a: Self, b: Self) -> Bool { a.name < b.name }

        var name: String {
            "storage\(group.isEmpty ? "" : "-\(group)")-d\(duration)-s\(soc)-w\(socMin)_\(socMax)-e\(efficiency)-g\(degradation)"
        }
    }

    struct PVKey: Hashable, Comparable {
        var group: String?
        var curtailable: Bool
        static func < (a: Self, b: Self) -> Bool {
            (a.group ?? "", a.curtailable ? 1 : 0) < (b.group ?? "", b.curtailable ? 1 : 0)
        }
    }

    /// The virtual battery of a storage group (`StorageAggregate`: summed power and energy, energy-weighted
    /// SOC window and costs). The end-of-day target is `finalSOC`, or the SOC it starts from.
    static func aggregate(_ members: [StorageMember], key: StorageKey, finalSOC: Double?) throws(PlanningError)
        -> FleetBattery
    {
        let units = members.map { m in
            let r = m.resource
            return StorageAggregate.Unit(
                parameters: StorageParameters(
                    name: r.id.rawValue, chargePowerMaxMW: m.chargeKW / 1000, dischargePowerMaxMW: m.dischargeKW / 1000,
                    energyCapacityMWh: (r.energyKWh ?? 0) / 1000, socMinPercent: r.socMinPercent,
                    socMaxPercent: r.socMaxPercent, chargeEfficiency: r.efficiency, dischargeEfficiency: r.efficiency,
                    degradationCostYuanPerMWh: r.degradationCostYuanPerMWh),
                socPercent: min(max(r.socPercent ?? r.socMinPercent, r.socMinPercent), r.socMaxPercent))
        }
        do {
            let agg = try StorageAggregate(name: key.name, units: units)
            return agg.fleetBattery(
                group: key.group.isEmpty ? nil : key.group, finalSOC: .init(minimumPercent: finalSOC ?? agg.socPercent))
        } catch {
            throw .optimizer(.invalidBattery(error))
        }
    }
}
