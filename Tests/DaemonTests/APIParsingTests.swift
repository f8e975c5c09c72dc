import Foundation
import Testing
import VPPCore

@testable import Daemon

/// The API's own parsing of hostile input (README "The HTTP API"): RFC 3339 date-times, schema-guided refusal
/// of null and boolean members, price bounds, percent-decoded path parameters.
@Suite("API parsing: date-times, strict JSON members, prices, path parameters")
struct APIParsingTests {
    @Test("every RFC 3339 date-time form the OpenAPI document allows is read, to the second")
    func rfc3339Accepted() throws {
        let cases: [(String, Double)] = [
            ("2026-01-31T12:00:00Z", 1_769_860_800),
            ("2026-01-31t12:00:00z", 1_769_860_800),
            ("2026-01-31T20:00:00+08:00", 1_769_860_800),
            ("2026-01-31T04:25:00-07:35", 1_769_860_800),
            ("2026-01-31T12:00:00.250Z", 1_769_860_800.25),
            ("1970-01-01T00:00:00Z", 0),
            ("2024-02-29T00:00:00Z", 1_709_164_800),
            ("0001-01-01T00:00:00Z", -62_135_596_800),
            ("9999-12-31T23:59:59Z", 253_402_300_799),
        ]
        for (text, expected) in cases {
            let date = try #require(ISO8601Time.date(text), "\(text)")
            #expect(abs(date.timeIntervalSince1970 - expected) < 0.001, "\(text): \(date.timeIntervalSince1970)")
        }
    }

    @Test("malformed or out-of-range date-times are refused, without trapping")
    func rfc3339Refused() {
        for text in [
            "", "2026-01-31", "2026-01-31T12:00:00", "2026-13-01T00:00:00Z", "2026-02-29T00:00:00Z",
            "2026-01-32T00:00:00Z", "2026-01-31T24:00:00Z", "2026-01-31T12:60:00Z", "2026-01-31T12:00:61Z",
            "2026-01-31T12:00:00+24:00", "2026-01-31T12:00:00+08", "2026-01-31T12:00:00.Z",
            "2026-01-31T12:00:00Zjunk", "-2026-01-31T12:00:00Z", "２０２６-01-31T12:00:00Z",
            String(repeating: "9", count: 10_000),
        ] {
            #expect(ISO8601Time.date(text) == nil, "\(text.prefix(40))")
        }
    }

    @Test("null and booleans in members the schema declares are refused, naming the member")
    func strictMembers() throws {
        func problem(_ json: String, _ schema: String) -> String? {
            do {
                try JSONStrictness.check(Data(json.utf8), schema: schema)
                return nil
            } catch let e as APIError {
                return e.detail
            } catch {
                return "\(error)"
            }
        }
        #expect(
            problem(#"{"targetMW": true, "reason": "x"}"#, "GridInstructionRequest")?.hasPrefix("targetMW:") == true)
        #expect(problem(#"{"quantiles": null}"#, "PriceForecastBody")?.hasPrefix("quantiles:") == true)
        #expect(
            problem(#"{"pricesYuanPerMWh": [1, false]}"#, "PriceForecastBody")?.hasPrefix("pricesYuanPerMWh[1]:")
                == true)
        #expect(
            problem(#"{"marketDay": "2026-01-01", "bidVersion": true, "intervals": []}"#, "ClearingDocument")?
                .hasPrefix("bidVersion:") == true)
        #expect(
            problem(#"{"intervals": [{"index": 1, "price": true, "clearedQuantity": 1}]}"#, "ClearingDocument")?
                .hasPrefix("intervals[0].price:") == true)
        #expect(problem(#"{"eventID": "e", "offerVersion": true}"#, "DRAwardDocument") != nil)
        // Members the schema does not declare are not the document's business; valid bodies pass.
        #expect(problem(#"{"extra": null, "other": true, "reason": "ok"}"#, "CancelRequest") == nil)
        #expect(problem(#"{"targetMW": 1.5, "reason": "x", "durationSeconds": 60}"#, "GridInstructionRequest") == nil)
        #expect(problem("not json", "CommandRequest") == nil, "syntax errors are the decoder's to report")
    }

    @Test("prices must be 96 finite values within the API bounds; quantile and flag keys are checked")
    func priceBounds() {
        let ok = [Double](repeating: 300, count: 96)
        #expect(throws: Never.self) { try PriceBounds.check(ok, field: "p") }
        #expect(throws: Never.self) { try PriceBounds.check(nil, field: "p") }
        for bad in [[Double](repeating: 300, count: 95), ok.with(7, 1e27), ok.with(0, .nan), ok.with(95, -.infinity)] {
            #expect(throws: APIError.self) { try PriceBounds.check(bad, field: "p") }
        }
        #expect(throws: Never.self) { try PriceBounds.check(quantiles: ["10": ok, "99": ok]) }
        for key in ["0", "100", "05", "+5", "-1", "1e1", "", "٣"] {
            #expect(throws: APIError.self, "\(key)") { try PriceBounds.check(quantiles: [key: ok]) }
        }
        #expect(throws: APIError.self) { try PriceBounds.check(quantiles: ["50": ok.with(3, 1e308)]) }
        #expect(throws: Never.self) { try PriceBounds.check(flagKeys: ["1", "96"]) }
        for key in ["0", "97", "01", "x"] {
            #expect(throws: APIError.self, "\(key)") { try PriceBounds.check(flagKeys: [key]) }
        }
    }

    @Test("path parameters are percent-decoded; a malformed escape is kept for the validation to refuse")
    func pathDecoding() throws {
        #expect(APIResponses.pathParameter("bat%2D0001") == "bat-0001")
        #expect(APIResponses.pathParameter("bat-0001") == "bat-0001")
        #expect(APIResponses.pathParameter("bat%ZZ") == "bat%ZZ")
        #expect(try APIResponses.checkedID("bat%2D0001", what: "device") == "bat-0001")
        #expect(throws: APIError.self) { try APIResponses.checkedID("bat%2F0001", what: "device") }
        #expect(throws: APIError.self) { try APIResponses.checkedID("%2E%2E", what: "device") }
        #expect(throws: APIError.self) { try APIResponses.checkedID("bat%ZZ", what: "device") }
    }
}

extension Array where Element == Double {
    fileprivate func with(_ index: Int, _ value: Double) -> [Double] {
        var copy = self
        copy[index] = value
        return copy
    }
}
