import Foundation
import Store
import VPPCore

extension VPPConfig {
    /// The market time zone as a value (validated at load; Asia/Shanghai if somehow unknown).
    public var marketTimeZone: TimeZone {
        TimeZone(identifier: market.timeZone) ?? MarketDay.defaultTimeZone
    }

    /// Store options from `retention` (raw samples, setpoint log, telemetry roll-ups) and `market.timeZone`;
    /// `changeObserver` is the dispatch loop's wake-up.
    public func storeOptions(changeObserver: (@Sendable (StoreChange) -> Void)? = nil) -> Store.Options {
        Store.Options(
            marketTimeZone: marketTimeZone, rawSampleRetentionSeconds: retention.rawSampleDays * 86_400,
            setpointLogRetentionSeconds: retention.setpointLogDays * 86_400,
            telemetryRetentionSeconds: retention.telemetryDays.map { $0 * 86_400 },
            changeObserver: changeObserver)
    }
}
