import Foundation
import Store
import Testing
import VPPCore

@testable import Daemon

/// The daemon opens its store with `VPPConfig.storeOptions`: every `retention` key and the market time zone
/// reach the store (the telemetry roll-up retention was once accepted by the loader and then dropped).
@Suite("Store options from the configuration")
struct StoreOptionsTests {
    @Test("retention days become store retention seconds; the market time zone keys the roll-ups")
    func retentionReachesTheStore() throws {
        let c = try VPPConfig.parse(
            yaml: """
                market: {profile: zhejiang, timeZone: Asia/Shanghai}
                retention: {rawSampleDays: 3, setpointLogDays: 30, telemetryDays: 400}
                sites: []
                """, baseDirectory: "/etc/vppd")
        let o = c.storeOptions()
        #expect(o.rawSampleRetentionSeconds == 3 * 86_400)
        #expect(o.setpointLogRetentionSeconds == 30 * 86_400)
        #expect(o.telemetryRetentionSeconds == TimeInterval(400 * 86_400))
        #expect(o.marketTimeZone.identifier == "Asia/Shanghai")
        #expect(
            try VPPConfig.parse(yaml: "sites: []\n", baseDirectory: "/etc/vppd").storeOptions()
                .telemetryRetentionSeconds == nil)
    }
}
