import VPPCore

extension Allocator {
    /// Allocates a composed `FleetTarget` (see `TargetComposer`): each site that has its own target (a site
    /// override or grid instruction) is allocated to it first, sites in id order; the rest of the fleet gets
    /// `kW − Σ what those sites were allocated`. Without a fleet target (`kW == nil`) the rest holds where it is.
    ///
    /// The merged allocation lists setpoints in input order; its envelope is the sum of the groups' envelopes and
    /// `requestedKW` the fleet target (or, without one, the site targets plus what the rest holds).
    public func allocate(_ target: FleetTarget, resources: [AllocationResource]) -> Allocation {
        guard !target.siteTargets.isEmpty else {
            return allocate(targetKW: target.kW ?? .nan, resources: resources)
        }
        var groups: [SiteID: [Int]] = [:]
        var rest: [Int] = []
        for (i, r) in resources.enumerated() {
            if target.siteTargets[r.site] != nil {
                groups[r.site, default: []].append(i)
            } else {
                rest.append(i)
            }
        }
        var setpoint: [Int: Allocation.Setpoint] = [:]
        var lo = 0.0
        var hi = 0.0
        var sitesKW = 0.0
        var sitesRequested = 0.0
        func take(_ a: Allocation, _ idx: [Int]) {
            var k = 0
            for i in idx where !resources[i].excluded {
                setpoint[i] = a.setpoints[k]
                k += 1
            }
            lo += a.envelope.lowerKW
            hi += a.envelope.upperKW
        }
        for site in groups.keys.sorted() {
            guard let idx = groups[site], let t = target.siteTargets[site] else { continue }
            let a = allocate(targetKW: t.kW, resources: idx.map { resources[$0] })
            take(a, idx)
            sitesKW += a.allocatedKW
            sitesRequested += t.kW
        }
        let restTarget = target.kW.map { $0 - sitesKW } ?? .nan
        let r = allocate(targetKW: restTarget, resources: rest.map { resources[$0] })
        take(r, rest)
        let merged = resources.indices.compactMap { setpoint[$0] }
        return Allocation(
            setpoints: merged, excluded: resources.filter(\.excluded).map(\.id),
            requestedKW: target.kW ?? (sitesRequested + r.allocatedKW),
            allocatedKW: sitesKW + r.allocatedKW,
            excludedKW: resources.reduce(0) {
                $0 + ($1.excluded && $1.currentKW.isFinite ? $1.currentKW : 0)
            },
            envelope: PowerRange(lowerKW: lo, upperKW: hi))
    }
}
