import CClp

/// The only place that calls COIN-OR CLP (DESIGN §11: EPL-licensed, C API, 0-based column-major arrays).
///
/// A CLP model is not thread-safe, so every `solve()` creates its own model and deletes it before returning;
/// concurrent solves of different programs are safe.
extension LinearProgram {
    /// Solves the program with CLP's presolve + dual simplex (primal as a fallback when that stops unproven).
    /// - Parameter maxSeconds: wall-time limit in seconds handed to CLP; exceeding it is `.numerical`.
    public func solve(maxSeconds: Double = 10) throws(LPError) -> LPSolution {
        let matrix = try columnMajor()
        return try ClpRun.solve(
            name: name, sense: sense, colLower: columns.map(\.lower), colUpper: columns.map(\.upper),
            objective: columns.map(\.objective), starts: matrix.starts, indices: matrix.indices,
            values: matrix.values, rowLower: rows.map(\.lower), rowUpper: rows.map(\.upper),
            maxSeconds: maxSeconds)
    }

    /// The constraint matrix in CLP's column-major (CSC) form, after checking indices and numbers.
    private func columnMajor() throws(LPError) -> (
        starts: [Int32], indices: [Int32], values: [Double]
    ) {
        for c in columns {
            guard !c.lower.isNaN, !c.upper.isNaN, c.objective.isFinite else {
                throw .invalidModel(
                    program: name, detail: "variable \(c.name) has a NaN bound or non-finite objective")
            }
            guard c.lower <= c.upper else {
                throw .infeasible(
                    program: name,
                    detail: "variable \(c.name) has lower bound \(c.lower) above upper bound \(c.upper)")
            }
        }
        var counts = [Int](repeating: 0, count: columns.count)
        for r in rows {
            guard !r.lower.isNaN, !r.upper.isNaN else {
                throw .invalidModel(program: name, detail: "constraint \(r.name) has a NaN bound")
            }
            guard r.lower <= r.upper else {
                throw .infeasible(
                    program: name,
                    detail: "constraint \(r.name) has lower bound \(r.lower) above upper bound \(r.upper)")
            }
            for t in r.terms {
                guard columns.indices.contains(t.variable) else {
                    throw .invalidModel(
                        program: name, detail: "constraint \(r.name) names unknown variable #\(t.variable)")
                }
                guard t.coefficient.isFinite else {
                    throw .invalidModel(
                        program: name, detail: "constraint \(r.name) has a non-finite coefficient")
                }
                counts[t.variable] += 1
            }
        }
        var starts = [Int32](repeating: 0, count: columns.count + 1)
        for j in 0..<columns.count { starts[j + 1] = starts[j] + Int32(counts[j]) }
        var fill = starts.dropLast().map { Int($0) }
        let nnz = Int(starts[columns.count])
        var indices = [Int32](repeating: 0, count: nnz)
        var values = [Double](repeating: 0, count: nnz)
        for (i, r) in rows.enumerated() {
            for t in r.terms {
                let k = fill[t.variable]
                indices[k] = Int32(i)
                values[k] = t.coefficient
                fill[t.variable] += 1
            }
        }
        return (starts, indices, values)
    }
}

/// The one call site of the CLP C API: loads a column-major model, solves it, reads the solution back.
enum ClpRun {
    /// CLP treats magnitudes at or above this as infinite (COIN_DBL_MAX); we pass it for ±∞ bounds.
    static let clpInfinity = Double.greatestFiniteMagnitude
    /// Largest violation of a row or bound CLP may accept as feasible (absolute, model units).
    static let primalTolerance = 1e-10

    static func solve(
        name: String, sense: LinearProgram.Sense, colLower: [Double], colUpper: [Double], objective: [Double],
        starts: [Int32], indices: [Int32], values: [Double], rowLower: [Double], rowUpper: [Double],
        maxSeconds: Double
    ) throws(LPError) -> LPSolution {
        guard let model = Clp_newModel() else {
            throw .numerical(program: name, status: -1, detail: "Clp_newModel returned NULL")
        }
        defer { Clp_deleteModel(model) }
        Clp_setLogLevel(model, 0)
        Clp_setMaximumSeconds(model, maxSeconds)
        // CLP's default feasibility tolerance (1e-7) is absolute: on a one-car V2G cluster (0.05 MWh) that is
        // 0.1 Wh per row, enough to leave a car a hair below its departure SOC. Our models are small and
        // well scaled, so a tighter tolerance costs nothing measurable.
        Clp_setPrimalTolerance(model, primalTolerance)

        let inf = clpInfinity
        let cl = colLower.map { $0 == -.infinity ? -inf : $0 }
        let cu = colUpper.map { $0 == .infinity ? inf : $0 }
        let rl = rowLower.map { $0 == -.infinity ? -inf : $0 }
        let ru = rowUpper.map { $0 == .infinity ? inf : $0 }
        Clp_loadProblem(
            model, Int32(cl.count), Int32(rl.count), starts, indices, values, cl, cu, objective, rl, ru)
        Clp_setObjSense(model, sense == .maximize ? -1 : 1)

        // Presolve + dual simplex (CLP's default "initial solve"): on a 100-asset fleet LP it halves the time
        // of a plain dual simplex (FleetBenchmark, measured on this box); on small LPs it is a wash.
        _ = Clp_initialSolve(model)
        var status = Int(Clp_status(model))
        if status != 0 && status != 1 && status != 2 {
            _ = Clp_primal(model, 0)
            status = Int(Clp_status(model))
        }
        switch status {
        case 0:
            break
        case 1:
            let sum = Clp_sumPrimalInfeasibilities(model)
            let count = Int(Clp_numberPrimalInfeasibilities(model))
            throw .infeasible(
                program: name,
                detail: "\(count) constraint(s)/bound(s) violated, total violation \(sum)")
        case 2:
            throw .unbounded(program: name)
        default:
            let hit = Clp_hitMaximumIterations(model) != 0
            throw .numerical(
                program: name, status: status,
                detail: hit ? "iteration or time limit (\(maxSeconds) s) reached" : "stopped due to errors")
        }

        let n = cl.count
        let m = rl.count
        var solution = [Double](repeating: 0, count: n)
        if n > 0, let x = Clp_getColSolution(model) {
            for j in 0..<n { solution[j] = x[j] }
        }
        var activities = [Double](repeating: 0, count: m)
        if m > 0, let r = Clp_getRowActivity(model) {
            for i in 0..<m { activities[i] = r[i] }
        }
        // Clp_objectiveValue reports in the minimisation sense of the internal model times objSense;
        // recompute from the solution so the value is exactly cᵀx in the program's own sense.
        var objectiveValue = 0.0
        for j in 0..<n { objectiveValue += objective[j] * solution[j] }
        return LPSolution(
            objective: objectiveValue, values: solution, rowActivities: activities,
            iterations: Int(Clp_numberIterations(model)))
    }
}
