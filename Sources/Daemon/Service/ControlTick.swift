import CoreMetrics
import DeviceIO
import Fleet
import Foundation
import Logging
import ServiceLifecycle
import Store
import Synchronization

/// The daemon's main periodic path: once per control period it runs the dispatch loop's cycle, brings command
/// statuses in line with the clock (`pending` → `active` → `completed`) and then kicks the systemd watchdog; every
/// `statusEvery` it also updates the `STATUS=` line `systemctl status` shows.
///
/// The kick comes after the tick's work on purpose (DESIGN §10): if the work hangs, the kicks stop and systemd
/// restarts the service after `WatchdogSec` — the watchdog is kicked by the control loop itself.
/// Ticks are scheduled on absolute deadlines (no drift); a tick that overran starts the next one a full period
/// later rather than bunching up. A `wakeup` signal (a command created or cancelled, a schedule stored) starts a
/// tick at once, and the next one a full period after it.
public struct ControlTick: Service {
    let period: Duration
    let store: Store
    let notifier: ServiceNotifier
    let logger: Logger
    /// How often the status line is sent.
    var statusEvery: Duration = .seconds(10)
    /// The status line, e.g. fleet health and open commands; nil sends none.
    var statusLine: @Sendable () async -> String? = { nil }
    /// The dispatch loop, run once per tick (before the command statuses are advanced).
    var dispatch: DispatchLoop?
    /// Starts a tick early when signalled.
    var wakeup: DispatchWakeup?
    /// Where each tick's work time and lateness are recorded (`GET /v1/status` → `controlLoop`).
    var times: ControlLoopTimes?
    /// The fleet whose health transitions are logged once per tick (nil: none logged).
    var fleet: FleetState?
    private let statusInFlight = InFlightFlag()

    /// The daemon's tick; `vppbench dispatch` runs one beside an in-process fleet the same way.
    public init(
        period: Duration, store: Store, notifier: ServiceNotifier, logger: Logger, statusEvery: Duration = .seconds(10),
        statusLine: @escaping @Sendable () async -> String? = { nil }, dispatch: DispatchLoop? = nil,
        wakeup: DispatchWakeup? = nil
    ) {
        self.period = period
        self.store = store
        self.notifier = notifier
        self.logger = logger
        self.statusEvery = statusEvery
        self.statusLine = statusLine
        self.dispatch = dispatch
        self.wakeup = wakeup
    }

    public func run() async throws {
        // The tick's own code between awaits runs on the control path's thread too (see `ControlExecutor`).
        try await withTaskExecutorPreference(ControlExecutor.shared) {
            // The loop's tracking and setpoint records are written before the service ends and the store closes.
            do {
                try await loop()
            } catch {
                await dispatch?.flushRecords()
                throw error
            }
            await dispatch?.flushRecords()
        }
    }

    private func loop() async throws {
        if let watchdog = notifier.watchdogInterval, watchdog < period * 2 {
            logger.warning(
                "control period is longer than half the systemd watchdog interval; the watchdog may fire",
                metadata: ["period": "\(period)", "watchdog": "\(watchdog)"])
        }
        let priority = ControlExecutor.shared.priority
        let priorityText = priority.map { "\($0)" } ?? "starting"
        if case .raised = priority {
            logger.info("control thread priority raised", metadata: ["priority": "\(priorityText)"])
        } else {
            logger.warning(
                "control thread runs at normal priority: an API flood can slow the control loop",
                metadata: ["priority": "\(priorityText)"])
        }
        let clock = ContinuousClock()
        var next = clock.now + period
        var nextStatus = clock.now + statusEvery
        var health = HealthTransitions()
        while !Task.isCancelled {
            let woken: Bool
            do {
                let deadline = next
                let wakeup = self.wakeup
                woken = try await cancelWhenGracefulShutdown {
                    // The control thread's own timer (`ControlExecutor.sleep(until:)`), not the runtime's.
                    let executor = ControlExecutor.shared
                    if let wakeup {
                        let signalled = await wakeup.wait(until: deadline, sleep: { await executor.sleep(until: $0) })
                        try Task.checkCancellation()
                        return signalled
                    }
                    await executor.sleep(until: deadline)
                    try Task.checkCancellation()
                    return false
                }
            } catch {
                return
            }
            if Task.isCancelled { return }
            let started = clock.now
            let lateMs = woken ? 0 : max(.zero, started - next).milliseconds
            await tick()
            let workMs = (clock.now - started).milliseconds
            times?.record(workMs: workMs, lateMs: lateMs)
            Timer(label: MetricNames.controlTickWork).recordNanoseconds(Int64(workMs * 1e6))
            Timer(label: MetricNames.controlTickLateness).recordNanoseconds(Int64(lateMs * 1e6))
            if let fleet { health.observe(fleet.healthAll(), logger: logger) }
            if clock.now >= nextStatus {
                // Composed off the tick: it reads the store, which an API flood keeps busy, and the next tick
                // would start late by that read. One line at a time; a slow one is not queued behind.
                if statusInFlight.begin() {
                    let line = statusLine
                    let notifier = notifier
                    let inFlight = statusInFlight
                    Task {
                        if let l = await line() { notifier.notify("STATUS=\(l)") }
                        inFlight.end()
                    }
                }
                nextStatus = clock.now + statusEvery
            }
            next = woken ? clock.now + period : max(next + period, clock.now)
        }
    }

    func tick() async {
        // The cycle first: a command that woke the tick reaches the devices before the status bookkeeping.
        if let dispatch { await dispatch.cycle() }
        let now = Date()
        // Without a loop holding the open commands, every tick asks the store.
        if await dispatch?.commandStatusChangeDue(at: now) ?? true {
            do {
                let changed = try await store.commands.advance(now: now)
                for c in changed {
                    logger.info(
                        "command status changed",
                        metadata: ["command": "\(c.id)", "status": "\(c.status.rawValue)"])
                }
            } catch {
                logger.error("control tick: cannot advance commands", metadata: ["error": "\(error)"])
            }
        }
        notifier.kickWatchdog()
    }
}

/// Whether a background job of the tick (the status line) is still running.
final class InFlightFlag: Sendable {
    private let running = Mutex(false)

    /// True when none was running; it is now.
    func begin() -> Bool {
        running.withLock { r in
            if r { return false }
            r = true
            return true
        }
    }

    func end() { running.withLock { $0 = false } }
}
