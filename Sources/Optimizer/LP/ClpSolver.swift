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
        return try ClpSession(
            name: name, sense: sense, colLower: columns.map(\.lower), colUpper: columns.map(\.upper),
            objective: columns.map(\.objective), starts: matrix.starts, indices: matrix.indices,
            values: matrix.values, rowLower: rows.map(\.lower), rowUpper: rows.map(\.upper),
            maxSeconds: maxSeconds
        ).solve()
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

/// The one place that holds a CLP model: loads a column-major program, solves it, reads the solution back;
/// `resolve(objective:)` swaps the objective and re-solves warm from the last optimal basis (primal simplex:
/// the basis stays feasible when only costs change), which is what several price scenarios over one fleet
/// need. Not thread-safe and not `Sendable`: one session per solving thread, freed on deinit.
final class ClpSession {
    /// CLP treats magnitudes at or above this as infinite (COIN_DBL_MAX); we pass it for ±∞ bounds.
    static let clpInfinity = Double.greatestFiniteMagnitude
    /// Largest violation of a row or bound CLP may accept as feasible (absolute, model units).
    static let primalTolerance = 1e-10

    let name: String
    let maxSeconds: Double
    private let model: UnsafeMutableRawPointer
    private let columns: Int
    private let rows: Int
    private var objective: [Double]
    private var solved = false

    /// Largest magnitude of a cost, coefficient or finite bound handed to CLP. CLP asserts (aborting the
    /// process) on an objective coefficient of 1e25 or more (`ClpSimplex::createRim`), and treats bounds
    /// of 1e30 or more as infinite; every model vppd builds stays far below 1e12 (yuan, MW, MWh), so five
    /// orders of margin below the assertion leaves room without letting a hostile number reach it.
    static let magnitudeLimit = 1e20

    init(
        name: String, sense: LinearProgram.Sense, colLower: [Double], colUpper: [Double], objective: [Double],
        starts: [Int32], indices: [Int32], values: [Double], rowLower: [Double], rowUpper: [Double],
        maxSeconds: Double
    ) throws(LPError) {
        try Self.check(
            name: name, colLower: colLower, colUpper: colUpper, objective: objective, starts: starts,
            indices: indices, values: values, rowLower: rowLower, rowUpper: rowUpper)
        guard maxSeconds.isFinite, maxSeconds > 0 else {
            throw .invalidModel(program: name, detail: "time limit \(maxSeconds) s is not a positive number")
        }
        guard let model = Clp_newModel() else {
            throw .numerical(program: name, status: -1, detail: "Clp_newModel returned NULL")
        }
        self.model = model
        self.name = name
        self.maxSeconds = maxSeconds
        self.columns = colLower.count
        self.rows = rowLower.count
        self.objective = objective
        Clp_setLogLevel(model, 0)
        Clp_setMaximumSeconds(model, maxSeconds)
        // CLP's default feasibility tolerance (1e-7) is absolute: on a one-car V2G cluster (0.05 MWh) that is
        // 0.1 Wh per row, enough to leave a car a hair below its departure SOC. Our models are small and
        // well scaled, so a tighter tolerance costs nothing measurable.
        Clp_setPrimalTolerance(model, Self.primalTolerance)
        let inf = Self.clpInfinity
        let cl = colLower.map { $0 == -.infinity ? -inf : $0 }
        let cu = colUpper.map { $0 == .infinity ? inf : $0 }
        let rl = rowLower.map { $0 == -.infinity ? -inf : $0 }
        let ru = rowUpper.map { $0 == .infinity ? inf : $0 }
        Clp_loadProblem(model, Int32(columns), Int32(rows), starts, indices, values, cl, cu, objective, rl, ru)
        Clp_setObjSense(model, sense == .maximize ? -1 : 1)
    }

    deinit { Clp_deleteModel(model) }

    /// Solves from scratch: presolve + dual simplex (CLP's "initial solve"; on a 100-asset fleet LP it halves
    /// the time of a plain dual simplex, FleetBenchmark on this box), primal as a fallback.
    func solve() throws(LPError) -> LPSolution {
        _ = Clp_initialSolve(model)
        return try finish()
    }

    /// Replaces the objective and re-solves warm from the previous basis (cold if there was none).
    func resolve(objective new: [Double]) throws(LPError) -> LPSolution {
        guard new.count == columns else {
            throw .invalidModel(
                program: name, detail: "objective has \(new.count) coefficients for \(columns) columns")
        }
        if let j = new.firstIndex(where: { !Self.isBounded($0) }) {
            throw .invalidModel(
                program: name, detail: "objective coefficient #\(j) (\(new[j])) is not finite or too large")
        }
        objective = new
        new.withUnsafeBufferPointer { buffer in
            if let base = Clp_objective(model) {
                for j in 0..<columns { base[j] = buffer[j] }
            }
        }
        guard solved else { return try solve() }
        _ = Clp_primal(model, 0)
        return try finish()
    }

    private func finish() throws(LPError) -> LPSolution {
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
        solved = true
        var solution = [Double](repeating: 0, count: columns)
        if columns > 0, let x = Clp_getColSolution(model) {
            for j in 0..<columns { solution[j] = x[j] }
        }
        var activities = [Double](repeating: 0, count: rows)
        if rows > 0, let r = Clp_getRowActivity(model) {
            for i in 0..<rows { activities[i] = r[i] }
        }
        // Clp_objectiveValue reports in the minimisation sense of the internal model times objSense;
        // recompute from the solution so the value is exactly cᵀx in the program's own sense.
        var objectiveValue = 0.0
        for j in 0..<columns { objectiveValue += objective[j] * solution[j] }
        return LPSolution(
            objective: objectiveValue, values: solution, rowActivities: activities,
            iterations: Int(Clp_numberIterations(model)))
    }
}

extension ClpSession {
    static func isBounded(_ x: Double) -> Bool { x.isFinite && abs(x) < magnitudeLimit }

    /// A bound may be ±∞ (CLP's "no bound") but not NaN or a huge finite number.
    static func isBound(_ x: Double) -> Bool { x.isInfinite || isBounded(x) }

    /// Refuses, as `.invalidModel`, anything CLP would assert on or read out of bounds: sizes beyond
    /// `Int32`, NaN, non-finite or huge costs and coefficients, malformed column starts, unknown rows.
    /// This is the last gate before C (DESIGN §11); callers bound their inputs earlier with field names.
    static func check(
        name: String, colLower: [Double], colUpper: [Double], objective: [Double], starts: [Int32],
        indices: [Int32], values: [Double], rowLower: [Double], rowUpper: [Double]
    ) throws(LPError) {
        let columns = colLower.count
        let rows = rowLower.count
        guard columns < Int(Int32.max), rows < Int(Int32.max), values.count < Int(Int32.max) else {
            throw .invalidModel(program: name, detail: "\(columns) columns, \(rows) rows is too large for CLP")
        }
        guard colUpper.count == columns, objective.count == columns, rowUpper.count == rows,
            starts.count == columns + 1, indices.count == values.count
        else {
            throw .invalidModel(program: name, detail: "inconsistent array sizes")
        }
        if let j = objective.firstIndex(where: { !isBounded($0) }) {
            throw .invalidModel(
                program: name, detail: "objective coefficient #\(j) (\(objective[j])) is not finite or too large")
        }
        for j in 0..<columns where !isBound(colLower[j]) || !isBound(colUpper[j]) {
            throw .invalidModel(
                program: name, detail: "variable #\(j) has bound [\(colLower[j]), \(colUpper[j])]")
        }
        for i in 0..<rows where !isBound(rowLower[i]) || !isBound(rowUpper[i]) {
            throw .invalidModel(
                program: name, detail: "constraint #\(i) has bound [\(rowLower[i]), \(rowUpper[i])]")
        }
        guard starts.first == 0, starts.last.map({ Int($0) == values.count }) == true,
            zip(starts, starts.dropFirst()).allSatisfy({ $0 <= $1 })
        else {
            throw .invalidModel(program: name, detail: "column starts are not a monotone cover of the entries")
        }
        if let k = indices.firstIndex(where: { $0 < 0 || Int($0) >= rows }) {
            throw .invalidModel(program: name, detail: "entry #\(k) names unknown row #\(indices[k])")
        }
        if let k = values.firstIndex(where: { !isBounded($0) }) {
            throw .invalidModel(
                program: name, detail: "coefficient #\(k) (\(values[k])) is not finite or too large")
        }
    }
}
