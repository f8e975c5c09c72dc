import DeviceIO
import Fleet
import Foundation
import Logging
import Store
import Testing
import VPPCore

@testable import Daemon

/// The dispatch loop with the daemon's wake-up: it holds its open commands from the store's committed changes,
/// and re-reads commands and the schedule in the background as a backstop, so writes that bypass the observer
/// (another store handle on the same database) still arrive.
@Suite("Dispatch loop: commands and schedule from the store's changes", .serialized)
struct DispatchLoopChangesTests {
    func command(_ id: String, status: CommandStatus = .active) -> OperatorCommand {
        let now = Date()
        return OperatorCommand(
            id: CommandID(id), kind: .curtailPV, target: .fleet, magnitude: .init(value: 50, unit: .percent),
            start: now.addingTimeInterval(-1), end: now.addingTimeInterval(600), author: "op", reason: "test",
            status: status, createdAt: now)
    }

    /// Runs cycles (at most `cycles`, 50 ms apart) until `done` holds for the loop's status.
    func cycle(_ loop: DispatchLoop, cycles: Int = 100, until done: (DispatchStatus) -> Bool) async throws -> Bool {
        for _ in 0..<cycles {
            await loop.cycle()
            if done(await loop.status()) { return true }
            try await Task.sleep(for: .milliseconds(50))
        }
        return false
    }

    @Test("observed writes reach the next cycle; writes past the observer arrive with the background re-reads")
    func changesAndBackstop() async throws {
        let wakeup = DispatchWakeup()
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("loop-changes-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let store = try Store(
            directory: dir,
            options: Store.Options(changeObserver: wakeup.changeObserver()))
        // A second handle on the same database: its writes are not observed.
        let bypass = try Store(directory: dir)
        var quiet = Logger(label: "loop-changes-test")
        quiet.logLevel = .critical
        let loop = DispatchLoop(
            store: store, fleet: FleetState(devices: []), catalog: ProfileCatalog(),
            writer: SetpointWriter { w in throw DeviceIOError.unknownDevice(w.device) },
            settings: DispatchLoop.Settings(periodS: 0.05, scheduleRefreshS: 0.3, commandRefreshS: 0.3),
            changes: wakeup, logger: quiet)

        await loop.cycle()
        #expect(await loop.status().commandsInForce.isEmpty)
        // Observed: in force on the very next cycle, and gone on the one after its cancellation.
        try await store.commands.create(command("seen"))
        await loop.cycle()
        #expect(await loop.status().commandsInForce == ["seen"])
        try await store.commands.cancel("seen", by: "op", reason: "test", at: Date())
        await loop.cycle()
        #expect(await loop.status().commandsInForce.isEmpty)

        // Not observed: the backstop re-read finds it within a few refresh periods.
        try await bypass.commands.create(command("unseen"))
        #expect(try await cycle(loop) { $0.commandsInForce == ["unseen"] })
        // An observed change while re-reads keep running is not undone by them.
        try await store.commands.cancel("unseen", by: "op", reason: "test", at: Date())
        await loop.cycle()
        #expect(await loop.status().commandsInForce.isEmpty)
        for _ in 0..<12 {
            await loop.cycle()
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(await loop.status().commandsInForce.isEmpty)

        // A schedule stored past the observer arrives with the periodic background re-read.
        let day = MarketDay(containing: Date())
        #expect(await loop.status().scheduleVersion == nil)
        let version = try await bypass.schedules.save(
            day: day, targetsKW: Array(repeating: 1, count: 96), source: "test", at: Date())
        #expect(try await cycle(loop) { $0.scheduleVersion == version })
        // One stored through the observed handle is read before the next cycle goes on.
        let next = try await store.schedules.save(
            day: day, targetsKW: Array(repeating: 2, count: 96), source: "test", at: Date())
        await loop.cycle()
        #expect(await loop.status().scheduleVersion == next)

        await loop.flushRecords()
        try await bypass.close()
        try await store.close()
    }
}
