import Daemon
import Foundation
import Store
import Testing
import VPPCore

/// Tracking records written to the store (as the dispatch loop does at each interval end) are served by
/// `GET /v1/tracking/{day}` and joined into `GET /v1/schedule/{day}`; figures checked against hand arithmetic.
@Suite("tracking records through the API")
struct TrackingAPITests {
    static let day = MarketDay(year: 2026, month: 11, day: 23)!

    /// Two recorded intervals of a 1 MW export schedule (250 kWh per interval), tolerance 3 %:
    /// interval 1 delivered 245 kWh (−2 %, inside; bat-1 200, pv-0 45), interval 2 delivered 200 kWh (−20 %).
    static func seed(_ store: Store) async throws {
        try await store.schedules.save(
            day: day, targetsKW: Array(repeating: 1000, count: 96), source: "test", at: Date())
        try await store.tracking.upsert(
            IntervalTracking(
                interval: MarketInterval(day: day, index: 1)!,
                record: TrackingRecord(clearedKWh: 250, deliveredKWh: 245, tolerancePercent: 3),
                contributionsKWh: ["pv-0": 45, "bat-1": 200], recordedAt: Date()))
        try await store.tracking.upsert(
            IntervalTracking(
                interval: MarketInterval(day: day, index: 2)!,
                record: TrackingRecord(clearedKWh: 250, deliveredKWh: 200, tolerancePercent: 3),
                contributionsKWh: ["bat-1": 200], recordedAt: Date()))
    }

    @Test("per-interval cleared vs executed, deviation, tolerance and totals; contributions with ?interval=")
    func trackingRoute() async throws {
        let fixture = try DaemonFixture(devices: 4)
        defer { fixture.cleanup() }
        let daemon = try DaemonProcess(fixture: fixture)
        defer { daemon.stop() }
        try daemon.waitReady()
        let store = try fixture.openStore()
        try await Self.seed(store)
        let c = daemon.client()
        let viewer = [fixture.auth("viewer")]

        let all = try c.request("GET", "/v1/tracking/2026-11-23", headers: viewer)
        #expect(all.status == 200, "\(all.text)")
        let rows = all.json?["intervals"]?.arrayValue ?? []
        #expect(rows.map { number($0["index"]) } == [1, 2])
        #expect(number(rows.first?["clearedMWh"]) == 0.25)
        #expect(number(rows.first?["executedMWh"]) == 0.245)
        #expect(abs((number(rows.first?["deviationMWh"]) ?? 0) + 0.005) < 1e-12)
        #expect(abs((number(rows.first?["deviationPercent"]) ?? 0) + 2) < 1e-9)
        #expect(rows.first?["withinTolerance"] == .bool(true))
        #expect(rows.last?["withinTolerance"] == .bool(false))
        #expect(rows.first?["contributions"] == nil)  // only with ?interval=
        let totals = all.json?["totals"]
        #expect(number(totals?["intervals"]) == 2 && number(totals?["withinTolerance"]) == 1)
        #expect(abs((number(totals?["executedMWh"]) ?? 0) - 0.445) < 1e-12)
        #expect(abs((number(totals?["deviationMWh"]) ?? 0) + 0.055) < 1e-12)
        #expect(abs((number(totals?["absoluteDeviationMWh"]) ?? 0) - 0.055) < 1e-12)

        let one = try c.request("GET", "/v1/tracking/2026-11-23?interval=1", headers: viewer)
        let contributions = one.json?["intervals"]?.arrayValue?.first?["contributions"]?.arrayValue ?? []
        #expect(contributions.map { $0["device"]?.stringValue } == ["bat-1", "pv-0"])  // largest first
        #expect(contributions.map { number($0["energyMWh"]) } == [0.2, 0.045])

        let schedule = try c.request("GET", "/v1/schedule/2026-11-23", headers: viewer)
        let intervals = schedule.json?["intervals"]?.arrayValue ?? []
        #expect(intervals.count == 96)
        #expect(number(intervals.first?["executedKW"]) == 980)  // 245 kWh over 0.25 h
        #expect(number(intervals[1]["executedKW"]) == 800)
        #expect(intervals.first?["withinTolerance"] == .bool(true))
        #expect(intervals[2]["executedKW"] == nil)  // not recorded yet
        #expect(try c.request("GET", "/v1/schedule?day=2026-11-23", headers: viewer).json == schedule.json)

        let empty = try c.request("GET", "/v1/tracking/2026-11-24", headers: viewer)
        #expect(empty.json?["intervals"]?.arrayValue?.isEmpty == true)
        #expect(number(empty.json?["totals"]?["intervals"]) == 0)
        for bad in ["/v1/tracking/2026-13-01", "/v1/tracking/2026-11-23?interval=97", "/v1/schedule/someday"] {
            let r = try c.request("GET", bad, headers: viewer)
            #expect(r.status == 400, "\(bad): \(r.status) \(r.text)")
        }
        #expect(try c.request("GET", "/v1/tracking/2026-11-23").status == 401)
    }
}
