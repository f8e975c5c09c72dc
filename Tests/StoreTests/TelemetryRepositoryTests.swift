import Foundation
import Synchronization
import Testing
import VPPCore

@testable import Store

@Suite("Telemetry roll-ups and raw samples")
struct TelemetryRepositoryTests {
    @Test("samples accumulate into one roll-up per device per 15-minute interval")
    func accumulates() async throws {
        try await withTemporaryStore { store, _ in
            // testNow is 18:00 Shanghai: interval 73 of 2026-11-23.
            let powers: [Double] = [10, -4, 7, 3]
            var samples: [TelemetrySample] = []
            for (i, p) in powers.enumerated() {
                samples.append(
                    TelemetrySample(
                        device: "bat-1", at: testNow.addingTimeInterval(Double(i) * 60), powerKW: p,
                        socPercent: 50 + Double(i), energyInKWh: p < 0 ? -p / 60 : 0,
                        energyOutKWh: p > 0 ? p / 60 : 0))
            }
            // Two batches: the upsert must add, not overwrite.
            try await store.telemetry.record(Array(samples[0..<2]))
            try await store.telemetry.record(Array(samples[2...]))
            // One sample in the next interval and one of another device.
            try await store.telemetry.record([
                TelemetrySample(device: "bat-1", at: testNow.addingTimeInterval(900), powerKW: 1),
                TelemetrySample(device: "pv-1", at: testNow, powerKW: 99),
            ])
            let rollups = try await store.telemetry.rollups(
                device: "bat-1", from: testNow, to: testNow.addingTimeInterval(1800))
            #expect(rollups.count == 2)
            let r = try #require(rollups.first)
            #expect(
                r.interval == MarketInterval(day: MarketDay(year: 2026, month: 11, day: 23)!, index: 73))
            #expect(r.intervalStart == testNow)
            #expect(r.sampleCount == 4)
            #expect(abs(r.avgPowerKW - powers.reduce(0, +) / 4) < 1e-9)
            #expect(r.minPowerKW == -4 && r.maxPowerKW == 10)
            #expect(abs(r.energyOutKWh - 20.0 / 60) < 1e-9)
            #expect(abs(r.energyInKWh - 4.0 / 60) < 1e-9)
            #expect(r.lastSocPercent == 53)
            #expect(rollups[1].lastSocPercent == nil)
            let all = try await store.telemetry.rollups(interval: r.interval)
            #expect(all.map(\.device) == ["bat-1", "pv-1"])
        }
    }

    @Test("an older sample arriving late does not overwrite the last SOC")
    func lateSample() async throws {
        try await withTemporaryStore { store, _ in
            try await store.telemetry.record([
                TelemetrySample(
                    device: "b", at: testNow.addingTimeInterval(100), powerKW: 0, socPercent: 60)
            ])
            try await store.telemetry.record([
                TelemetrySample(device: "b", at: testNow.addingTimeInterval(10), powerKW: 0, socPercent: 40)
            ])
            let r = try await store.telemetry.rollups(
                device: "b", from: testNow, to: testNow.addingTimeInterval(900))
            #expect(r.first?.lastSocPercent == 60)
            #expect(r.first?.lastSampleAt == testNow.addingTimeInterval(100))
        }
    }

    @Test("non-finite samples are skipped, never stored")
    func nonFinite() async throws {
        try await withTemporaryStore { store, _ in
            let n = try await store.telemetry.record([
                TelemetrySample(device: "b", at: testNow, powerKW: .nan),
                TelemetrySample(device: "b", at: testNow, powerKW: 1, socPercent: .infinity),
                TelemetrySample(device: "b", at: testNow, powerKW: 2),
            ])
            #expect(n == 1)
            let r = try await store.telemetry.rollups(
                device: "b", from: testNow, to: testNow.addingTimeInterval(900))
            #expect(r.first?.sampleCount == 1)
        }
    }

    @Test("raw samples and setpoint log are pruned after their retention, roll-ups are kept")
    func retention() async throws {
        let options = Store.Options(rawSampleRetentionSeconds: 3600, setpointLogRetentionSeconds: 7200)
        try await withTemporaryStore(options: options) { store, _ in
            var raw: [RawSample] = []
            for h in 0..<5 {
                raw.append(
                    RawSample(
                        device: "d", point: "activePowerKW", value: Double(h),
                        at: testNow.addingTimeInterval(Double(h) * 1800)))
            }
            try await store.rawSamples.append(raw)
            try await store.setpoints.append([
                SetpointRecord(
                    device: "d", point: "activePowerLimitPercent", value: 50, written: true, readBack: 50,
                    ok: true, at: testNow),
                SetpointRecord(
                    device: "d", point: "activePowerLimitPercent", value: 60, written: true, readBack: 60,
                    ok: true, at: testNow.addingTimeInterval(7000)),
            ])
            try await store.telemetry.record([TelemetrySample(device: "d", at: testNow, powerKW: 1)])
            let now = testNow.addingTimeInterval(2 * 3600 + 1)  // raw cut-off: testNow+3601 s; setpoint cut-off: testNow+1 s
            let deleted = try await store.pruneRetention(now: now)
            #expect(deleted == 3 + 1)
            let left = try await store.rawSamples.samples(
                device: "d", from: testNow, to: now.addingTimeInterval(3600))
            #expect(left.map(\.value) == [3, 4])
            #expect(try await store.setpoints.list(device: "d").map(\.value) == [60])
            #expect(try await store.telemetry.rollups(device: "d", from: testNow, to: now).count == 1)
        }
    }

    @Test("setpoint records read back with their verification, newest first")
    func setpoints() async throws {
        try await withTemporaryStore { store, _ in
            let cid = CommandID.random()
            try await store.setpoints.append([
                SetpointRecord(
                    device: "pv-1", point: "activePowerLimitPercent", value: 30, written: true, readBack: 30,
                    ok: true, commandID: cid, at: testNow),
                SetpointRecord(
                    device: "pv-1", point: "activePowerLimitPercent", value: 20, written: false, ok: false,
                    error: "timeout", at: testNow.addingTimeInterval(1)),
                SetpointRecord(
                    device: "pv-2", point: "activePowerLimitPercent", value: .nan, written: false, ok: true,
                    at: testNow),
            ])
            let pv1 = try await store.setpoints.list(device: "pv-1")
            #expect(pv1.map(\.value) == [20, 30])
            #expect(pv1[0].error == "timeout" && !pv1[0].ok && !pv1[0].written)
            #expect(pv1[1].readBack == 30 && pv1[1].commandID == cid)
            let pv2 = try await store.setpoints.list(device: "pv-2")
            #expect(pv2.first?.ok == false)  // a non-finite value is never "ok"
        }
    }
}

@Suite("Store options")
struct StoreOptionsTests {
    @Test("telemetry roll-ups are pruned only when a telemetry retention is set")
    func telemetryRetention() async throws {
        try await withTemporaryStore(options: Store.Options(telemetryRetentionSeconds: 86_400)) {
            store, _ in
            try await store.telemetry.record([
                TelemetrySample(device: "d", at: testNow, powerKW: 1),
                TelemetrySample(device: "d", at: testNow.addingTimeInterval(2 * 86_400), powerKW: 2),
            ])
            try await store.pruneRetention(now: testNow.addingTimeInterval(2 * 86_400 + 60))
            let left = try await store.telemetry.rollups(
                device: "d", from: testNow.addingTimeInterval(-86_400),
                to: testNow.addingTimeInterval(3 * 86_400))
            #expect(left.map(\.maxPowerKW) == [2])
        }
    }

    @Test("the write observer sees every write with its durability class and outcome")
    func writeObserver() async throws {
        let seen = WriteLog()
        let options = Store.Options(writeObserver: { op, durability, seconds, ok in
            seen.add("\(op) \(durability == .durable ? "durable" : "bulk") \(ok) \(seconds >= 0)")
        })
        try await withTemporaryStore(options: options) { store, _ in
            let c = makeCommand()
            try await store.commands.create(c)
            try await store.telemetry.record([TelemetrySample(device: "d", at: testNow, powerKW: 1)])
            _ = try? await store.commands.create(c)  // duplicate: rolled back
        }
        #expect(
            seen.lines == [
                "command.create durable true true", "telemetry.record bulk true true",
                "command.create durable false true",
            ])
    }
}

final class WriteLog: Sendable {
    private let storage = Mutex<[String]>([])
    func add(_ s: String) { storage.withLock { $0.append(s) } }
    var lines: [String] { storage.withLock { $0 } }
}
