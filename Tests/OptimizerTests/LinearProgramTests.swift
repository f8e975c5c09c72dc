import Testing

@testable import Optimizer

@Suite("LinearProgram (CLP wrapper)")
struct LinearProgramTests {
    @Test("the textbook maximisation 3x + 5y reaches 36 at (2, 6)")
    func textbookMax() throws {
        // Hillier & Lieberman's Wyndor Glass: max 3x + 5y, x ≤ 4, 2y ≤ 12, 3x + 2y ≤ 18.
        var lp = LinearProgram(name: "wyndor", sense: .maximize)
        let x = lp.addVariable("x", objective: 3)
        let y = lp.addVariable("y", objective: 5)
        lp.addConstraint("plant1", [(x, 1)], upper: 4)
        lp.addConstraint("plant2", [(y, 2)], upper: 12)
        lp.addConstraint("plant3", [(x, 3), (y, 2)], upper: 18)
        let s = try lp.solve()
        #expect(abs(s.objective - 36) < 1e-7)
        #expect(abs(s[x] - 2) < 1e-7)
        #expect(abs(s[y] - 6) < 1e-7)
        #expect(abs(s.rowActivities[2] - 18) < 1e-7)
    }

    @Test("a minimisation with equality and ranged rows and a free variable")
    func minimiseWithEqualityAndRange() throws {
        // min x + 2y − z  s.t. x + y + z = 10, 2 ≤ x − y ≤ 4, z ≤ 3, y ≥ 1, z free below.
        // By hand: z takes its upper bound 3 (it only lowers the cost per unit of the sum, x costs 1), leaving
        // x + y = 7; cost x + 2y = 7 + y is smallest for the smallest y, and x − y ≤ 4 with x = 7 − y gives
        // y ≥ 1.5. So y = 1.5, x = 5.5 and the cost is 5.5 + 3 − 3 = 5.5.
        var lp = LinearProgram(name: "ranged")
        let x = lp.addVariable("x", objective: 1)
        let y = lp.addVariable("y", lower: 1, objective: 2)
        let z = lp.addVariable("z", lower: -.infinity, upper: 3, objective: -1)
        lp.addEquality("sum", [(x, 1), (y, 1), (z, 1)], equals: 10)
        lp.addConstraint("gap", [(x, 1), (y, -1)], lower: 2, upper: 4)
        let s = try lp.solve()
        #expect(abs(s.objective - 5.5) < 1e-7)
        #expect(abs(s[x] - 5.5) < 1e-7)
        #expect(abs(s[y] - 1.5) < 1e-7)
        #expect(abs(s[z] - 3) < 1e-7)
    }

    @Test("a diet-style covering LP matches its hand-solved optimum")
    func coveringLP() throws {
        // min 0.6a + 0.35b  s.t. 5a + 7b ≥ 8, 4a + 2b ≥ 15, 2a + b ≥ 3. Vertex: 4a+2b=15 and 5a+7b=8 gives
        // b < 0, so b = 0 and a = 15/4 = 3.75 → cost 2.25.
        var lp = LinearProgram(name: "diet")
        let a = lp.addVariable("a", objective: 0.6)
        let b = lp.addVariable("b", objective: 0.35)
        lp.addConstraint("protein", [(a, 5), (b, 7)], lower: 8)
        lp.addConstraint("carbs", [(a, 4), (b, 2)], lower: 15)
        lp.addConstraint("fat", [(a, 2), (b, 1)], lower: 3)
        let s = try lp.solve()
        #expect(abs(s.objective - 2.25) < 1e-7)
        #expect(abs(s[a] - 3.75) < 1e-7)
        #expect(abs(s[b]) < 1e-7)
    }

    @Test("an infeasible LP throws .infeasible naming the program")
    func infeasible() {
        var lp = LinearProgram(name: "contradiction")
        let x = lp.addVariable("x", upper: 5, objective: 1)
        lp.addConstraint("needs-more", [(x, 1)], lower: 7)
        #expect {
            try lp.solve()
        } throws: { error in
            guard case .infeasible(let p, _) = error as? LPError else { return false }
            return p == "contradiction" && "\(error)".contains("contradiction")
        }
    }

    @Test("an unbounded LP throws .unbounded naming the program")
    func unbounded() {
        var lp = LinearProgram(name: "runaway", sense: .maximize)
        let x = lp.addVariable("x", objective: 1)
        let y = lp.addVariable("y", objective: 1)
        lp.addConstraint("diff", [(x, 1), (y, -1)], upper: 1)
        #expect(throws: LPError.unbounded(program: "runaway")) { try lp.solve() }
    }

    @Test("a bound with lower above upper is reported before solving, with the variable's name")
    func crossedBounds() {
        var lp = LinearProgram(name: "crossed")
        lp.addVariable("soc[3]", lower: 2, upper: 1)
        #expect {
            try lp.solve()
        } throws: { error in
            "\(error)".contains("soc[3]") && "\(error)".contains("crossed")
        }
    }

    @Test("an empty program solves to zero")
    func empty() throws {
        let s = try LinearProgram(name: "empty").solve()
        #expect(s.values.isEmpty)
        #expect(s.objective == 0)
    }

    /// CLP aborts the process (an assertion in `ClpSimplex::createRim`) on a cost of 1e25 or more; the wrapper
    /// must refuse such a model instead, whichever way it was assembled.
    @Test(
        "huge costs, coefficients and finite bounds are refused before CLP sees them", arguments: [1e25, 1e27, -1e300])
    func hugeNumbersRefused(_ huge: Double) {
        var cost = LinearProgram(name: "cost")
        let x = cost.addVariable("x", upper: 1, objective: huge)
        cost.addConstraint("cap", [(x, 1)], upper: 1)
        var coefficient = LinearProgram(name: "coefficient")
        let y = coefficient.addVariable("y", upper: 1, objective: 1)
        coefficient.addConstraint("row", [(y, huge)], upper: 1)
        var bound = LinearProgram(name: "bound")
        bound.addVariable("z", lower: 0, upper: abs(huge), objective: 1)
        for lp in [cost, coefficient, bound] {
            #expect {
                try lp.solve()
            } throws: { error in
                guard case .invalidModel(let program, _) = error as? LPError else { return false }
                return program == lp.name
            }
        }
    }

    @Test("an infinite bound still means no bound")
    func infiniteBoundsAccepted() throws {
        var lp = LinearProgram(name: "free", sense: .maximize)
        let x = lp.addVariable("x", lower: -.infinity, upper: .infinity, objective: 1)
        lp.addConstraint("cap", [(x, 1)], lower: -.infinity, upper: 7)
        let s = try lp.solve()
        #expect(abs(s[x] - 7) < 1e-9)
    }
}
