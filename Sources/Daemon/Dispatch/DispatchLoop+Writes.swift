import DeviceIO
import DispatchControl
import Fleet
import Foundation
import Logging
import Store
import VPPCore

extension DispatchLoop {
    /// Outcome of one write: the plan entry and the receipt or the error.
    struct WriteOutcome: Sendable {
        var write: PlannedWrite
        var receipt: WriteReceipt?
        var error: String?
        var verifyFailed: Bool
    }

    /// Performs a write plan: each connection's batch in order on its own task (one connection serializes its
    /// requests anyway, DESIGN §3), connections in parallel, so a slow device delays only its neighbours on the
    /// same bus. Verified writes are confirmed to the cycle; every attempt goes to the setpoint log in one
    /// transaction, queued on the `RecordLane` so the cycle does not wait for the store's writer.
    func perform(
        _ plan: WritePlan, commands: [OperatorCommand], snapshots: [DeviceSnapshot], now: Date
    ) async -> (ok: Int, failed: Int) {
        guard !plan.batches.isEmpty else { return (0, 0) }
        let writer = self.writer
        let outcomes = await withTaskGroup(of: [WriteOutcome].self) { group in
            for (_, batch) in plan.batches {
                group.addTask {
                    var out: [WriteOutcome] = []
                    out.reserveCapacity(batch.count)
                    for w in batch {
                        do {
                            let r = try await writer.write(w)
                            out.append(WriteOutcome(write: w, receipt: r, error: nil, verifyFailed: false))
                        } catch {
                            var verify = false
                            if let e = error as? DeviceIOError, case .verifyMismatch = e { verify = true }
                            out.append(
                                WriteOutcome(write: w, receipt: nil, error: "\(error)", verifyFailed: verify))
                        }
                    }
                    return out
                }
            }
            var all: [WriteOutcome] = []
            for await o in group { all.append(contentsOf: o) }
            return all
        }
        let causes = Self.causes(commands: commands, snapshots: snapshots, now: now)
        var records: [SetpointRecord] = []
        records.reserveCapacity(outcomes.count)
        var ok = 0
        for o in outcomes {
            let w = o.write
            if let r = o.receipt {
                ok += 1
                core.confirm(w, at: r.at, reactionTimeMs: profiles[w.device]?.timing.reactionTimeMs ?? 2000)
                confirmed[w.device] = ConfirmedSetpoint(point: w.point, value: r.readBack, kW: w.kW, at: r.at)
                records.append(
                    SetpointRecord(
                        device: w.device, point: w.point.rawValue, value: w.value, written: true,
                        readBack: r.readBack, ok: true, commandID: causes[w.device], at: r.at))
            } else {
                logger.warning(
                    "dispatch: setpoint write failed",
                    metadata: [
                        "device": "\(w.device)", "point": "\(w.point.rawValue)", "value": "\(w.value)",
                        "error": "\(o.error ?? "?")",
                    ])
                records.append(
                    SetpointRecord(
                        device: w.device, point: w.point.rawValue, value: w.value, written: o.verifyFailed,
                        ok: false, error: o.error, commandID: causes[w.device], at: Date()))
            }
        }
        let store = self.store
        let log = records
        let queued = lane.submit { [self] in
            do {
                try await store.setpoints.append(log)
            } catch {
                await storeFailed("dispatch: cannot log setpoints", ["error": "\(error)"])
            }
        }
        if !queued { storeFailed("dispatch: setpoints not logged, the record queue is full", [:]) }
        return (ok, outcomes.count - ok)
    }

    /// Counts and logs a failed store write of the loop's own records.
    func storeFailed(_ message: Logger.Message, _ metadata: Logger.Metadata) {
        counters.storeErrors += 1
        logger.error(message, metadata: metadata)
    }

    /// Returns once the tracking and setpoint records made so far are written (`RecordLane`).
    public func flushRecords() async { await lane.flush() }

    /// The command each device's setpoint is attributed to in the log: the latest-starting command in force that
    /// covers the device (a device command, its site's or a fleet command), nil when only the schedule drives it.
    static func causes(commands: [OperatorCommand], snapshots: [DeviceSnapshot], now: Date) -> [DeviceID: CommandID] {
        guard !commands.isEmpty else { return [:] }
        let siteOf = Dictionary(
            snapshots.map { ($0.descriptor.id, $0.descriptor.site) }, uniquingKeysWith: { a, _ in a })
        let active = ActiveCommands(commands, now: now, siteOf: siteOf).commands
        guard !active.isEmpty else { return [:] }
        var out: [DeviceID: CommandID] = [:]
        for s in snapshots {
            if let c = active.last(where: { CommandLimits.applies($0.target, to: s.descriptor) }) {
                out[s.descriptor.id] = c.id
            }
        }
        return out
    }
}
