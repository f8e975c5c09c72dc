import Foundation
import Testing
import VPPCore

@testable import Store

@Suite("Durability and write latency")
struct DurabilityTests {
    @Test("a durable write is committed when it returns: an independent connection sees it at once")
    func visibleAfterReturn() async throws {
        try await withTemporaryStore { store, dir in
            let other = try Store(directory: dir)
            for _ in 0..<20 {
                let c = makeCommand()
                try await store.commands.create(c)
                #expect(try await other.commands.get(c.id) == c)
            }
        }
    }

    @Test("durable writes run with synchronous = FULL, bulk writes with NORMAL")
    func synchronousPerClass() async throws {
        try await withTemporaryStore { store, _ in
            let core = StoreCore(pool: store.pool, options: store.options)
            let full = try await core.write("probe", .durable) { db in
                try Int.fetchOne(db, sql: "PRAGMA synchronous")
            }
            let normal = try await core.write("probe", .bulk) { db in
                try Int.fetchOne(db, sql: "PRAGMA synchronous")
            }
            #expect(full == 2)  // FULL
            #expect(normal == 1)  // NORMAL
        }
    }

    @Test(
        "durable command insert latency is measured (p50/p99 printed, not asserted: machines are noisy)"
    )
    func latency() async throws {
        try await withTemporaryStore { store, _ in
            let n = 300
            var durable: [Double] = []
            for _ in 0..<n {
                let c = makeCommand()
                let t0 = ContinuousClock.now
                try await store.commands.create(c)
                durable.append(Self.ms(ContinuousClock.now - t0))
            }
            var bulk: [Double] = []
            for i in 0..<n {
                let s = TelemetrySample(device: "d", at: testNow.addingTimeInterval(Double(i)), powerKW: 1)
                let t0 = ContinuousClock.now
                try await store.telemetry.record([s])
                bulk.append(Self.ms(ContinuousClock.now - t0))
            }
            #expect(try await store.commands.list(CommandQuery(limit: 1000)).count == n)
            print(
                "store write latency (ms): durable command insert p50=\(Self.pct(durable, 0.5)) p99=\(Self.pct(durable, 0.99)); "
                    + "bulk telemetry upsert p50=\(Self.pct(bulk, 0.5)) p99=\(Self.pct(bulk, 0.99))")
        }
    }

    static func ms(_ d: Duration) -> Double {
        Double(d.components.seconds) * 1000 + Double(d.components.attoseconds) / 1e15
    }

    static func pct(_ xs: [Double], _ p: Double) -> String {
        let s = xs.sorted()
        let v = s[min(s.count - 1, Int((Double(s.count) * p).rounded(.down)))]
        return String(format: "%.3f", v)
    }
}
