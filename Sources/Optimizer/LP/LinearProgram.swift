/// A linear program in a solver-independent form: `optimize cᵀx` subject to `rowLower ≤ Ax ≤ rowUpper` and
/// `lower ≤ x ≤ upper`.
///
/// Variables and rows carry names so that an error or a relaxation report can say *which* one is at fault.
/// Infinite bounds are written as `-.infinity` / `.infinity`; the solver wrapper maps them to CLP's own
/// infinity. The value is plain data: build it on any thread, solve it with `solve()` (one CLP model per solve).
public struct LinearProgram: Sendable {
    /// Direction of the objective.
    public enum Sense: Sendable, Equatable {
        case minimize
        case maximize
    }

    /// Index of a variable (column) in this program.
    public struct Variable: Hashable, Sendable {
        public let index: Int
    }

    /// A column: bounds and objective coefficient.
    public struct Column: Sendable, Equatable {
        public var name: String
        public var lower: Double
        public var upper: Double
        public var objective: Double
    }

    /// A sparse constraint row: `lower ≤ Σ coefficient·x ≤ upper`.
    public struct Row: Sendable, Equatable {
        public var name: String
        public var terms: [(variable: Int, coefficient: Double)]
        public var lower: Double
        public var upper: Double

        public static func == (a: Row, b: Row) -> Bool {
            a.name == b.name && a.lower == b.lower && a.upper == b.upper
                && a.terms.count == b.terms.count
                && zip(a.terms, b.terms).allSatisfy {
                    $0.variable == $1.variable && $0.coefficient == $1.coefficient
                }
        }
    }

    /// A short name for the whole program, used in error messages (e.g. `storage bess-01 2026-11-24`).
    public var name: String
    public var sense: Sense
    public private(set) var columns: [Column] = []
    public private(set) var rows: [Row] = []

    public init(name: String, sense: Sense = .minimize) {
        self.name = name
        self.sense = sense
    }

    /// Adds a variable `lower ≤ x ≤ upper` with objective coefficient `objective`.
    @discardableResult
    public mutating func addVariable(
        _ name: String, lower: Double = 0, upper: Double = .infinity, objective: Double = 0
    ) -> Variable {
        columns.append(Column(name: name, lower: lower, upper: upper, objective: objective))
        return Variable(index: columns.count - 1)
    }

    /// Adds `lower ≤ Σ coefficient·variable ≤ upper`. Repeated variables in `terms` are summed.
    public mutating func addConstraint(
        _ name: String, _ terms: [(Variable, Double)], lower: Double = -.infinity,
        upper: Double = .infinity
    ) {
        rows.append(
            Row(name: name, terms: terms.map { ($0.0.index, $0.1) }, lower: lower, upper: upper))
    }

    /// Adds `Σ coefficient·variable = value`.
    public mutating func addEquality(
        _ name: String, _ terms: [(Variable, Double)], equals value: Double
    ) {
        addConstraint(name, terms, lower: value, upper: value)
    }

    /// Changes the objective coefficient of `variable`.
    public mutating func setObjective(_ variable: Variable, _ coefficient: Double) {
        columns[variable.index].objective = coefficient
    }

    public var variableCount: Int { columns.count }
    public var constraintCount: Int { rows.count }
}
