import Foundation
import Hummingbird
import Logging

/// Turns every error into the API's JSON error body, so that no route can answer with a bare text error or
/// an unexplained 500, and logs unexpected ones. Hummingbird's own errors (404 for an unknown path, 405, 413)
/// are mapped to the same body.
public struct ErrorMiddleware: RouterMiddleware {
    public typealias Context = APIRequestContext
    let knownRoutes: KnownRoutes
    init(knownRoutes: KnownRoutes) { self.knownRoutes = knownRoutes }

    public func handle(
        _ request: Request, context: APIRequestContext,
        next: (Request, APIRequestContext) async throws -> Response
    ) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error where APIError.mapping(error) != nil {
            // A domain error (a service's refusal, the store, the DR workflow) or the API's own: mapped to its
            // status in one place (`APIError.mapping`).
            let error = APIError.mapping(error) ?? .internalError("\(error)")
            // Refused credentials are worth a log line (who tried what from where); journald rate-limits floods.
            if error.status == .unauthorized || error.status == .forbidden {
                context.logger.notice(
                    "API request denied",
                    metadata: [
                        "status": "\(error.status.code)", "method": "\(request.method)",
                        "path": "\(request.uri.path)",
                        "from": "\(context.remoteAddress)", "detail": "\(error.detail)",
                    ])
            }
            return error.makeResponse()
        } catch let error as HTTPError where error.status == .notFound {
            let allowed = knownRoutes.methods(for: request.uri.path)
            guard !allowed.isEmpty else {
                return APIError.makeResponse(
                    status: .notFound, code: "not_found",
                    detail: "no route for \(request.method) \(request.uri.path)")
            }
            var response = APIError.makeResponse(
                status: .methodNotAllowed, code: "method_not_allowed",
                detail: "method \(request.method) not allowed on \(request.uri.path)")
            response.headers[.allow] = allowed.map(\.rawValue).sorted().joined(separator: ", ")
            return response
        } catch let error as HTTPError {
            let code: String
            switch error.status {
            case .notFound: code = "not_found"
            case .methodNotAllowed: code = "method_not_allowed"
            case .contentTooLarge: code = "payload_too_large"
            case .badRequest: code = "bad_request"
            case .unauthorized: code = "unauthorized"
            default: code = "http_\(error.status.code)"
            }
            let detail: String
            switch error.status {
            case .notFound: detail = "no route for \(request.method) \(request.uri.path)"
            case .methodNotAllowed: detail = "method \(request.method) not allowed on \(request.uri.path)"
            default: detail = error.body ?? error.status.reasonPhrase
            }
            return APIError.makeResponse(status: error.status, code: code, detail: detail)
        } catch let error as any HTTPResponseError {
            return APIError.makeResponse(
                status: error.status, code: "http_\(error.status.code)", detail: "\(error)")
        } catch  where BodyErrors.isFraming(error) {
            // NIO's HTTP parser failed inside the body (Hummingbird answers parse errors in the head itself).
            return APIError.badFraming(BodyErrors.describe(error)).makeResponse()
        } catch {
            context.logger.error(
                "unhandled API error",
                metadata: ["path": "\(request.uri.path)", "error": "\(String(reflecting: error))"])
            return APIError.makeResponse(
                status: .internalServerError, code: "internal", detail: "internal error: \(error)")
        }
    }
}
