import Foundation
import Hummingbird
import Market
import VPPCore

extension APIRouter {
    /// The DR routes (issue 7): `POST /v1/dr/invitations` (trader; the invitation document, JSON or CSV),
    /// `GET /v1/dr/events` (viewer; `?day=`, `?status=`), `GET /v1/dr/events/{id}` (viewer),
    /// `POST /v1/dr/events/{id}/offer` (trader; estimates, stores and writes the offer to the outbox),
    /// `POST /v1/dr/events/{id}/award` (trader; the award document), `POST /v1/dr/events/{id}/cancel` (trader).
    /// Every accepted document is stored before the reply; 422 names the field or interval at fault, 409 a
    /// workflow conflict (e.g. an offer after the deadline).
    static func addDemandResponseRoutes(_ routes: RoleRoutes, _ env: APIEnvironment) {
        @Sendable func service() throws -> DemandResponseService {
            guard let s = env.demandResponse else { throw APIError.unavailable("demand response is not wired") }
            return s
        }
        @Sendable func actor(_ p: Principal, _ context: APIRequestContext) -> DemandResponseService.Actor {
            .init(name: p.name, role: p.role.rawValue, source: context.remoteAddress)
        }
        routes.trader.post("/v1/dr/invitations") { request, context in
            let p = try context.caller()
            let body = try await rawBody(request, limit: env.maxBodyBytes, schema: "DRInvitationDocument")
            let event = try await service().receiveInvitation(body, by: actor(p, context))
            var response = try APIResponses.json(event, status: .created)
            response.headers[.location] = "/v1/dr/events/\(event.id)"
            return response
        }
        routes.viewer.get("/v1/dr/events") { request, context in
            let q = request.uri.queryParameters
            var day: MarketDay?
            if let text = q.get("day") {
                guard let d = MarketDay(text) else { throw APIError.badRequest("day: '\(text)' is not YYYY-MM-DD") }
                day = d
            }
            var status: DRStatus?
            if let text = q.get("status") {
                guard let s = DRStatus(rawValue: text) else {
                    throw APIError.badRequest(
                        "status: unknown '\(text)' (one of \(DRStatus.allCases.map(\.rawValue).joined(separator: ", ")))"
                    )
                }
                status = s
            }
            let events = try await service().events(day: day, status: status)
            return try APIResponses.json(DREventListView(count: events.count, events: events.map(DREventSummary.init)))
        }
        routes.viewer.get("/v1/dr/events/{id}") { _, context in
            let id = try APIResponses.checkedID(context.parameters.get("id"), what: "DR event")
            guard let event = try await service().event(id) else {
                throw APIError.notFound("DR event '\(id)' not found")
            }
            return try APIResponses.json(event)
        }
        routes.trader.post("/v1/dr/events/{id}/offer") { _, context in
            let p = try context.caller()
            let id = try APIResponses.checkedID(context.parameters.get("id"), what: "DR event")
            let (offer, files) = try await service().makeOffer(eventID: id, by: actor(p, context))
            return try APIResponses.json(DROfferReceipt(offer: offer, files: files), status: .created)
        }
        routes.trader.post("/v1/dr/events/{id}/award") { request, context in
            let p = try context.caller()
            let id = try APIResponses.checkedID(context.parameters.get("id"), what: "DR event")
            let body = try await rawBody(request, limit: env.maxBodyBytes, schema: "DRAwardDocument")
            return try APIResponses.json(try await service().receiveAward(body, eventID: id, by: actor(p, context)))
        }
        routes.trader.post("/v1/dr/events/{id}/cancel") { request, context in
            let p = try context.caller()
            let id = try APIResponses.checkedID(context.parameters.get("id"), what: "DR event")
            let body = try await APIResponses.decodeBody(
                DRCancelRequest.self, from: request, limit: env.maxBodyBytes, allowEmpty: true,
                schema: "DRCancelRequest")
            let c = DRCancellation(eventID: id, at: body.at ?? Date(), reason: body.reason)
            return try APIResponses.json(try await service().receiveCancellation(c, by: actor(p, context)))
        }
    }

    /// The request body as bytes, at most `limit` (413 beyond), not empty (400 with `empty`). A JSON body (not
    /// CSV) is checked against the OpenAPI request schema `schema` (`JSONStrictness`).
    static func rawBody(
        _ request: Request, limit: Int, schema: String, empty: String = "request body is empty"
    ) async throws -> Data {
        if let length = request.headers[.contentLength].flatMap(Int.init), length > limit {
            throw APIError.tooLarge(limit: limit)
        }
        var request = request
        let buffer: ByteBuffer
        do {
            buffer = try await request.collectBody(upTo: limit)
        } catch let error as HTTPError where error.status == .contentTooLarge {
            throw APIError.tooLarge(limit: limit)
        }
        guard buffer.readableBytes > 0 else { throw APIError.badRequest(empty) }
        let data = Data(buffer: buffer)
        // JSON documents (not CSV) get the same strictness as decoded bodies.
        if data.first(where: { ![0x20, 0x09, 0x0A, 0x0D].contains($0) }) == UInt8(ascii: "{") {
            try JSONStrictness.check(data, schema: schema)
        }
        return data
    }
}
