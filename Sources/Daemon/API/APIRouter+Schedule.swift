import Foundation
import Hummingbird
import VPPCore

extension APIRouter {
    static func addScheduleRoutes(_ router: Router<APIRequestContext>, _ env: APIEnvironment) {
        router.get("/v1/schedule") { request, context in
            _ = try context.require(.viewer)
            let day: MarketDay
            if let text = request.uri.queryParameters.get("day") {
                guard let d = MarketDay(text) else {
                    throw APIError.badRequest("day: '\(text)' is not a date YYYY-MM-DD")
                }
                day = d
            } else {
                day = MarketDay(containing: Date())
            }
            guard let service = env.commands else { throw APIError.unavailable("the store is not open") }
            let stored: StoredScheduleValue?
            do {
                stored = try await service.store.schedules.get(day: day).map {
                    StoredScheduleValue(
                        version: $0.version, source: $0.source, createdAt: $0.createdAt, targetsKW: $0.targetsKW
                    )
                }
            } catch {
                throw CommandService.apiError(error)
            }
            let intervals =
                stored.map { s in
                    zip(day.intervals(), s.targetsKW).map { interval, target in
                        ScheduleIntervalView(
                            index: interval.index, start: interval.start(), end: interval.end(), targetKW: target)
                    }
                } ?? []
            return try APIResponses.json(
                ScheduleView(
                    day: day.description, version: stored?.version, source: stored?.source,
                    createdAt: stored?.createdAt,
                    intervals: intervals))
        }
    }

    /// The parts of a stored schedule the view needs.
    struct StoredScheduleValue: Sendable {
        var version: Int
        var source: String
        var createdAt: Date
        var targetsKW: [Double]
    }
}
