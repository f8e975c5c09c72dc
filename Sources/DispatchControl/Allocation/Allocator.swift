import VPPCore

/// Settings of the `Allocator`.
public struct AllocatorSettings: Sendable, Hashable {
    /// The control period the setpoints must be reached in, seconds: ramp limits allow `ramp × period` per call.
    public var controlPeriodS: Double
    /// A device is not moved by less than this, kW: its setpoint stays and the remainder goes to devices that
    /// move anyway (fewer writes, no chatter).
    public var deadbandKW: Double
    /// Connection limits per site: the sum of the site's setpoints stays inside the range, kW (positive = export).
    public var siteLimits: [SiteID: PowerRange]

    public init(
        controlPeriodS: Double = 1, deadbandKW: Double = 0.1, siteLimits: [SiteID: PowerRange] = [:]
    ) {
        self.controlPeriodS = controlPeriodS.isFinite ? max(0, controlPeriodS) : 1
        self.deadbandKW = deadbandKW.isFinite ? max(0, deadbandKW) : 0
        self.siteLimits = siteLimits
    }
}

/// Splits a fleet (or site) target across resources. Pure and deterministic: the same resources in the same
/// order and the same target give the same setpoints.
///
/// How, and why:
/// 1. **Bounds.** Each resource may move within its `range` (the chain of limits) intersected with its ramp
///    window `current ± ramp × period`. If the two do not meet (limits moved faster than the device can ramp),
///    the range wins: the device is pinned at the range's edge nearest to where it is — safety before ramp.
/// 2. **Excluded** resources get no setpoint; their `currentKW` counts as delivered and the rest covers the
///    remainder, so a dropped share is re-allocated within the same call when others have headroom.
/// 3. **Reference point.** Moves are measured from where a resource sits when nobody asks anything of it: PV at
///    the top of its range (what the sun gives), storage and V2G at rest (0 kW, clamped into range). Splitting
///    the whole target from that reference — not just the change since last period — is what lets SOC balancing
///    and fairness act continuously; the deadband keeps it from causing writes.
/// 4. **Merit order.** The difference between the target and the sum of references is moved in tiers of equal
///    `MeritCost` in the direction of travel, cheapest first.
/// 5. **Within a tier**, the move is shared in proportion to the energy each storage/V2G resource has in the
///    direction of travel (SOC balancing: the fuller battery discharges more, the emptier charges more) and,
///    for PV, to its headroom in kW (× 1 h, so a tier mixing both compares kWh with kWh). Equal costs thus mean
///    equal relative burdens: no owner is curtailed first because of its name (fairness across owners).
/// 6. **Site connection limits.** A site whose setpoints exceed its limit is re-split inside the site at the
///    limit and fixed; the remainder goes to the other sites. Repeats until no site is over (at most once per site).
/// 7. **Infeasible targets** are clamped to the reachable envelope, and `Allocation.isClamped` says so.
/// 8. **Deadband.** A device that would move by less than `deadbandKW` keeps its setpoint; the sum of those
///    small moves is given to devices that move anyway (outside sites with connection limits, so a limit is
///    never broken by the hand-back).
public struct Allocator: Sendable {
    public var settings: AllocatorSettings

    public init(settings: AllocatorSettings = AllocatorSettings()) { self.settings = settings }

    /// Splits `targetKW` (positive = injection) across `resources`. A non-finite target holds every device where
    /// it is (clamped into its range).
    public func allocate(targetKW: Double, resources: [AllocationResource]) -> Allocation {
        var w = Work(resources: resources, settings: settings)
        let envelope = w.envelope()
        let requested = targetKW.isFinite ? targetKW : holdTarget(w)
        let goal = envelope.clamp(requested) - w.excludedKW
        if targetKW.isFinite {
            w.solve(goal: goal)
        } else {
            for i in w.active { w.x[i] = min(w.hi[i], max(w.lo[i], w.cur[i])) }
        }
        let write = w.applyDeadband()
        var setpoints: [Allocation.Setpoint] = []
        setpoints.reserveCapacity(w.active.count)
        var sum = w.excludedKW
        for i in w.active {
            setpoints.append(
                Allocation.Setpoint(id: resources[i].id, kW: w.x[i], previousKW: w.cur[i], write: write[i]))
            sum += w.x[i]
        }
        return Allocation(
            setpoints: setpoints, excluded: resources.filter(\.excluded).map(\.id),
            requestedKW: requested, allocatedKW: sum, excludedKW: w.excludedKW,
            envelope: envelope)
    }

    /// The aggregate of every device held at its present point (clamped into its bounds), kW.
    private func holdTarget(_ w: Work) -> Double {
        var s = w.excludedKW
        for i in w.active { s += min(w.hi[i], max(w.lo[i], w.cur[i])) }
        return s
    }
}

/// The allocator's working arrays, indexed like the input resources.
private struct Work {
    let resources: [AllocationResource]
    let settings: AllocatorSettings
    var lo: [Double]
    var hi: [Double]
    var ref: [Double]
    var cur: [Double]
    var x: [Double]
    /// Indices of resources that get a setpoint, input order.
    var active: [Int] = []
    var excludedKW = 0.0

    init(resources: [AllocationResource], settings: AllocatorSettings) {
        self.resources = resources
        self.settings = settings
        let n = resources.count
        lo = [Double](repeating: 0, count: n)
        hi = lo
        ref = lo
        cur = lo
        x = lo
        active.reserveCapacity(n)
        for (i, r) in resources.enumerated() {
            let c = r.currentKW.isFinite ? r.currentKW : 0
            cur[i] = c
            if r.excluded {
                excludedKW += c
                continue
            }
            var l =
                r.range.lowerKW.isFinite
                ? r.range.lowerKW : (r.range.lowerKW > 0 ? c : -.greatestFiniteMagnitude)
            var h =
                r.range.upperKW.isFinite
                ? r.range.upperKW : (r.range.upperKW < 0 ? c : .greatestFiniteMagnitude)
            if l > h { l = h }
            if let ramp = r.rampKWPerSecond, ramp.isFinite, ramp >= 0 {
                let step = ramp * settings.controlPeriodS
                let rl = max(l, c - step)
                let rh = min(h, c + step)
                if rl <= rh {
                    l = rl
                    h = rh
                } else {
                    // The window misses the range: pin at the range's edge nearest to where the device is.
                    let edge = min(h, max(l, c))
                    l = edge
                    h = edge
                }
            }
            lo[i] = l
            hi[i] = h
            ref[i] = DispatchKinds.meritPricing(r.kind)?.referenceKW(lowKW: l, highKW: h) ?? min(h, max(l, 0))
            x[i] = ref[i]
            active.append(i)
        }
    }

    /// Aggregate range reachable this period: devices' bounds, each limited site cut to its limit, plus the
    /// excluded devices' contribution.
    func envelope() -> PowerRange {
        var l = excludedKW
        var h = excludedKW
        var sites: [SiteID: (Double, Double)] = [:]
        for i in active {
            if settings.siteLimits[resources[i].site] != nil {
                sites[resources[i].site, default: (0, 0)].0 += lo[i]
                sites[resources[i].site, default: (0, 0)].1 += hi[i]
            } else {
                l += lo[i]
                h += hi[i]
            }
        }
        for (site, (sl, sh)) in sites {
            guard let limit = settings.siteLimits[site] else { continue }
            // The site's own range cut to its limit; if they do not meet, the site's nearest point to the limit.
            let a = max(sl, limit.lowerKW)
            let b = min(sh, limit.upperKW)
            if a <= b {
                l += a
                h += b
            } else {
                let p = sl > limit.upperKW ? sl : sh
                l += p
                h += p
            }
        }
        return PowerRange(lowerKW: l, upperKW: h)
    }

    /// Sets `x` for the active devices so that they sum to `goal` (already inside the envelope), honouring site
    /// limits.
    mutating func solve(goal: Double) {
        var free = active
        var fixedSum = 0.0
        guard !settings.siteLimits.isEmpty else {
            split(goal: goal, free)
            return
        }
        for _ in 0...settings.siteLimits.count {
            split(goal: goal - fixedSum, free)
            var sums: [SiteID: Double] = [:]
            for i in free where settings.siteLimits[resources[i].site] != nil {
                sums[resources[i].site, default: 0] += x[i]
            }
            let over = sums.filter { site, s in
                guard let limit = settings.siteLimits[site] else { return false }
                return s > limit.upperKW + 1e-9 || s < limit.lowerKW - 1e-9
            }.keys.sorted()
            if over.isEmpty { return }
            for site in over {
                guard let limit = settings.siteLimits[site], let s = sums[site] else { continue }
                let members = free.filter { resources[$0].site == site }
                var sl = 0.0
                var sh = 0.0
                for i in members {
                    sl += lo[i]
                    sh += hi[i]
                }
                let siteGoal = min(sh, max(sl, limit.clamp(s)))
                split(goal: siteGoal, members)
                for i in members { fixedSum += x[i] }
            }
            let overSet = Set(over)
            free.removeAll { overSet.contains(resources[$0].site) }
        }
    }

    /// Sets `x` for `idx` to their references, then moves the difference to `goal` through the merit tiers.
    mutating func split(goal: Double, _ idx: [Int]) {
        var sum = 0.0
        for i in idx {
            x[i] = ref[i]
            sum += ref[i]
        }
        move(goal - sum, idx)
    }

    /// Moves the devices `idx` by `delta` kW in total from their present `x`, cheapest tier first, within bounds.
    /// Returns what could not be placed, kW.
    @discardableResult
    mutating func move(_ delta: Double, _ idx: [Int]) -> Double {
        guard abs(delta) > 1e-12, !idx.isEmpty else { return delta }
        let up = delta > 0
        var left = abs(delta)
        let byCost = idx.sorted { a, b in
            let ca = up ? resources[a].cost.upYuanPerMWh : resources[a].cost.downYuanPerMWh
            let cb = up ? resources[b].cost.upYuanPerMWh : resources[b].cost.downYuanPerMWh
            return ca != cb ? ca < cb : a < b
        }
        var start = 0
        while start < byCost.count && left > 1e-12 {
            let c0 = cost(byCost[start], up)
            var end = start + 1
            while end < byCost.count && cost(byCost[end], up) == c0 { end += 1 }
            let tier = byCost[start..<end]
            var caps: [Double] = []
            var weights: [Double] = []
            caps.reserveCapacity(tier.count)
            weights.reserveCapacity(tier.count)
            for i in tier {
                let cap = max(0, up ? hi[i] - x[i] : x[i] - lo[i])
                caps.append(cap)
                let energy = up ? resources[i].energyUpKWh : resources[i].energyDownKWh
                weights.append(energy.map { max(0, $0) } ?? cap)
            }
            let shares = proportionalFill(amount: left, weights: weights, caps: caps)
            for (k, i) in tier.enumerated() {
                let s = shares[k]
                x[i] = up ? min(hi[i], x[i] + s) : max(lo[i], x[i] - s)
                left -= s
            }
            start = end
        }
        return up ? max(0, left) : -max(0, left)
    }

    private func cost(_ i: Int, _ up: Bool) -> Double {
        up ? resources[i].cost.upYuanPerMWh : resources[i].cost.downYuanPerMWh
    }

    /// Keeps devices that would move by less than the deadband where they are and hands the difference to devices
    /// that move anyway. Returns, per input index, whether the setpoint must be written.
    mutating func applyDeadband() -> [Bool] {
        var write = [Bool](repeating: false, count: resources.count)
        let db = settings.deadbandKW
        var residual = 0.0
        var movers: [Int] = []
        for i in active {
            let c = cur[i]
            if abs(x[i] - c) < db && lo[i] <= c && c <= hi[i] {
                residual += x[i] - c
                x[i] = c
            } else {
                write[i] = x[i] != c
                if settings.siteLimits[resources[i].site] == nil { movers.append(i) }
            }
        }
        if abs(residual) > 1e-9 { move(residual, movers) }
        return write
    }
}
