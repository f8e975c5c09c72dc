extension FleetModel {
    /// Rejects malformed input with the asset, field and interval named. Batteries go through the
    /// single-battery checks (`StorageParameters.validate`, `StorageModel.check`).
    static func validate(_ problem: FleetProblem) throws(FleetModelError) {
        let n = problem.intervalCount
        func bad(_ subject: String, _ field: String, _ detail: String) -> FleetModelError {
            .invalidInput(subject: subject, field: field, detail: detail)
        }
        func series(_ subject: String, _ field: String, _ values: [Double], nonNegative: Bool = false)
            throws(FleetModelError)
        {
            guard values.count == n else {
                throw bad(subject, field, "has \(values.count) values for \(n) intervals")
            }
            if let t = values.firstIndex(where: { !$0.isFinite || (nonNegative && $0 < 0) }) {
                throw bad(
                    subject, "\(field)[\(t + 1)]",
                    "\(values[t]) is not \(nonNegative ? "a finite number ≥ 0" : "finite")")
            }
        }
        func unique(_ kind: String, _ names: [String]) throws(FleetModelError) {
            var seen = Set<String>()
            for name in names where !seen.insert(name).inserted {
                throw bad(problem.name, kind, "name \"\(name)\" is used twice; asset names must be unique")
            }
        }
        func penalty(_ subject: String, _ field: String, _ value: Double) throws(FleetModelError) {
            guard value.isFinite, value >= 0 else { throw bad(subject, field, "must be finite and ≥ 0, got \(value)") }
        }

        guard n > 0 else { throw bad(problem.name, "prices", "no intervals to plan") }
        try series(problem.name, "prices", problem.pricesYuanPerMWh)
        guard problem.intervalHours.isFinite, problem.intervalHours > 0 else {
            throw bad(problem.name, "intervalHours", "must be > 0 h, got \(problem.intervalHours)")
        }
        try unique("batteries", problem.batteries.map(\.name))
        try unique("pv", problem.pv.map(\.name))
        for b in problem.batteries {
            do {
                try b.storage.validate()
                try StorageModel.check(
                    StorageProblem(
                        storage: b.storage, initialSOCPercent: b.initialSOCPercent,
                        pricesYuanPerMWh: problem.pricesYuanPerMWh, intervalHours: problem.intervalHours,
                        finalSOC: b.finalSOC, envelope: b.envelope))
            } catch {
                throw .invalidBattery(error)
            }
        }
        for pv in problem.pv {
            try series(pv.name, "forecastMW", pv.forecastMW, nonNegative: true)
            guard pv.outputValueYuanPerMWh.isFinite else {
                throw bad(pv.name, "outputValueYuanPerMWh", "is not finite")
            }
        }
        for f in problem.fixed { try series(f.name, "netMW", f.netMW) }
        for c in problem.connections {
            for (field, v) in [("exportLimitMW", c.exportLimitMW), ("importLimitMW", c.importLimitMW)] {
                guard v.isFinite, v >= 0 else { throw bad(c.name, field, "must be finite and ≥ 0 MW, got \(v)") }
            }
            try penalty(c.name, "violationPenaltyYuanPerMWh", c.violationPenaltyYuanPerMWh)
        }
        for b in problem.netBounds {
            for (field, list) in [("minMW", b.minMW), ("maxMW", b.maxMW)] {
                guard list.isEmpty || list.count == n else {
                    throw bad(b.name, field, "has \(list.count) values for \(n) intervals")
                }
                if let t = list.firstIndex(where: { $0.map { !$0.isFinite } ?? false }) {
                    throw bad(b.name, "\(field)[\(t + 1)]", "is not finite")
                }
            }
            for t in 0..<n {
                if t < b.minMW.count, t < b.maxMW.count, let low = b.minMW[t], let high = b.maxMW[t], low > high {
                    throw bad(b.name, "minMW[\(t + 1)]", "minimum \(low) MW is above the maximum \(high) MW")
                }
            }
            try penalty(b.name, "penaltyYuanPerMWh", b.penaltyYuanPerMWh)
        }
    }
}
