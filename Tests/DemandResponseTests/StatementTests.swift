import Foundation
import Testing
import VPPCore

@testable import Market

@Suite("Owner statements (JSON and CSV)")
struct StatementTests {
    /// Two settled days of the same random fleet (different seeds give different days' figures).
    static func month() throws -> [DaySettlement] {
        let (a, _) = try SettlementAllocationTests.randomDay(seed: 11, share: 5)
        var (b, _) = try SettlementAllocationTests.randomDay(seed: 11, share: 5)
        b.day = a.day.adding(days: 1)
        return [b, a]
    }

    @Test("a month's statements of all owners add up to the aggregate minus the aggregator's share, to the fen")
    func sumsToAggregate() throws {
        let days = try Self.month()
        let owners = Set(days.flatMap { $0.owners.map(\.owner) })
        let statements = owners.map { OwnerStatement.build(owner: $0, period: "2026-11", settlements: days) }
        let aggregate = days.reduce(0) { $0 + $1.aggregateFen - $1.aggregatorFen }
        #expect(statements.reduce(0) { $0 + $1.totalFen } == aggregate)
        for s in statements {
            #expect(s.days == days.map(\.day).sorted())
            #expect(s.lines.reduce(0) { $0 + $1.amountFen } == s.totalFen)
            #expect(s.totalYuan == Fen.yuanText(s.totalFen))
        }
    }

    @Test("JSON round-trips; CSV has the documented header, one row per line and a TOTAL row")
    func formats() throws {
        let days = try Self.month()
        let owner = try #require(days[0].owners.first?.owner)
        let s = OwnerStatement.build(owner: owner, period: "2026-11", settlements: days)
        let data = try JSONEncoder().encode(s)
        #expect(try JSONDecoder().decode(OwnerStatement.self, from: data) == s)
        let rows = s.csv().split(separator: "\n").map(String.init)
        #expect(rows.first == "owner,day,source,event,contribution_kwh,amount_fen,amount_yuan")
        #expect(rows.count == s.lines.count + 2)
        let body = rows.dropFirst().dropLast().map { $0.split(separator: ",", omittingEmptySubsequences: false) }
        #expect(body.allSatisfy { $0.count == 7 })
        #expect(body.reduce(0) { $0 + (Int($1[5]) ?? .min / 1000) } == s.totalFen)
        let total = rows.last?.split(separator: ",", omittingEmptySubsequences: false) ?? []
        #expect(total.count == 7 && total[1] == "TOTAL" && total[5] == Substring(String(s.totalFen)))
        #expect(total[6] == Substring(s.totalYuan))
    }

    @Test("CSV quotes an owner id holding a comma; months are parsed strictly")
    func quotingAndMonths() {
        let s = OwnerStatement(
            owner: "Zhang, Wei", period: "2026-11", days: [], lines: [], totalFen: 0, totalYuan: "0.00")
        #expect(s.csv().hasSuffix("\n\"Zhang, Wei\",TOTAL,,,0.000,0,0.00\n"))
        #expect(OwnerStatement.days(ofMonth: "2026-02")?.count == 28)
        #expect(OwnerStatement.days(ofMonth: "2028-02")?.count == 29)
        #expect(OwnerStatement.days(ofMonth: "2026-13") == nil && OwnerStatement.days(ofMonth: "2026-1") == nil)
        #expect(OwnerStatement.kWhText(-0.5) == "-0.500" && OwnerStatement.kWhText(1234.5678) == "1234.568")
    }
}
