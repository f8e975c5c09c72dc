import Foundation
import Store
import Synchronization

/// Wakes the control tick before its next period when something the dispatch loop reads has changed — a command
/// was created or cancelled, a schedule was stored — so an operator's command reaches the devices in one write
/// round-trip rather than up to a full control period later (issue 6: command → setpoints read back, p99
/// ≤ 300 ms). Signals coalesce: many signals before the next wait wake it once.
public final class DispatchWakeup: Sendable {
    private struct State {
        var pending = false
        var waiter: CheckedContinuation<Void, Never>?
        var scheduleSaves = 0
        var commandChanges = 0
    }
    private let state = Mutex(State())

    public init() {}

    /// Store operations after which the loop should look again (`Store.Options.writeObserver` names).
    public static let operations: Set<String> = [
        "command.create", "command.cancel", "command.transition", "schedule.save",
    ]

    /// Wakes the waiter now, or the next wait at once.
    public func signal() {
        let waiter = state.withLock { s -> CheckedContinuation<Void, Never>? in
            if let w = s.waiter {
                s.waiter = nil
                return w
            }
            s.pending = true
            return nil
        }
        waiter?.resume()
    }

    /// A store write observer that signals after committed writes of `operations`.
    public func storeObserver() -> @Sendable (String, Store.Durability, Double, Bool) -> Void {
        { [self] operation, _, _, committed in
            guard committed && Self.operations.contains(operation) else { return }
            state.withLock { s in
                if operation == "schedule.save" { s.scheduleSaves += 1 } else { s.commandChanges += 1 }
            }
            signal()
        }
    }

    /// How many schedules have been stored since start: the loop re-reads the schedule when this moves.
    public var scheduleSaves: Int { state.withLock { $0.scheduleSaves } }

    /// How many commands were created, cancelled or moved to another status by hand since start: the loop
    /// re-reads the open commands when this moves, and otherwise works from the ones it holds.
    public var commandChanges: Int { state.withLock { $0.commandChanges } }

    /// Waits until signalled or until `deadline`; returns true when signalled.
    @discardableResult
    public func wait(until deadline: ContinuousClock.Instant) async -> Bool {
        await withTaskGroup(of: Bool.self) { group in
            group.addTask {
                try? await Task.sleep(until: deadline, clock: ContinuousClock())
                return false
            }
            group.addTask { [self] in
                await waitForSignal()
                return !Task.isCancelled
            }
            let first = await group.next() ?? false
            group.cancelAll()
            return first
        }
    }

    private func waitForSignal() async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
                let now = state.withLock { s -> Bool in
                    if s.pending || Task.isCancelled {
                        s.pending = false
                        return true
                    }
                    s.waiter = c
                    return false
                }
                if now { c.resume() }
            }
        } onCancel: {
            let w = state.withLock { s -> CheckedContinuation<Void, Never>? in
                let w = s.waiter
                s.waiter = nil
                return w
            }
            w?.resume()
        }
    }
}
