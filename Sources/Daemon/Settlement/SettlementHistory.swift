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

    /// Loads days `from`…`through` (inclusive) of `devices` (others in the store are ignored).
    static func load(
        store: Store, devices: [DeviceID], from: MarketDay, through: MarketDay, timeZone: TimeZone
    ) async throws -> SettlementHistory {
        let all = try await store.telemetry.averagePowerKW(
            from: from.start(timeZone: timeZone), to: through.end(timeZone: timeZone))
        var out = SettlementHistory(timeZone: timeZone)
        for device in devices {
            out.days[device.rawValue] = (all[device] ?? [:]).reduce(into: [:]) {
                $0[$1.key] = MeteredDay(day: $1.key, kW: $1.value)
            }
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
