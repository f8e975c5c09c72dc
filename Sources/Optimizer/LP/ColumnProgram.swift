/// A linear program assembled directly in CLP's column-major (CSC) form: rows are declared first (bounds
/// only), then each column is appended with its non-zero entries. No names, no per-row arrays of terms —
/// this is the fast path for large scheduling models (`FleetModel`), where building a named
/// `LinearProgram` and transposing it would cost more than the solve. `LinearProgram.solve()` also goes
/// through here, so there is one way to hand a model to CLP.
///
/// Infinite bounds are `-.infinity` / `.infinity`. Entries of one column must name distinct rows.
struct ColumnProgram: Sendable {
    var name: String
    var sense: LinearProgram.Sense
    private(set) var colLower: [Double] = []
    private(set) var colUpper: [Double] = []
    private(set) var objective: [Double] = []
    /// Start of each column's entries in `indices`/`values`; one more than the column count once closed.
    private(set) var starts: [Int32] = [0]
    private(set) var indices: [Int32] = []
    private(set) var values: [Double] = []
    private(set) var rowLower: [Double] = []
    private(set) var rowUpper: [Double] = []

    init(name: String, sense: LinearProgram.Sense) {
        self.name = name
        self.sense = sense
    }

    var columnCount: Int { colLower.count }
    var rowCount: Int { rowLower.count }
    var nonZeroCount: Int { values.count }

    /// Reserves storage for about `columns` columns, `rows` rows and `nonZeros` entries.
    mutating func reserve(columns: Int, rows: Int, nonZeros: Int) {
        colLower.reserveCapacity(columns)
        colUpper.reserveCapacity(columns)
        objective.reserveCapacity(columns)
        starts.reserveCapacity(columns + 1)
        rowLower.reserveCapacity(rows)
        rowUpper.reserveCapacity(rows)
        indices.reserveCapacity(nonZeros)
        values.reserveCapacity(nonZeros)
    }

    /// Declares a row `lower ≤ Σ a·x ≤ upper` and returns its index; its entries come with the columns.
    @discardableResult
    mutating func addRow(lower: Double = -.infinity, upper: Double = .infinity) -> Int {
        rowLower.append(lower)
        rowUpper.append(upper)
        return rowLower.count - 1
    }

    /// Appends a column `lower ≤ x ≤ upper` with objective coefficient `objective`; add its entries with
    /// `addEntry` before the next column. Returns the column index.
    @discardableResult
    mutating func addColumn(lower: Double = 0, upper: Double = .infinity, objective c: Double) -> Int {
        if colLower.count > 0 { starts.append(Int32(indices.count)) }
        colLower.append(lower)
        colUpper.append(upper)
        objective.append(c)
        return colLower.count - 1
    }

    /// Adds coefficient `value` in `row` to the most recently added column (zeros are skipped).
    mutating func addEntry(row: Int, _ value: Double) {
        guard value != 0 else { return }
        indices.append(Int32(row))
        values.append(value)
    }

    /// Loads the program into a fresh CLP model and solves it (see `LinearProgram.solve`).
    func solve(maxSeconds: Double = 10) throws(LPError) -> LPSolution {
        try session(maxSeconds: maxSeconds).solve()
    }

    /// Loads the program into a CLP session that can be re-solved with other objectives.
    func session(maxSeconds: Double = 10) throws(LPError) -> ClpSession {
        var closed = starts
        if colLower.count > 0 { closed.append(Int32(indices.count)) } else { closed = [0] }
        return try ClpSession(
            name: name, sense: sense, colLower: colLower, colUpper: colUpper, objective: objective,
            starts: closed, indices: indices, values: values, rowLower: rowLower, rowUpper: rowUpper,
            maxSeconds: maxSeconds)
    }
}
