import DeviceIO
import Fleet
import Foundation
import Market
import Store
import Testing
import VPPCore

@testable import Daemon

/// Prices and loads that once aborted or stalled the daemon: a forecast of 1e27 reached CLP as a cost (an
/// assertion there kills the process), and was stored first, so every later build aborted again.
@Suite("Hostile market input: bounded prices, one build per day")
struct HostileMarketInputTests {
    let trader = Principal(name: "t-trader", role: .trader)

    func fleet() -> FleetHandle {
        let address = DeviceAddress.modbusTCP(host: "127.0.0.1", port: 1, unit: 1)
        let devices = [
            DeviceDescriptor(
                id: "bat-1", profile: "sunspec-storage", kind: .storage, site: "s1", owner: "o1", ratedPowerKW: 500,
                ratedEnergyKWh: 1000, address: address)
        ]
        let state = FleetState(devices: devices, staleAfterMs: ["bat-1": 3_600_000])
        state.ingest("bat-1", values: [.socPercent: 50, .activePowerKW: 0])
        return FleetHandle(state: state)
    }

    func profile() throws -> MarketProfile {
        try MarketProfileLoader.load(
            file: MarketBidServiceTests.root.appendingPathComponent("MarketProfiles/shandong.yaml"))
    }

    @Test("forecasts and build requests with prices outside the band get 422 naming the field; nothing is stored")
    func hostilePricesRefused() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("vppd-hostile-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let store = try Store(directory: dir)
        let profile = try profile()
        let bids = try BidService(store: store, fleet: fleet(), profile: .success(profile), stateDirectory: dir)
        let day = MarketDay("2026-12-05")!
        let band = ForecastPriceBand(profile: profile)
        for hostile in [1e27, -1e308, band.highYuanPerMWh + 0.5] {
            var prices = Array(repeating: 300.0, count: 96)
            prices[10] = hostile
            do {
                _ = try await bids.putPriceForecast(day: day, prices: prices, quantiles: nil, by: trader, from: "t")
                Issue.record("stored a forecast with \(hostile)")
            } catch let e as ServiceError {
                #expect(e.kind == .invalid && APIError(service: e).status == .unprocessableContent)
                #expect(e.detail.contains("pricesYuanPerMWh") && e.detail.contains("interval 11"), "\(e.detail)")
            }
            do {
                _ = try await bids.putPriceForecast(
                    day: day, prices: Array(repeating: 300, count: 96),
                    quantiles: ["90": Array(repeating: hostile, count: 96)], by: trader, from: "t")
                Issue.record("stored a quantile with \(hostile)")
            } catch let e as ServiceError {
                #expect(e.kind == .invalid, "\(e)")
            }
            do {
                _ = try await bids.build(.init(day: day, pricesYuanPerMWh: prices), by: trader, from: "t")
                Issue.record("built a bid with \(hostile)")
            } catch let e as ServiceError {
                #expect(e.kind == .invalid, "\(e)")
            }
        }
        #expect(try await bids.storedForecast(day: day) == nil)
        #expect(try await store.bids.get(day: day) == nil)
        // A forecast inside the band is stored and planned with.
        _ = try await bids.putPriceForecast(
            day: day, prices: (1...96).map { $0 % 8 < 4 ? 100 : 900 }, quantiles: nil, by: trader, from: "t")
        let built = try await bids.build(.init(day: day), by: trader, from: "t")
        #expect(built.bid.version == 1)
    }

    @Test("concurrent builds of one day run one at a time and get consecutive versions")
    func concurrentBuildsSerialized() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("vppd-hostile-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let store = try Store(directory: dir)
        let bids = try BidService(store: store, fleet: fleet(), profile: .success(try profile()), stateDirectory: dir)
        let day = MarketDay("2026-12-06")!
        let prices = (1...96).map { Double($0 % 8 < 4 ? 100 : 900) }
        let trader = self.trader
        let versions = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<4 {
                group.addTask {
                    try await bids.build(.init(day: day, pricesYuanPerMWh: prices), by: trader, from: "t").bid.version
                }
            }
            var out: [Int] = []
            for try await v in group { out.append(v) }
            return out
        }
        #expect(versions.sorted() == [1, 2, 3, 4])
    }
}

@Suite("HeavyWork: one job per key, bounded queue")
struct HeavyWorkTests {
    actor Probe {
        var running: [String: Int] = [:]
        var maxPerKey = 0
        var maxTotal = 0
        func enter(_ k: String) {
            running[k, default: 0] += 1
            maxPerKey = max(maxPerKey, running[k] ?? 0)
            maxTotal = max(maxTotal, running.values.reduce(0, +))
        }
        func leave(_ k: String) { running[k, default: 0] -= 1 }
    }

    @Test("jobs of one key never overlap, at most maxRunning run at once, a full queue answers Busy at once")
    func admission() async throws {
        let heavy = HeavyWork(maxRunning: 2, maxWaiting: 6)
        let probe = Probe()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for i in 0..<8 {
                let key = "day-\(i % 2)"
                group.addTask {
                    try await heavy.run(key) {
                        await probe.enter(key)
                        try await Task.sleep(for: .milliseconds(20))
                        await probe.leave(key)
                    }
                }
            }
            try await group.waitForAll()
        }
        #expect(await probe.maxPerKey == 1)
        #expect(await probe.maxTotal <= 2)

        let tight = HeavyWork(maxRunning: 1, maxWaiting: 1)
        let gate = AsyncStream<Void>.makeStream()
        let holder = Task { try await tight.run("a") { for await _ in gate.stream { break } } }
        while await tight.load.running == 0 { try await Task.sleep(for: .milliseconds(5)) }
        let waiter = Task { try await tight.run("b") { 2 } }
        while await tight.load.waiting == 0 { try await Task.sleep(for: .milliseconds(5)) }
        await #expect(throws: HeavyWork.Busy.self) { try await tight.run("c") { 3 } }
        gate.continuation.yield()
        gate.continuation.finish()
        try await holder.value
        #expect(try await waiter.value == 2)
        let load = await tight.load
        #expect(load.running == 0 && load.waiting == 0)
    }

    @Test("a failing job releases its slot")
    func failureReleases() async throws {
        struct Boom: Error {}
        let heavy = HeavyWork(maxRunning: 1, maxWaiting: 0)
        await #expect(throws: Boom.self) { try await heavy.run("k") { throw Boom() } }
        #expect(try await heavy.run("k") { 7 } == 7)
    }
}

@Suite("ControlLoopTimes: the tick's recent timing")
struct ControlLoopTimesTests {
    @Test("percentiles over the newest window; the ring forgets the oldest")
    func window() throws {
        let times = ControlLoopTimes(capacity: 100)
        #expect(times.summary() == nil)
        for i in 1...100 { times.record(workMs: Double(i), lateMs: i == 100 ? 50 : 0) }
        let s = try #require(times.summary())
        #expect(s.window == 100 && s.ticks == 100)
        #expect(s.workP50Ms == 50 && s.workP99Ms == 99 && s.workMaxMs == 100)
        #expect(s.lateP99Ms == 0 && s.lateMaxMs == 50)
        // 100 more ticks of 1 ms replace every earlier one.
        for _ in 1...100 { times.record(workMs: 1, lateMs: .nan) }
        let t = try #require(times.summary())
        #expect(t.ticks == 200 && t.workMaxMs == 1 && t.lateMaxMs == 0)
        #expect(times.summary(lastN: 10)?.window == 10)
    }
}
