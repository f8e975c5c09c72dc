import Foundation
import Synchronization

/// The daemon's own state as the API reports it: version, start time, readiness, the configuration in force
/// and the outcome of the last reload. Written by the service, read by `/v1/status` and `/v1/ready`.
public final class DaemonStatus: Sendable {
    public let version: String
    public let startedAt: Date
    /// The control tick's recent timing (see `ControlLoopTimes`).
    public let loopTimes = ControlLoopTimes()
    private struct Mutable {
        var ready = false
        var config: ConfigSummaryView
        var lastReload: ReloadView?
    }
    private let state: Mutex<Mutable>

    public init(
        version: String = VPPVersion.current, startedAt: Date = Date(), config: ConfigSummaryView
    ) {
        self.version = version
        self.startedAt = startedAt
        self.state = Mutex(Mutable(config: config))
    }

    public var ready: Bool { state.withLock { $0.ready } }
    public var config: ConfigSummaryView { state.withLock { $0.config } }
    public var lastReload: ReloadView? { state.withLock { $0.lastReload } }

    public func setReady(_ ready: Bool) { state.withLock { $0.ready = ready } }
    public func setConfig(_ config: ConfigSummaryView) { state.withLock { $0.config = config } }
    public func recordReload(_ reload: ReloadView) { state.withLock { $0.lastReload = reload } }
}

/// The version string of this build.
public enum VPPVersion {
    public static let current = "0.1.0"
}
