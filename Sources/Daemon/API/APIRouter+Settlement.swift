import Foundation
import Hummingbird
import Market
import VPPCore

/// Settlement routes (issue 7 §5):
/// | route | role |
/// |---|---|
/// | `POST /v1/settlement/{day}` — settle the day now (body optional: `{"atypicalDays": ["YYYY-MM-DD", …]}`) | trader |
/// | `GET /v1/settlement/{day}` — the latest stored settlement of the day | viewer |
/// | `GET /v1/statements/{owner}?month=YYYY-MM|day=YYYY-MM-DD[&format=csv]` — an owner's statement | viewer |
extension APIRouter {
    static func addSettlementRoutes(_ routes: RoleRoutes, _ env: APIEnvironment) {
        routes.trader.post("/v1/settlement/{day}") { request, context in
            let principal = try context.caller()
            let service = try settlementService(env)
            let day = try marketDay(context.parameters.get("day"))
            let body = try await APIResponses.decodeBody(
                SettleRequest.self, from: request, limit: env.maxBodyBytes, allowEmpty: true, schema: "SettleRequest")
            var atypical = Set<MarketDay>()
            for (i, text) in (body.atypicalDays ?? []).enumerated() {
                guard let d = MarketDay(text) else {
                    throw APIError.badRequest("atypicalDays[\(i)]: '\(text)' is not a date YYYY-MM-DD")
                }
                atypical.insert(d)
            }
            do {
                let stored = try await service.settle(
                    day: day, atypicalDays: atypical, actor: principal.name, role: principal.role.rawValue)
                return try APIResponses.json(SettlementView(stored), status: .created)
            } catch {
                throw settlementError(error)
            }
        }
        routes.viewer.get("/v1/settlement/{day}") { _, context in
            let service = try settlementService(env)
            let day = try marketDay(context.parameters.get("day"))
            let stored: SettlementService.Stored?
            do {
                stored = try await service.latest(day: day)
            } catch {
                throw settlementError(error)
            }
            guard let stored else {
                throw APIError.notFound("day \(day) has not been settled; POST /v1/settlement/\(day) settles it")
            }
            return try APIResponses.json(SettlementView(stored))
        }
        routes.viewer.get("/v1/statements/{owner}") { request, context in
            let service = try settlementService(env)
            let owner = OwnerID(try APIResponses.checkedID(context.parameters.get("owner"), what: "owner"))
            let month = request.uri.queryParameters.get("month").map { String($0) }
            let day = request.uri.queryParameters.get("day").map { String($0) }
            guard let period = month ?? day, month == nil || day == nil else {
                throw APIError.badRequest("month or day: give exactly one (month=YYYY-MM or day=YYYY-MM-DD)")
            }
            let format = request.uri.queryParameters.get("format").map { String($0) } ?? "json"
            guard format == "json" || format == "csv" else {
                throw APIError.badRequest("format: '\(format)' is not json or csv")
            }
            let statement: OwnerStatement
            do {
                statement = try await service.statement(owner: owner, period: period)
            } catch {
                throw settlementError(error)
            }
            guard service.knows(owner: owner) || !statement.lines.isEmpty else {
                throw APIError.notFound("owner '\(owner)' owns no configured device and has no settled amounts")
            }
            if format == "csv" {
                return Response(
                    status: .ok, headers: [.contentType: "text/csv; charset=utf-8"],
                    body: .init(byteBuffer: ByteBuffer(string: statement.csv())))
            }
            return try APIResponses.json(statement)
        }
    }

    static func settlementService(_ env: APIEnvironment) throws -> SettlementService {
        guard let s = env.settlement else { throw APIError.unavailable("settlement is not configured") }
        return s
    }

    /// Settlement input problems → 422 naming the event/interval/resource; store errors as elsewhere.
    static func settlementError(_ error: any Error) -> APIError {
        if let e = error as? SettlementError { return APIError(.unprocessableContent, "invalid", e.description) }
        return APIError.mapping(error) ?? .internalError("\(error)")
    }

    /// Body of `POST /v1/settlement/{day}`.
    struct SettleRequest: Decodable {
        var atypicalDays: [String]?
    }
}

/// A stored settlement as the API serves it.
struct SettlementView: Encodable {
    var day: String
    var version: Int
    var createdAt: Date
    var source: String
    var settlement: DaySettlement

    init(_ s: SettlementService.Stored) {
        day = s.settlement.day.description
        version = s.version
        createdAt = s.createdAt
        source = s.source
        settlement = s.settlement
    }
}
