import Foundation
import Hummingbird
import Store
import VPPCore

/// Real-time dispatch at the API: grid instructions from a dispatch centre (operator role) and the tracking
/// records of cleared vs. executed energy (viewer role).
extension APIRouter {
    static func addDispatchRoutes(_ routes: RoleRoutes, _ env: APIEnvironment) {
        routes.operator.post("/v1/grid-instructions") { request, context in
            let principal = try context.caller()
            let body = try await APIResponses.decodeBody(
                GridInstructionRequest.self, from: request, limit: env.maxBodyBytes,
                schema: "GridInstructionRequest")
            // As the document says (maxLength counts Unicode scalars, JSON Schema's way).
            if let reference = body.reference, reference.unicodeScalars.count > GridInstructionRequest.maxReference {
                throw APIError(
                    .unprocessableContent, "invalid_command",
                    "reference: longer than \(GridInstructionRequest.maxReference) characters")
            }
            guard let service = env.commands else { throw APIError.unavailable("the store is not open") }
            let receipt = try await service.create(
                body.commandRequest, by: principal, from: context.remoteAddress)
            return try created(receipt)
        }
        routes.viewer.get("/v1/tracking/{day}") { request, context in
            let store = try trackingStore(env)
            let tz = store.options.marketTimeZone
            let day = try marketDay(context.parameters.get("day"), timeZone: tz)
            let interval = try intParameter(
                request.uri.queryParameters, "interval", range: 1...MarketInterval.perDay)
            let rows: [IntervalTracking]
            do {
                rows = try await store.tracking.list(day: day, interval: interval)
            } catch {
                throw error
            }
            let views = rows.map { TrackingIntervalView($0, timeZone: tz, withContributions: interval != nil) }
            return try APIResponses.json(
                TrackingDayView(day: day.description, intervals: views, totals: TrackingTotalsView(views)))
        }
    }
}
