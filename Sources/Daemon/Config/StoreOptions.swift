import Foundation
import Store
import VPPCore

extension VPPConfig {
    /// The market time zone as a value (validated at load; Asia/Shanghai if somehow unknown).
    public var marketTimeZone: TimeZone {
        TimeZone(identifier: market.timeZone) ?? MarketDay.defaultTimeZone
    }

    /// Store options from `retention` and `market.timeZone`; `writeObserver` feeds the store-latency metric.
    public func storeOptions(
        writeObserver: (@Sendable (String, Store.Durability, Double, Bool) -> Void)? = nil
    ) -> Store.Options {
        Store.Options(
            marketTimeZone: marketTimeZone, rawSampleRetentionSeconds: retention.rawSampleDays * 86_400,
            setpointLogRetentionSeconds: retention.setpointLogDays * 86_400,
            telemetryRetentionSeconds: retention.telemetryDays.map { $0 * 86_400 },
            writeObserver: writeObserver)
    }
}
