import ServiceLifecycle
import UnixSignals

/// Waits for SIGHUP and reloads the daemon's configuration, one reload at a time, until graceful shutdown.
///
/// The signal sequence is created by the caller before the API starts listening, so that a SIGHUP sent as
/// soon as the daemon is ready is never met by the default action (which would terminate the process).
struct ReloadService: Service {
    let daemon: VPPDaemon
    let signals: UnixSignalsSequence

    func run() async throws {
        for await _ in signals.cancelOnGracefulShutdown() {
            daemon.logger.notice(
                "SIGHUP: reloading configuration", metadata: ["config": "\(daemon.configPath)"])
            await daemon.reload()
        }
    }
}
