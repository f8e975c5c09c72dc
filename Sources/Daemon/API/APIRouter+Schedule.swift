import Foundation
import Hummingbird
import Store
import VPPCore

extension APIRouter {
    static func addScheduleRoutes(_ routes: RoleRoutes, _ env: APIEnvironment) {
        @Sendable func schedule(_ dayText: String?, _ context: APIRequestContext) async throws -> Response {
            let store = try trackingStore(env)
            let tz = store.options.marketTimeZone
            let day = try marketDay(dayText, timeZone: tz)
            let stored: StoredSchedule?
            let tracked: [Int: IntervalTracking]
            do {
                stored = try await store.schedules.get(day: day)
                tracked = Dictionary(
                    try await store.tracking.list(day: day).map { ($0.interval.index, $0) },
                    uniquingKeysWith: { a, _ in a })
            } catch {
                throw error
            }
            let intervals: [ScheduleIntervalView] =
                stored.map { s in
                    zip(day.intervals(timeZone: tz), s.targetsKW).map { interval, target -> ScheduleIntervalView in
                        let t = tracked[interval.index]
                        return ScheduleIntervalView(
                            index: interval.index, start: interval.start(timeZone: tz),
                            end: interval.end(timeZone: tz), targetKW: target,
                            executedKW: t.map { $0.record.deliveredKWh / (MarketInterval.lengthSeconds / 3600) },
                            deviationMWh: t?.record.deviationMWh, withinTolerance: t?.record.withinTolerance)
                    }
                } ?? []
            return try APIResponses.json(
                ScheduleView(
                    day: day.description, version: stored?.version, source: stored?.source,
                    createdAt: stored?.createdAt, intervals: intervals))
        }
        routes.viewer.get("/v1/schedule") { request, context in
            try await schedule(request.uri.queryParameters.get("day"), context)
        }
        routes.viewer.get("/v1/schedule/{day}") { _, context in
            try await schedule(context.parameters.get("day"), context)
        }
    }

    /// The store behind the schedule and tracking routes; 503 while it is not open.
    static func trackingStore(_ env: APIEnvironment) throws -> Store {
        guard let service = env.commands else { throw APIError.unavailable("the store is not open") }
        return service.store
    }

    /// A market day from `YYYY-MM-DD` (today in the market time zone when absent); 400 naming the value.
    static func marketDay(_ text: String?, timeZone: TimeZone) throws -> MarketDay {
        guard let text = APIResponses.pathParameter(text) else {
            return MarketDay(containing: Date(), timeZone: timeZone)
        }
        guard let day = MarketDay(text) else { throw APIError.badRequest("day: '\(text)' is not a date YYYY-MM-DD") }
        return day
    }
}
