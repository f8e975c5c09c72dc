import Foundation
import Testing
import VPPCore

@testable import Store

@Suite("Tracking records in the store")
struct TrackingRepositoryTests {
    let day = MarketDay(year: 2026, month: 11, day: 23)!

    func tracking(
        _ index: Int, cleared: Double, delivered: Double, tolerance: Double = 2,
        contributions: [DeviceID: Double] = [:], at: Date = testNow
    ) -> IntervalTracking {
        IntervalTracking(
            interval: MarketInterval(day: day, index: index)!,
            record: TrackingRecord(clearedKWh: cleared, deliveredKWh: delivered, tolerancePercent: tolerance),
            contributionsKWh: contributions, recordedAt: at)
    }

    @Test("an interval round-trips with its figures and every device's contribution")
    func roundTrip() async throws {
        try await withTemporaryStore { store, _ in
            let t = tracking(37, cleared: 1000, delivered: 970, contributions: ["pv-1": 600, "bess-1": 370])
            try await store.tracking.upsert(t)
            let back = try #require(try await store.tracking.get(t.interval))
            #expect(back == t)
            // 970 − 1000 = −30 kWh = −3 %: outside a 2 % tolerance.
            #expect(back.record.deviationKWh == -30)
            #expect(back.record.deviationPercent == -3)
            #expect(!back.record.withinTolerance)
        }
    }

    @Test("upserting the same interval replaces its figures and its contributions; other intervals stay")
    func upsertReplaces() async throws {
        try await withTemporaryStore { store, _ in
            try await store.tracking.upsert(tracking(2, cleared: 500, delivered: 500))
            try await store.tracking.upsert(
                tracking(1, cleared: 800, delivered: 400, contributions: ["pv-1": 300, "ev-1": 100]))
            let final = tracking(
                1, cleared: 800, delivered: 790, contributions: ["pv-1": 790],
                at: testNow.addingTimeInterval(450))
            try await store.tracking.upsert(final)
            let all = try await store.tracking.list(day: day)
            #expect(all.map(\.interval.index) == [1, 2])
            #expect(all[0] == final)
            #expect(all[0].contributionsKWh == ["pv-1": 790])  // ev-1 from the partial upsert is gone
            #expect(all[1].record.deliveredKWh == 500)
            // The derived columns follow the replacing figures.
            let derived = try await store.pool.read { db in
                try Double.fetchOne(
                    db,
                    sql: """
                        SELECT deviation_kwh + 1000 * within_tolerance FROM tracking_interval
                        WHERE market_day = '2026-11-23' AND interval_index = 1
                        """)
            }
            #expect(abs((derived ?? 0) - 990) < 1e-9)  // deviation −10 kWh, plus 1000 × within tolerance (1)
        }
    }

    @Test("list is per day and in interval order; a filter picks one interval")
    func listPerDay() async throws {
        try await withTemporaryStore { store, _ in
            for i in [96, 5, 40] { try await store.tracking.upsert(tracking(i, cleared: Double(i), delivered: 0)) }
            let other = IntervalTracking(
                interval: MarketInterval(day: day.adding(days: 1), index: 5)!,
                record: TrackingRecord(clearedKWh: 1, deliveredKWh: 1, tolerancePercent: 2), recordedAt: testNow)
            try await store.tracking.upsert(other)
            #expect(try await store.tracking.list(day: day).map(\.interval.index) == [5, 40, 96])
            #expect(try await store.tracking.list(day: day, interval: 40).map(\.record.clearedKWh) == [40])
            #expect(try await store.tracking.list(day: day.adding(days: 1)) == [other])
            #expect(try await store.tracking.list(day: day.adding(days: 2)).isEmpty)
        }
    }

    @Test("records survive closing and reopening the store")
    func survivesReopen() async throws {
        let (store, dir) = try Store.temporary()
        defer { try? FileManager.default.removeItem(at: dir) }
        let t = tracking(12, cleared: -250, delivered: -245.5, contributions: ["bess-1": -245.5])
        try await store.tracking.upsert(t)
        try await store.close()
        let reopened = try Store(directory: dir)
        #expect(try await reopened.tracking.list(day: day) == [t])
    }

    @Test("a non-finite energy or a negative tolerance is refused, naming the field, and nothing is written")
    func refusesBadValues() async throws {
        try await withTemporaryStore { store, _ in
            let cases: [(IntervalTracking, String)] = [
                (tracking(1, cleared: .nan, delivered: 0), "clearedKWh"),
                (tracking(1, cleared: 0, delivered: .infinity), "deliveredKWh"),
                (tracking(1, cleared: 1, delivered: 1, tolerance: -1), "tolerancePercent"),
                (tracking(1, cleared: 1, delivered: 1, contributions: ["pv-9": .nan]), "contributionsKWh[pv-9]"),
            ]
            for (bad, field) in cases {
                await #expect {
                    try await store.tracking.upsert(bad)
                } throws: { error in
                    guard case .invalidValue(let f, _) = error as? StoreError else { return false }
                    return f == field
                }
            }
            let stored = try await store.tracking.list(day: day)
            #expect(stored.isEmpty)
        }
    }
}
