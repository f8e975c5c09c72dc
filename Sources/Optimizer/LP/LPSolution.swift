/// The optimal solution of a `LinearProgram`.
public struct LPSolution: Sendable {
    /// Objective value in the program's own sense (a maximum for `.maximize`).
    public let objective: Double
    /// Variable values, indexed like the program's columns.
    public let values: [Double]
    /// Row activities `Σ a·x`, indexed like the program's rows.
    public let rowActivities: [Double]
    /// Simplex iterations CLP needed.
    public let iterations: Int

    /// The value of `variable`.
    public subscript(_ variable: LinearProgram.Variable) -> Double { values[variable.index] }
}

/// Why a linear program has no optimal solution. Every case names the program.
public enum LPError: Error, Equatable, CustomStringConvertible {
    /// No point satisfies all constraints and bounds.
    case infeasible(program: String, detail: String)
    /// The objective can improve without limit.
    case unbounded(program: String)
    /// CLP stopped without a proven answer (iteration/time limit or numerical trouble).
    case numerical(program: String, status: Int, detail: String)
    /// The program is malformed before it reaches the solver (bad index, NaN, lower > upper).
    case invalidModel(program: String, detail: String)

    public var description: String {
        switch self {
        case .infeasible(let p, let d):
            return "LP \"\(p)\" is infeasible: \(d); relax a bound or make the constraint soft"
        case .unbounded(let p):
            return "LP \"\(p)\" is unbounded: some variable needs a finite bound"
        case .numerical(let p, let s, let d):
            return "LP \"\(p)\" stopped without a proven optimum (CLP status \(s)): \(d)"
        case .invalidModel(let p, let d):
            return "LP \"\(p)\" is malformed: \(d)"
        }
    }
}
