import DispatchControl
import Foundation
import Logging
import Market
import VPPCore

extension DispatchLoop.Settings {
    /// The loop's settings from the daemon configuration: the control period, the sites' connection limits, the
    /// market's time zone and the deviation tolerance of the configured market profile.
    ///
    /// The tolerance comes from `market.profile` in `market.profilesDirectory`; when that profile cannot be
    /// loaded, from the `generic` profile there, and failing that 5 % — with a warning, because the tracking
    /// records then carry a tolerance nobody confirmed.
    static func from(_ config: VPPConfig, logger: Logger) -> DispatchLoop.Settings {
        var s = DispatchLoop.Settings(periodS: Double(config.control.periodMs) / 1000)
        s.gridMeter = config.control.gridMeter
        s.timeZone = TimeZone(identifier: config.market.timeZone) ?? MarketDay.defaultTimeZone
        for site in config.sites where site.connectionLimitKW > 0 {
            s.siteLimits[site.id] = PowerRange(lowerKW: -site.connectionLimitKW, upperKW: site.connectionLimitKW)
        }
        let dir = URL(fileURLWithPath: config.market.profilesDirectory, isDirectory: true)
        if let all = try? MarketProfileLoader.loadDirectory(dir),
            let p = all[config.market.profile] ?? all["generic"]
        {
            if p.id != config.market.profile {
                logger.warning(
                    "dispatch: market profile not found, using the generic deviation tolerance",
                    metadata: [
                        "profile": "\(config.market.profile)", "tolerancePercent": "\(p.deviationTolerancePercent)",
                    ])
            }
            s.tolerancePercent = p.deviationTolerancePercent
        } else {
            logger.warning(
                "dispatch: no market profiles readable, deviation tolerance defaults to 5 %",
                metadata: ["directory": "\(dir.path)"])
        }
        return s
    }
}
