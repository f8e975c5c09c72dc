import Foundation
import Market
import Testing
import VPPCore

@Suite("DR documents: invitations, awards and cancellations as the platform sends them")
struct DRDocumentTests {
    @Test("a JSON invitation with index and time-labelled intervals reads and validates")
    func jsonInvitation() throws {
        let inv = try DRInvitation(data: try DRFixtures.data("invitation-peak.json"))
        #expect(inv.id == "zj-2026-07-14-peak-01")
        #expect(inv.product == DRProduct(direction: .peakShaving, timing: .dayAhead))
        #expect(inv.day == DRFixtures.day)
        #expect(inv.intervals.map(\.index) == [73, 74, 75, 76])  // 18:30 and 18:45 are start labels of 75, 76
        #expect(inv.intervals.map(\.requestedMW) == [2, 2, 1.5, 1.5])
        #expect(inv.pricing == .cap(yuanPerMWh: 1200))
        #expect(inv.deadline == DRFixtures.day.adding(days: -2).start().addingTimeInterval(10 * 3600))
        #expect(inv.issuer == "Zhejiang load management platform")
    }

    @Test("a CSV invitation with a fixed price and a time label reads and validates")
    func csvInvitation() throws {
        let inv = try DRInvitation(data: try DRFixtures.data("invitation-valley.csv"))
        #expect(inv.product.direction == .valleyFilling)
        #expect(inv.pricing == .fixed(yuanPerMWh: 250))
        #expect(inv.intervals.map(\.index) == [49, 50, 51])
    }

    /// Each bad fixture and a piece of the error it must produce (the field or interval at fault).
    static let bad: [(String, String)] = [
        ("interval-out-of-range.json", "interval 97: index must be 1…96"),
        ("requested-not-number.json", "intervals[0].requestedMW"),
        ("unknown-direction.json", "direction: \"sideways\" is not peakShaving or valleyFilling"),
        ("deadline-after-start.json", "deadline"),
        ("no-price.json", "priceCapYuanPerMWh or fixedPriceYuanPerMWh"),
        ("interval-twice.json", "interval 73: listed twice"),
        ("fixed-above-ceiling.json", "above the valleyFilling/dayAhead ceiling of 300.0"),
        ("csv-row-differs.csv", "line 3 timing"),
        ("csv-bad-label.csv", "line 2 interval"),
        ("bad-id.json", "id: '../x'"),
        ("requested-negative.json", "interval 73: requestedMW must be > 0"),
    ]

    @Test("every bad invitation is refused with the field or interval at fault", arguments: bad.map(\.0))
    func badInvitation(_ name: String) throws {
        let expected = Self.bad.first { $0.0 == name }!.1
        let data = try DRFixtures.data("bad/\(name)")
        do {
            _ = try DRInvitation(data: data)
            Issue.record("\(name) was accepted")
        } catch {
            #expect(error.description.contains(expected), "\(name): \(error.description)")
        }
    }

    @Test("every bad fixture in the folder has an expectation")
    func everyBadFixtureCovered() throws {
        let names = try FileManager.default.contentsOfDirectory(
            atPath: DRFixtures.directory.appendingPathComponent("bad").path)
        #expect(Set(names) == Set(Self.bad.map(\.0)))
    }

    @Test("an award reads from JSON and from CSV to the same document")
    func awardForms() throws {
        let json = try DRAward(data: try DRFixtures.data("award-peak.json"))
        #expect(json.offerVersion == 1)
        #expect(json.intervals.map(\.awardedMW) == [1, 1, 0.8, 0.8])
        let csv = """
            event_id,day,offer_version,interval,awarded_mw,price_yuan_per_mwh
            zj-2026-07-14-peak-01,2026-07-14,1,73,1.0,1000
            zj-2026-07-14-peak-01,2026-07-14,1,74,1.0,1000
            zj-2026-07-14-peak-01,2026-07-14,1,18:30,0.8,1000
            zj-2026-07-14-peak-01,2026-07-14,1,76,0.8,1000
            """
        var fromCSV = try DRAward(data: Data(csv.utf8))
        fromCSV.clearedAt = json.clearedAt
        #expect(fromCSV == json)
        #expect(throws: DRError.self) { try DRAward(data: Data("{\"eventID\": \"e\", \"day\": \"2026-07-14\"}".utf8)) }
    }

    @Test("a cancellation reads its event and instant; a missing instant is named")
    func cancellation() throws {
        let c = try DRCancellation(data: try DRFixtures.data("cancel-peak.json"))
        #expect(c.at == DRFixtures.day.start().addingTimeInterval(18.5 * 3600))
        #expect(c.reason == "supply eased")
        do {
            _ = try DRCancellation(data: Data(#"{"eventID": "e"}"#.utf8))
            Issue.record("accepted")
        } catch {
            #expect(error.description.contains("at: required text missing"))
        }
    }
}
