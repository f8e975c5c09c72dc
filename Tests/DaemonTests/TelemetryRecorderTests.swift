import DeviceIO
import Fleet
import Foundation
import Store
import Testing
import VPPCore

@testable import Daemon

@Suite("telemetry recorder: fleet readings into the 15-minute roll-ups")
struct TelemetryRecorderTests {
    let t0 = Date(timeIntervalSince1970: 1_795_428_000)  // 2026-11-22 08:00 Asia/Shanghai, an interval start

    func snapshot(_ id: String, powerKW: Double, soc: Double? = nil, at: Date) -> DeviceSnapshot {
        var s = DeviceSnapshot(
            descriptor: DeviceDescriptor(
                id: DeviceID(id), profile: "sunspec-storage", kind: .storage, site: SiteID("s"), owner: "o",
                ratedPowerKW: 100, ratedEnergyKWh: 200, address: .modbusTCP(host: "127.0.0.1", port: 1502, unit: 1)),
            staleAfterMs: 5000)
        s.values[.activePowerKW] = TimedValue(value: powerKW, at: at)
        if let soc { s.values[.socPercent] = TimedValue(value: soc, at: at) }
        s.lastSeen = at
        s.link = .up
        return s
    }

    @Test("a new reading is recorded once; energy is the last reading's power held until it, the gap capped")
    func samples() {
        var cursor = TelemetryRecorder.Cursor()
        let first = TelemetryRecorder.samples(
            from: [snapshot("a", powerKW: 40, soc: 55, at: t0), snapshot("b", powerKW: -20, at: t0)],
            cursor: &cursor, now: t0, maxGap: 30)
        #expect(first.map(\.device) == ["a", "b"])
        #expect(first.allSatisfy { $0.energyInKWh == 0 && $0.energyOutKWh == 0 })
        #expect(first[0].socPercent == 55)

        // 9 s later: a has a new reading (discharging 40 kW held for 9 s), b has none yet (same timestamp).
        let t1 = t0.addingTimeInterval(9)
        let second = TelemetryRecorder.samples(
            from: [snapshot("a", powerKW: 10, at: t1), snapshot("b", powerKW: -20, at: t0)],
            cursor: &cursor, now: t1, maxGap: 30)
        #expect(second.map(\.device) == ["a"])
        #expect(abs(second[0].energyOutKWh - 40 * 9 / 3600) < 1e-12)
        #expect(second[0].energyInKWh == 0)

        // b comes back after 120 s charging: only the capped 30 s count, as charge energy.
        let t2 = t0.addingTimeInterval(120)
        let third = TelemetryRecorder.samples(
            from: [snapshot("b", powerKW: -20, at: t2)], cursor: &cursor, now: t2, maxGap: 30)
        #expect(abs(third[0].energyInKWh - 20 * 30 / 3600) < 1e-12 && third[0].energyOutKWh == 0)

        // A stale device (last reading older than its staleAfter) is not a measurement of now.
        let stale = TelemetryRecorder.samples(
            from: [snapshot("c", powerKW: 5, at: t2)], cursor: &cursor, now: t2.addingTimeInterval(60), maxGap: 30)
        #expect(stale.isEmpty)
    }

    @Test("recorded samples land in their interval's roll-up: average power and energy")
    func rollups() async throws {
        let (store, dir) = try Store.temporary()
        defer { try? FileManager.default.removeItem(at: dir) }
        var cursor = TelemetryRecorder.Cursor()
        for (i, p) in [30.0, 50.0, 70.0].enumerated() {
            let at = t0.addingTimeInterval(Double(i) * 10)
            let batch = TelemetryRecorder.samples(
                from: [snapshot("a", powerKW: p, at: at)], cursor: &cursor, now: at, maxGap: 30)
            try await store.telemetry.record(batch)
        }
        let r = try await store.telemetry.rollups(device: "a", from: t0, to: t0.addingTimeInterval(900))
        #expect(r.count == 1)
        #expect(r.first?.sampleCount == 3)
        #expect(abs((r.first?.avgPowerKW ?? 0) - 50) < 1e-9)
        // 30 kW held for 10 s, then 50 kW for 10 s (the 70 kW reading holds from now on).
        #expect(abs((r.first?.energyOutKWh ?? 0) - (30.0 * 10 + 50.0 * 10) / 3600) < 1e-9)
    }
}
