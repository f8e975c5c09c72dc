import Foundation

/// One 15-minute interval of a schedule: index 0…95 within the market day, its window, the fleet target.
public struct ScheduleIntervalView: Codable, Sendable, Hashable {
    public var index: Int
    public var start: Date
    public var end: Date
    /// Fleet target, kW, positive = injection.
    public var targetKW: Double
}

/// `GET /v1/schedule?day=YYYY-MM-DD`: the latest stored schedule of a market day; `intervals` is empty when
/// there is none.
public struct ScheduleView: Codable, Sendable, Hashable {
    public var day: String
    public var version: Int?
    public var source: String?
    public var createdAt: Date?
    public var intervals: [ScheduleIntervalView]
}
