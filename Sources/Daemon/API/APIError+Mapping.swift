import Foundation
import Hummingbird
import Market
import Store

extension APIError {
    /// The one place where a domain error becomes an HTTP status (DESIGN §6): service refusals
    /// (`ServiceError`), store errors and DR workflow errors; nil for anything else (the error middleware then
    /// answers 500 and logs it).
    public static func mapping(_ error: any Error) -> APIError? {
        switch error {
        case let api as APIError: return api
        case let s as ServiceError: return APIError(service: s)
        case let s as StoreError: return APIError(store: s)
        case let d as DRError: return APIError(dr: d)
        default: return nil
        }
    }

    public init(service s: ServiceError) {
        let status: HTTPResponse.Status
        switch s.kind {
        case .notFound: status = .notFound
        case .conflict: status = .conflict
        case .invalid: status = .unprocessableContent
        case .malformed: status = .badRequest
        case .busy: status = .tooManyRequests
        case .unavailable: status = .serviceUnavailable
        case .failed: status = .internalServerError
        }
        self.init(status, s.code, s.detail, retryAfter: s.retryAfter)
    }

    public init(store: StoreError) {
        switch store {
        case .notFound: self = .notFound(store.description)
        case .duplicate, .invalidTransition: self = .conflict(store.description)
        case .invalidValue: self.init(.unprocessableContent, "invalid", store.description)
        case .limitReached: self.init(.tooManyRequests, "too_many_commands", store.description, retryAfter: 60)
        case .open, .migration, .database: self = .unavailable("store: \(store.description)")
        }
    }

    public init(dr: DRError) {
        if case .workflow = dr {
            self.init(.conflict, "dr_workflow", dr.description)
        } else {
            self.init(.unprocessableContent, "invalid_dr_document", dr.description)
        }
    }
}
