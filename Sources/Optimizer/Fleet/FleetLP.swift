/// Builds the `FleetModel` LP (rows first, then columns with their entries) and reads the solution back.
/// Internal: the shape is documented on `FleetModel`.
struct FleetLP {
    /// A soft constraint's slack column and how to report it when it is used.
    struct Soft {
        var column: Int = -1
        let row: Int
        /// +1 when the slack covers a shortfall below the row's lower bound, −1 for an excess over its upper.
        let sign: Double
        let kind: Relaxation.Kind
        let subject: String
        /// 0-based interval, or nil.
        let interval: Int?
        /// Penalty per unit of slack (yuan per MW or per MWh, Δ already applied).
        let rate: Double
        let upper: Double
        /// The bound that was missed, in `unit`.
        let bound: Double
        let unit: String
    }

    /// Row indices per interval of one coupling family (connection or net bound); −1 where absent.
    struct Family {
        let group: String?
        var rows: [Int]
        func includes(_ g: String?) -> Bool { group == nil || group == g }
    }

    /// Per-battery layout: rows and columns per interval.
    struct BatteryLayout {
        var e0 = 0.0
        var startPercent = 0.0
        var chargeCap: [Double] = []
        var dischargeCap: [Double] = []
        var balance: [Int] = []
        var hull: [Int] = []
        var floor: [Int] = []
        var ceiling: [Int] = []
        /// Column bounds of the end-of-interval energy, MWh: the SOC window, tightened by envelope floors and
        /// ceilings that idling from the start already satisfies (those stay hard, see `batteryRows`).
        var energyLow: [Double] = []
        var energyHigh: [Double] = []
        var obligation: [Int] = []
        var finalRow = -1
        var charge: [Int] = []
        var discharge: [Int] = []
        var energy: [Int] = []
    }

    /// The problem being planned; `pricesYuanPerMWh` changes per scenario (see `objective(for:)`).
    var problem: FleetProblem
    let n: Int
    let dt: Double
    var lp: ColumnProgram
    var relaxations: [Relaxation] = []
    var soft: [Soft] = []
    var batteries: [BatteryLayout] = []
    var connections: [Family] = []
    var bounds: [Family] = []
    /// PV output columns per asset per interval; −1 where the output is fixed (not curtailable or zero).
    var pvColumns: [[Int]] = []
    /// Columns whose objective moves with the price: objective += coefficient · price(interval).
    var priceTerms: [(column: Int, interval: Int, coefficient: Double)] = []

    init(_ problem: FleetProblem) {
        self.problem = problem
        n = problem.intervalCount
        dt = problem.intervalHours
        lp = ColumnProgram(name: "fleet \(problem.name)", sense: .maximize)
        let assets = problem.batteries.count + problem.pv.count
        lp.reserve(
            columns: n * (3 * problem.batteries.count + problem.pv.count + 2 * problem.connections.count),
            rows: n * (2 * problem.batteries.count + problem.connections.count + problem.netBounds.count),
            nonZeros: n * (8 * problem.batteries.count + problem.pv.count)
                + n * assets * (problem.connections.count + problem.netBounds.count))
    }

    /// Fixed net injection per interval of everything in `group` (nil = the fleet): fixed profiles and
    /// PV that cannot be curtailed.
    func fixedNet(group: String?) -> [Double] {
        var sum = [Double](repeating: 0, count: n)
        for f in problem.fixed where group == nil || f.group == group {
            for t in 0..<n { sum[t] += f.netMW[t] }
        }
        for p in problem.pv where !p.curtailable && (group == nil || p.group == group) {
            for t in 0..<n { sum[t] += p.forecastMW[t] }
        }
        return sum
    }

    mutating func assemble() {
        for b in problem.batteries { batteries.append(batteryRows(b)) }
        connectionRows()
        boundRows()
        for (i, b) in problem.batteries.enumerated() {
            var layout = batteries[i]
            batteryColumns(b, &layout)
            batteries[i] = layout
        }
        pvColumnsBuild()
        for k in soft.indices {
            let s = soft[k]
            soft[k].column = lp.addColumn(lower: 0, upper: s.upper, objective: -s.rate)
            lp.addEntry(row: s.row, s.sign)
        }
    }

    // MARK: rows

    private mutating func batteryRows(_ b: FleetBattery) -> BatteryLayout {
        let p = b.storage
        var L = BatteryLayout()
        let capacity = p.energyCapacityMWh
        let measured = b.initialSOCPercent
        L.startPercent = min(max(measured, p.socMinPercent), p.socMaxPercent)
        if L.startPercent != measured {
            relaxations.append(
                Relaxation(
                    kind: .initialSOCClamped, subject: p.name, interval: nil, amount: abs(measured - L.startPercent),
                    unit: "%",
                    detail:
                        "measured SOC \(measured) % is outside the window \(p.socMinPercent)…\(p.socMaxPercent) %; planned from \(L.startPercent) %"
                ))
        }
        L.e0 = capacity * L.startPercent / 100
        let env = b.envelope
        func entry(_ list: [Double?]?, _ t: Int) -> Double? {
            guard let list, t < list.count else { return nil }
            return list[t]
        }
        L.chargeCap = (0..<n).map { min(entry(env?.chargeMaxMW, $0) ?? .infinity, p.chargePowerMaxMW) }
        L.dischargeCap = (0..<n).map { min(entry(env?.dischargeMaxMW, $0) ?? .infinity, p.dischargePowerMaxMW) }
        let ePenalty = env?.energyPenaltyYuanPerMWh ?? 0
        let eMin = capacity * p.socMinPercent / 100
        let eMax = capacity * p.socMaxPercent / 100
        let oPenalty = (env?.obligationPenaltyYuanPerMWh ?? 0) * dt
        for t in 0..<n {
            L.balance.append(lp.addRow(lower: t == 0 ? L.e0 : 0, upper: t == 0 ? L.e0 : 0))
            L.hull.append(
                L.chargeCap[t] > 0 && L.dischargeCap[t] > 0 ? lp.addRow(upper: 1) : -1)
            // An energy floor at or below the start (a car's SOC window) and a ceiling at or above it are
            // hard column bounds: idling meets them, so the plan stays feasible, and no penalty trade-off
            // (an import limit, a DR award) can ever take a car outside its window. Floors above the start
            // (departure SOC) and ceilings below it (a car that arrived over its window) are soft rows.
            var eLow = eMin
            var eHigh = eMax
            if let floor = entry(env?.energyMinMWh, t) {
                if floor <= L.e0 {
                    eLow = max(eLow, floor)
                    L.floor.append(-1)
                } else {
                    let row = lp.addRow(lower: floor)
                    L.floor.append(row)
                    soft.append(
                        Soft(
                            row: row, sign: 1, kind: .energyFloorShortfall, subject: p.name, interval: t,
                            rate: ePenalty, upper: .infinity, bound: floor, unit: "MWh"))
                }
            } else {
                L.floor.append(-1)
            }
            if let ceiling = entry(env?.energyMaxMWh, t) {
                if ceiling >= L.e0 {
                    eHigh = min(eHigh, ceiling)
                    L.ceiling.append(-1)
                } else {
                    let row = lp.addRow(upper: ceiling)
                    L.ceiling.append(row)
                    soft.append(
                        Soft(
                            row: row, sign: -1, kind: .energyCeilingExcess, subject: p.name, interval: t,
                            rate: ePenalty, upper: .infinity, bound: ceiling, unit: "MWh"))
                }
            } else {
                L.ceiling.append(-1)
            }
            L.energyLow.append(eLow)
            L.energyHigh.append(eHigh)
            let low = entry(env?.netInjectionMinMW, t)
            let high = entry(env?.netInjectionMaxMW, t)
            if low != nil || high != nil {
                let row = lp.addRow(lower: low ?? -.infinity, upper: high ?? .infinity)
                L.obligation.append(row)
                softObligation(row: row, subject: p.name, interval: t, low: low, high: high, rate: oPenalty)
            } else {
                L.obligation.append(-1)
            }
        }
        if let target = b.finalSOC, n > 0 {
            let clamped = min(max(target.minimumPercent, p.socMinPercent), p.socMaxPercent)
            if clamped != target.minimumPercent {
                relaxations.append(
                    Relaxation(
                        kind: .finalSOCTargetClamped, subject: p.name, interval: nil,
                        amount: abs(clamped - target.minimumPercent), unit: "%",
                        detail:
                            "final SOC target \(target.minimumPercent) % is outside the window \(p.socMinPercent)…\(p.socMaxPercent) %; used \(clamped) %"
                    ))
            }
            L.finalRow = lp.addRow(lower: capacity * clamped / 100)
            soft.append(
                Soft(
                    row: L.finalRow, sign: 1, kind: .finalSOCTargetShortfall, subject: p.name, interval: n - 1,
                    rate: target.shortfallPenaltyYuanPerMWh, upper: capacity, bound: capacity * clamped / 100,
                    unit: "MWh"))
        }
        return L
    }

    private mutating func connectionRows() {
        for c in problem.connections {
            let fixed = fixedNet(group: c.group)
            var rows: [Int] = []
            rows.reserveCapacity(n)
            for t in 0..<n {
                let row = lp.addRow(lower: -c.importLimitMW - fixed[t], upper: c.exportLimitMW - fixed[t])
                rows.append(row)
                let rate = c.violationPenaltyYuanPerMWh * dt
                soft.append(
                    Soft(
                        row: row, sign: -1, kind: .connectionExportExceeded, subject: c.name, interval: t,
                        rate: rate, upper: .infinity, bound: c.exportLimitMW, unit: "MW"))
                soft.append(
                    Soft(
                        row: row, sign: 1, kind: .connectionImportExceeded, subject: c.name, interval: t,
                        rate: rate, upper: .infinity, bound: c.importLimitMW, unit: "MW"))
            }
            connections.append(Family(group: c.group, rows: rows))
        }
    }

    private mutating func boundRows() {
        for bound in problem.netBounds {
            let fixed = fixedNet(group: bound.group)
            var rows: [Int] = []
            rows.reserveCapacity(n)
            let rate = bound.penaltyYuanPerMWh * dt
            for t in 0..<n {
                let low = t < bound.minMW.count ? bound.minMW[t] : nil
                let high = t < bound.maxMW.count ? bound.maxMW[t] : nil
                guard low != nil || high != nil else {
                    rows.append(-1)
                    continue
                }
                let row = lp.addRow(
                    lower: low.map { $0 - fixed[t] } ?? -.infinity, upper: high.map { $0 - fixed[t] } ?? .infinity)
                rows.append(row)
                softObligation(row: row, subject: bound.name, interval: t, low: low, high: high, rate: rate)
            }
            bounds.append(Family(group: bound.group, rows: rows))
        }
    }

    /// The soft sides of an obligation row (MW): a shortfall below `low` and an excess above `high`, each only
    /// when given, both paid at `rate`.
    private mutating func softObligation(
        row: Int, subject: String, interval t: Int, low: Double?, high: Double?, rate: Double
    ) {
        if let low {
            soft.append(
                Soft(
                    row: row, sign: 1, kind: .obligationShortfall, subject: subject, interval: t, rate: rate,
                    upper: .infinity, bound: low, unit: "MW"))
        }
        if let high {
            soft.append(
                Soft(
                    row: row, sign: -1, kind: .obligationExcess, subject: subject, interval: t, rate: rate,
                    upper: .infinity, bound: high, unit: "MW"))
        }
    }

    // MARK: columns

    /// Coupling rows (connections, net bounds) an asset in `group` takes part in, per family.
    private func couplings(_ group: String?) -> [[Int]] {
        (connections + bounds).filter { $0.includes(group) }.map(\.rows)
    }

    private mutating func batteryColumns(_ b: FleetBattery, _ L: inout BatteryLayout) {
        let p = b.storage
        let coupled = couplings(b.group)
        let chargeCost = p.chargingFeeYuanPerMWh + p.degradationCostYuanPerMWh
        for t in 0..<n {
            let price = problem.pricesYuanPerMWh[t]
            if L.chargeCap[t] > 0 {
                L.charge.append(lp.addColumn(upper: L.chargeCap[t], objective: (-price - chargeCost) * dt))
                priceTerms.append((lp.columnCount - 1, t, -dt))
                lp.addEntry(row: L.balance[t], -p.chargeEfficiency * dt)
                if L.hull[t] >= 0 { lp.addEntry(row: L.hull[t], 1 / p.chargePowerMaxMW) }
                if L.obligation[t] >= 0 { lp.addEntry(row: L.obligation[t], -1) }
                for rows in coupled where rows[t] >= 0 { lp.addEntry(row: rows[t], -1) }
            } else {
                L.charge.append(-1)
            }
            if L.dischargeCap[t] > 0 {
                L.discharge.append(
                    lp.addColumn(upper: L.dischargeCap[t], objective: (price - p.degradationCostYuanPerMWh) * dt))
                priceTerms.append((lp.columnCount - 1, t, dt))
                lp.addEntry(row: L.balance[t], dt / p.dischargeEfficiency)
                if L.hull[t] >= 0 { lp.addEntry(row: L.hull[t], 1 / p.dischargePowerMaxMW) }
                if L.obligation[t] >= 0 { lp.addEntry(row: L.obligation[t], 1) }
                for rows in coupled where rows[t] >= 0 { lp.addEntry(row: rows[t], 1) }
            } else {
                L.discharge.append(-1)
            }
            L.energy.append(lp.addColumn(lower: L.energyLow[t], upper: L.energyHigh[t], objective: 0))
            lp.addEntry(row: L.balance[t], 1)
            if t + 1 < n { lp.addEntry(row: L.balance[t + 1], -1) }
            if L.floor[t] >= 0 { lp.addEntry(row: L.floor[t], 1) }
            if L.ceiling[t] >= 0 { lp.addEntry(row: L.ceiling[t], 1) }
            if t == n - 1 && L.finalRow >= 0 { lp.addEntry(row: L.finalRow, 1) }
        }
    }

    private mutating func pvColumnsBuild() {
        for pv in problem.pv {
            guard pv.curtailable else {
                pvColumns.append([Int](repeating: -1, count: n))
                continue
            }
            let coupled = couplings(pv.group)
            var cols: [Int] = []
            cols.reserveCapacity(n)
            for t in 0..<n {
                guard pv.forecastMW[t] > 0 else {
                    cols.append(-1)
                    continue
                }
                let price = problem.pricesYuanPerMWh[t]
                cols.append(
                    lp.addColumn(
                        upper: pv.forecastMW[t], objective: (price + pv.outputValueYuanPerMWh) * dt))
                priceTerms.append((lp.columnCount - 1, t, dt))
                for rows in coupled where rows[t] >= 0 { lp.addEntry(row: rows[t], 1) }
            }
            pvColumns.append(cols)
        }
    }

    /// The objective for another price series over the same fleet: the built one with the price terms moved.
    func objective(for prices: [Double]) -> [Double] {
        var c = lp.objective
        let built = problem.pricesYuanPerMWh
        for term in priceTerms {
            c[term.column] += term.coefficient * (prices[term.interval] - built[term.interval])
        }
        return c
    }
}
