import ServiceLifecycle
import UnixSignals

/// Waits for SIGHUP and reloads the daemon's configuration, one reload at a time, until graceful shutdown.
struct ReloadService: Service {
  let daemon: VPPDaemon

  func run() async throws {
    let signals = await UnixSignalsSequence(trapping: .sighup)
    for await _ in signals.cancelOnGracefulShutdown() {
      daemon.logger.notice(
        "SIGHUP: reloading configuration", metadata: ["config": "\(daemon.configPath)"])
      await daemon.reload()
    }
  }
}
