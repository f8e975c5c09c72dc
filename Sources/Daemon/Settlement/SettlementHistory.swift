import Foundation
import Market
import Store
import VPPCore

/// Metered history per device from the telemetry roll-ups: each interval's average power (kW, positive =
/// injection), one `MeteredDay` per market day with nil where a device has no roll-up.
struct SettlementHistory: Sendable {
    /// Device id → day → metered day.
    var days: [String: [MarketDay: MeteredDay]] = [:]
    /// Market time zone the days were cut in.
    var timeZone: TimeZone = MarketDay.defaultTimeZone

    /// Loads days `from`…`through` (inclusive) of every device.
    static func load(
        store: Store, devices: [DeviceID], from: MarketDay, through: MarketDay, timeZone: TimeZone
    ) async throws -> SettlementHistory {
        var out = SettlementHistory(timeZone: timeZone)
        for device in devices {
            let rollups = try await store.telemetry.rollups(
                device: device, from: from.start(timeZone: timeZone), to: through.end(timeZone: timeZone))
            var byDay: [MarketDay: MeteredDay] = [:]
            for r in rollups where r.sampleCount > 0 {
                byDay[r.interval.day, default: MeteredDay(day: r.interval.day, kW: Self.empty)].kW[
                    r.interval.index - 1] = r.avgPowerKW
            }
            out.days[device.rawValue] = byDay
        }
        return out
    }

    static let empty = [Double?](repeating: nil, count: MarketInterval.perDay)

    /// The device's day, all-nil when it has no data.
    func day(_ device: String, _ day: MarketDay) -> MeteredDay {
        days[device]?[day] ?? MeteredDay(day: day, kW: Self.empty)
    }

    /// Devices with at least one measured interval on `day` (the ones that took part).
    func participants(on day: MarketDay) -> [String] {
        days.filter { $0.value[day]?.kW.contains { $0 != nil } ?? false }.map(\.key).sorted()
    }

    /// The aggregate of `devices` per history day (an interval missing for one device is missing for the sum).
    func aggregate(_ devices: [String]) -> [MeteredDay] {
        let allDays = Set(devices.flatMap { days[$0]?.keys.map { $0 } ?? [] })
        return allDays.map { d in MeteredDay.sum(devices.map { day($0, d) }, day: d) }
    }
}
