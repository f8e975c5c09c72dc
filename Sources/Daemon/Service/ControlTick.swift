import Foundation
import Logging
import ServiceLifecycle
import Store

/// The daemon's main periodic path: once per control period it brings command statuses in line with the clock
/// (`pending` → `active` → `completed`) and then kicks the systemd watchdog.
///
/// The kick comes after the tick's work on purpose (DESIGN §10): if the work hangs, the kicks stop and systemd
/// restarts the service after `WatchdogSec`. The dispatch loop, when it lands, runs from here too.
struct ControlTick: Service {
  let period: Duration
  let store: Store
  let notifier: ServiceNotifier
  let logger: Logger

  func run() async throws {
    if let watchdog = notifier.watchdogInterval, watchdog < period * 2 {
      logger.warning(
        "control period is longer than half the systemd watchdog interval; the watchdog may fire",
        metadata: [
          "periodMs":
            "\(period.components.seconds * 1000 + period.components.attoseconds / 1_000_000_000_000_000)"
        ])
    }
    while !Task.isCancelled {
      do {
        try await cancelWhenGracefulShutdown { try await Task.sleep(for: period) }
      } catch {
        return
      }
      if Task.isCancelled { return }
      await tick()
    }
  }

  func tick() async {
    do {
      let changed = try await store.commands.advance(now: Date())
      for c in changed {
        logger.info(
          "command status changed",
          metadata: ["command": "\(c.id)", "status": "\(c.status.rawValue)"])
      }
    } catch {
      logger.error("control tick: cannot advance commands", metadata: ["error": "\(error)"])
    }
    notifier.kickWatchdog()
  }
}
