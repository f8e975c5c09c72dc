import Foundation
import Market
import VPPCore

/// Fixtures and small builders shared by the DR tests.
enum DRFixtures {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let directory = root.appendingPathComponent("Tests/Fixtures/dr")

    static func data(_ name: String) throws -> Data { try Data(contentsOf: directory.appendingPathComponent(name)) }

    static let day = MarketDay(year: 2026, month: 7, day: 14)!
    /// 2026-07-12 09:00 Asia/Shanghai: before the fixtures' deadline.
    static let beforeDeadline = day.adding(days: -2).start().addingTimeInterval(9 * 3600)

    static func invitation(
        id: String = "ev-1", direction: DRProduct.Direction = .peakShaving, pricing: DRPricing = .cap(yuanPerMWh: 1200),
        requested: [Int: Double] = [73: 2, 74: 2, 75: 1.5, 76: 1.5]
    ) -> DRInvitation {
        DRInvitation(
            id: id, product: DRProduct(direction: direction, timing: .dayAhead), day: day,
            intervals: requested.keys.sorted().map { DRInvitation.Interval(index: $0, requestedMW: requested[$0]!) },
            pricing: pricing, deadline: day.adding(days: -2).start().addingTimeInterval(10 * 3600))
    }

    /// A battery resource with an idle baseline all day, kW / kWh.
    static func battery(
        _ id: String, powerKW: Double, energyKWh: Double, socPercent: Double, min: Double = 10, max: Double = 95
    ) -> DRResource {
        DRResource(
            id: DeviceID(id), owner: OwnerID("o-\(id)"), kind: .storage,
            baselineKW: Array(repeating: 0, count: 96), maxKW: Array(repeating: powerKW, count: 96),
            minKW: Array(repeating: -powerKW, count: 96),
            energy: .init(
                storedKWh: energyKWh * socPercent / 100, minKWh: energyKWh * min / 100, maxKWh: energyKWh * max / 100))
    }
}
