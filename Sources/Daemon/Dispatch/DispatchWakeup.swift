import Foundation
import Store
import Synchronization
import VPPCore

/// Wakes the control tick before its next period when something the dispatch loop reads has changed — a command
/// was created, cancelled or moved to another status, a schedule was stored — so an operator's command reaches
/// the devices in one write round-trip rather than up to a full control period later (DESIGN §10). Signals
/// coalesce: many signals before the next wait wake it once.
///
/// It also carries the changed commands themselves, as the store committed them (`changeObserver()`), so the
/// loop keeps its open commands up to date without reading the store on the control path.
public final class DispatchWakeup: Sendable {
    private struct State {
        var pending = false
        var waiter: CheckedContinuation<Void, Never>?
        var scheduleSaves = 0
        var commandChanges: [OperatorCommand] = []
        /// More changes arrived than `maxBufferedCommandChanges` before the loop took them: it must re-read.
        var commandChangesLost = false
    }
    private let state = Mutex(State())

    public init() {}

    /// Changed commands held for the loop at most; past this (a loop that stopped taking them) they are dropped
    /// and the loop is told to re-read instead.
    public static let maxBufferedCommandChanges = 10_000

    /// What the loop learns about commands since it last asked.
    public enum CommandChanges: Sendable {
        /// These commands, as stored, in commit order.
        case changed([OperatorCommand])
        /// Too many to hold were dropped: read the open commands from the store.
        case reread
    }

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

    /// A store change observer (`Store.Options.changeObserver`): holds changed commands for the loop, counts
    /// stored schedules, and wakes the loop for either.
    public func changeObserver() -> @Sendable (StoreChange) -> Void {
        { [self] change in
            switch change {
            case .commands(let commands): hold(commands)
            case .scheduleSaved: state.withLock { $0.scheduleSaves += 1 }
            }
            signal()
        }
    }

    /// How many schedules have been stored since start: the loop re-reads the schedule when this moves.
    public var scheduleSaves: Int { state.withLock { $0.scheduleSaves } }

    private func hold(_ commands: [OperatorCommand]) {
        state.withLock { s in
            guard !s.commandChangesLost else { return }
            if s.commandChanges.count + commands.count > Self.maxBufferedCommandChanges {
                s.commandChanges = []
                s.commandChangesLost = true
            } else {
                s.commandChanges.append(contentsOf: commands)
            }
        }
    }

    /// Takes the command changes held since the last call.
    public func takeCommandChanges() -> CommandChanges {
        state.withLock { s in
            defer {
                s.commandChanges = []
                s.commandChangesLost = false
            }
            return s.commandChangesLost ? .reread : .changed(s.commandChanges)
        }
    }

    /// Waits until signalled or until `deadline`; returns true when signalled. `sleep` waits for the deadline
    /// and returns early when cancelled (the control tick passes `ControlExecutor.sleep(until:)`).
    @discardableResult
    public func wait(
        until deadline: ContinuousClock.Instant,
        sleep: @escaping @Sendable (ContinuousClock.Instant) async -> Void = { d in
            try? await Task.sleep(until: d, clock: ContinuousClock())
        }
    ) async -> Bool {
        await withTaskGroup(of: Bool.self) { group in
            group.addTask {
                await sleep(deadline)
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
