import Foundation
import Hummingbird
import Market
import VPPCore

/// Market routes (issue 5 §5): `trader` builds and submits bids, posts clearings and price forecasts;
/// `viewer` reads them.
///
/// | route | role |
/// |---|---|
/// | `POST /v1/bids` (body `{day, pricesYuanPerMWh?, quantiles?, flags?}`) | trader |
/// | `GET /v1/bids/{day}` (`?version=N`), `GET /v1/bids/{day}/csv` (`?version=N`) | viewer |
/// | `POST /v1/bids/{day}/{version}/submit` | trader |
/// | `POST /v1/clearing` (JSON or CSV body) | trader |
/// | `GET /v1/clearing/{day}` | viewer |
/// | `GET /v1/forecast/prices/{day}` | viewer |
/// | `PUT /v1/forecast/prices/{day}` (body `{pricesYuanPerMWh, quantiles?}`) | trader |
extension APIRouter {
    static func addMarketRoutes(_ routes: RoleRoutes, _ env: APIEnvironment) {
        @Sendable func service() throws -> BidService {
            guard let s = env.bids else { throw APIError.unavailable("the market service is not running") }
            return s
        }
        routes.trader.post("/v1/bids") { request, context in
            let principal = try context.caller()
            let body = try await APIResponses.decodeBody(
                BidService.BuildRequest.self, from: request, limit: env.maxBodyBytes, schema: "BidBuildRequest")
            try PriceBounds.check(body.pricesYuanPerMWh, field: "pricesYuanPerMWh")
            try PriceBounds.check(quantiles: body.quantiles)
            try PriceBounds.check(flagKeys: body.flags.map { Array($0.keys) })
            let view = try await service().build(body, by: principal, from: context.remoteAddress)
            var response = try APIResponses.json(view, status: .created)
            response.headers[.location] = "/v1/bids/\(view.bid.marketDay)?version=\(view.bid.version)"
            return response
        }
        routes.viewer.get("/v1/bids/{day}") { request, context in
            let day = try marketDay(context.parameters.get("day"))
            let version = try intParameter(request.uri.queryParameters, "version", range: 1...1_000_000)
            return try APIResponses.json(try await service().bidStatus(day: day, version: version))
        }
        routes.viewer.get("/v1/bids/{day}/csv") { request, context in
            let day = try marketDay(context.parameters.get("day"))
            let version = try intParameter(request.uri.queryParameters, "version", range: 1...1_000_000)
            let bid = try await service().bid(day: day, version: version)
            return Response(
                status: .ok,
                headers: [
                    .contentType: "text/csv; charset=utf-8",
                    .contentDisposition: "attachment; filename=\"bid-\(day)-v\(bid.version).csv\"",
                ],
                body: .init(byteBuffer: ByteBuffer(string: bid.csv())))
        }
        routes.trader.post("/v1/bids/{day}/{version}/submit") { _, context in
            let principal = try context.caller()
            let day = try marketDay(context.parameters.get("day"))
            let text = APIResponses.pathParameter(context.parameters.get("version"))
            guard let text, let version = Int(text), (1...1_000_000).contains(version) else {
                throw APIError.badRequest("version: must be an integer in 1…1000000, got '\(text ?? "")'")
            }
            return try APIResponses.json(
                try await service().submit(day: day, version: version, by: principal, from: context.remoteAddress))
        }
        routes.trader.post("/v1/clearing") { request, context in
            let principal = try context.caller()
            let body = try await rawBody(
                request, limit: env.maxBodyBytes, schema: "ClearingDocument",
                empty: "request body is empty; expected a clearing result (JSON or CSV)")
            let view = try await service().acceptClearing(
                body,
                origin: .init(
                    source: "api:\(principal.name)", actor: principal.name, role: principal.role.rawValue,
                    address: context.remoteAddress))
            return try APIResponses.json(view, status: view.duplicate ? .ok : .created)
        }
        routes.viewer.get("/v1/clearing/{day}") { _, context in
            let day = try marketDay(context.parameters.get("day"))
            return try APIResponses.json(try await service().clearing(day: day))
        }
        routes.viewer.get("/v1/forecast/prices/{day}") { _, context in
            let day = try marketDay(context.parameters.get("day"))
            return try APIResponses.json(PriceForecastView(try await service().priceForecast(day: day)))
        }
        routes.trader.put("/v1/forecast/prices/{day}") { request, context in
            let principal = try context.caller()
            let day = try marketDay(context.parameters.get("day"))
            let body = try await APIResponses.decodeBody(
                PriceForecastBody.self, from: request, limit: env.maxBodyBytes, schema: "PriceForecastBody")
            try PriceBounds.check(body.pricesYuanPerMWh, field: "pricesYuanPerMWh")
            try PriceBounds.check(quantiles: body.quantiles)
            let forecast = try await service().putPriceForecast(
                day: day, prices: body.pricesYuanPerMWh, quantiles: body.quantiles, by: principal,
                from: context.remoteAddress)
            return try APIResponses.json(PriceForecastView(forecast))
        }
    }

    static func marketDay(_ raw: String?) throws -> MarketDay {
        let raw = APIResponses.pathParameter(raw)
        guard let raw, let day = MarketDay(raw) else {
            throw APIError.badRequest("day: '\(raw ?? "")' is not a date YYYY-MM-DD")
        }
        return day
    }
}
