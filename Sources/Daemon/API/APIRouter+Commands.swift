import Foundation
import Hummingbird
import Store
import VPPCore

extension APIRouter {
    static func addCommandRoutes(_ routes: RoleRoutes, _ env: APIEnvironment) {
        @Sendable func service() throws -> CommandService {
            guard let s = env.commands else { throw APIError.unavailable("the store is not open") }
            return s
        }
        routes.operator.post("/v1/commands") { request, context in
            let principal = try context.caller()
            let body = try await APIResponses.decodeBody(
                CommandRequest.self, from: request, limit: env.maxBodyBytes, schema: "CommandRequest")
            let receipt = try await service().create(body, by: principal, from: context.remoteAddress)
            return try created(receipt)
        }
        routes.viewer.get("/v1/commands") { request, context in
            let query = try commandQuery(request.uri.queryParameters)
            let commands = try await service().list(query)
            return try APIResponses.json(CommandListView(count: commands.count, commands: commands))
        }
        routes.viewer.get("/v1/commands/{id}") { _, context in
            let id = try APIResponses.checkedID(context.parameters.get("id"), what: "command")
            guard let command = try await service().get(CommandID(id.lowercased())) else {
                throw APIError.notFound("command '\(id)' not found")
            }
            return try APIResponses.json(command)
        }
        routes.operator.post("/v1/commands/{id}/cancel") { request, context in
            let principal = try context.caller()
            let id = try APIResponses.checkedID(context.parameters.get("id"), what: "command")
            let hasBody = (request.headers[.contentLength].flatMap(Int.init) ?? 1) > 0
            let body =
                hasBody
                ? try await APIResponses.decodeBody(
                    CancelRequest.self, from: request, limit: env.maxBodyBytes, allowEmpty: true,
                    schema: "CancelRequest")
                : nil
            let command = try await service().cancel(
                CommandID(id.lowercased()), reason: body?.reason, by: principal, from: context.remoteAddress
            )
            return try APIResponses.json(command)
        }
        routes.operator.delete("/v1/commands/{id}") { request, context in
            let principal = try context.caller()
            let id = try APIResponses.checkedID(context.parameters.get("id"), what: "command")
            let command = try await service().cancel(
                CommandID(id.lowercased()), reason: request.uri.queryParameters.get("reason"),
                by: principal,
                from: context.remoteAddress)
            return try APIResponses.json(command)
        }
        routes.operator.get("/v1/audit") { request, context in
            let query = try auditQuery(request.uri.queryParameters)
            let entries = try await service().audit(query)
            return try APIResponses.json(AuditListView(count: entries.count, entries: entries))
        }
    }

    /// 201 with the receipt (command, feasibility, clamping) and the command's `Location`.
    static func created(_ receipt: CommandReceipt) throws -> Response {
        var response = try APIResponses.json(receipt, status: .created)
        response.headers[.location] = "/v1/commands/\(receipt.command.id)"
        return response
    }

    /// `status` (comma-separated), `kind` (comma-separated), `target` (`fleet`, `device:ID`, `site:ID`),
    /// `from`/`to` (ISO 8601), `limit` (1…1000), `offset`.
    static func commandQuery(_ q: Parameters) throws -> CommandQuery {
        var query = CommandQuery()
        if let s = q.get("status") {
            query.statuses = Set(
                try s.split(separator: ",", omittingEmptySubsequences: false).map { part in
                    guard let st = CommandStatus(rawValue: String(part)) else {
                        throw APIError.badRequest(
                            "status: unknown '\(part)' (one of \(CommandStatus.allCases.map(\.rawValue).joined(separator: ", ")))"
                        )
                    }
                    return st
                })
        }
        if let k = q.get("kind") {
            query.kinds = Set(
                try k.split(separator: ",", omittingEmptySubsequences: false).map { part in
                    guard let kind = CommandKind(rawValue: String(part)) else {
                        throw APIError.badRequest(
                            "kind: unknown '\(part)' (one of \(CommandKind.allCases.map(\.rawValue).joined(separator: ", ")))"
                        )
                    }
                    return kind
                })
        }
        if let t = q.get("target") {
            // Split at the first ':' byte by hand: `split` drops empty pieces (so `target=` or `target=:` had
            // none), and a Character search misses a ':' that a combining mark fuses with the next character.
            let bytes = Array(t.utf8)
            let colon = bytes.firstIndex(of: UInt8(ascii: ":"))
            let scope = String(decoding: bytes[..<(colon ?? bytes.count)], as: UTF8.self)
            let id = colon.map { String(decoding: bytes[($0 + 1)...], as: UTF8.self) }
            guard let target = CommandTarget(scope: scope, id: id) else {
                throw APIError.badRequest("target: expected 'fleet', 'device:ID' or 'site:ID', got '\(t)'")
            }
            query.target = target
        }
        query.from = try dateParameter(q, "from")
        query.to = try dateParameter(q, "to")
        query.limit = try intParameter(q, "limit", range: 1...1000) ?? 100
        query.offset = try intParameter(q, "offset", range: 0...1_000_000) ?? 0
        return query
    }

    /// `actor`, `action` (exact, or prefix ending in `.`), `target`, `since`/`until` (ISO 8601), `before` (id),
    /// `limit` (1…1000).
    static func auditQuery(_ q: Parameters) throws -> AuditQuery {
        var query = AuditQuery()
        query.actor = q.get("actor")
        query.action = q.get("action")
        query.target = q.get("target")
        query.since = try dateParameter(q, "since")
        query.until = try dateParameter(q, "until")
        query.beforeID = try intParameter(q, "before", range: 1...OpenAPIDocument.maxSafeInteger).map(Int64.init)
        query.limit = try intParameter(q, "limit", range: 1...1000) ?? 100
        return query
    }

    static func dateParameter(_ q: Parameters, _ name: String) throws -> Date? {
        guard let text = q.get(name) else { return nil }
        guard let date = ISO8601Time.date(text) else {
            throw APIError.badRequest(
                "\(name): '\(text)' is not an ISO 8601 date-time such as 2026-01-31T12:00:00Z")
        }
        return date
    }

    static func intParameter(_ q: Parameters, _ name: String, range: ClosedRange<Int>) throws -> Int? {
        guard let text = q.get(name) else { return nil }
        guard let value = Int(text), range.contains(value) else {
            throw APIError.badRequest(
                "\(name): must be an integer in \(range.lowerBound)…\(range.upperBound), got '\(text)'")
        }
        return value
    }
}
