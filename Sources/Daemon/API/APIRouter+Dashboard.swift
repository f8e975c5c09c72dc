import Foundation
import Hummingbird
import Store
import VPPCore

/// The operator's page and the small routes it needs beyond `vppctl`'s (DESIGN §14, README "Dashboard"):
///
/// | route | role |
/// |---|---|
/// | `GET /`, `GET /ui/{file}` (the page's static files, strict CSP) | none |
/// | `GET /v1/session` (the caller's name, role and what it allows) | viewer |
/// | `GET /v1/stream` (Server-Sent Events: fleet, devices, commands from the daemon's own state) | viewer |
/// | `GET /v1/alerts` (devices not ok, missed gates, rejected inbox files, failed writes) | viewer |
/// | `GET /v1/market/calendar` (the next bid gate closures) | viewer |
/// | `GET /v1/devices/{id}/setpoints` (a device's recent setpoint writes) | viewer |
///
/// Every action the page takes goes through the same routes as `vppctl` (`POST /v1/commands`, …): there is
/// one path for every action.
extension APIRouter {
    static func addDashboardRoutes(_ routes: RoleRoutes, _ env: APIEnvironment) {
        @Sendable func files() throws -> DashboardFiles {
            guard let d = env.dashboard else { throw APIError.unavailable("the dashboard is not configured") }
            return d
        }
        routes.open.get("/") { _, _ in try files().response("index.html") }
        routes.open.get("/ui/{file}") { _, context in
            try files().response(APIResponses.pathParameter(context.parameters.get("file")) ?? "")
        }
        routes.viewer.get("/v1/session") { _, context in
            try APIResponses.json(SessionView(try context.caller()))
        }
        routes.viewer.get("/v1/stream") { request, context in
            let seconds =
                try intParameter(request.uri.queryParameters, "seconds", range: LiveStream.secondsRange)
                ?? LiveStream.defaultSeconds
            return LiveStream.response(env, lasting: .seconds(seconds))
        }
        routes.viewer.get("/v1/alerts") { _, context in
            return try APIResponses.json(try await alerts(env))
        }
        routes.viewer.get("/v1/market/calendar") { _, context in
            guard let bids = env.bids else { throw APIError.unavailable("the market service is not running") }
            let store = try trackingStore(env)
            let profile = try await bids.profile()
            let tz = store.options.marketTimeZone
            let now = Date()
            let today = MarketDay(containing: now, timeZone: tz)
            var gates: [MarketCalendarView.Gate] = []
            for offset in -1...2 {
                let day = today.adding(days: offset)
                let closure = profile.gateClosure(for: day)
                let versions: [Int]
                let clearing: Int?
                do {
                    versions = try await store.bids.versions(day: day).map(\.version)
                    clearing = try await store.clearingResults.get(day: day)?.version
                } catch {
                    throw error
                }
                gates.append(
                    .init(
                        day: day.description, gateClosure: closure, closed: closure <= now,
                        submittedVersion: try await bids.submittedVersion(day: day), bidVersions: versions,
                        clearingVersion: clearing))
            }
            return try APIResponses.json(
                MarketCalendarView(
                    profile: profile.id, deviationTolerancePercent: profile.deviationTolerancePercent,
                    timeZone: tz.identifier, now: now, gates: gates))
        }
        routes.viewer.get("/v1/devices/{id}/setpoints") { request, context in
            let id = try APIResponses.checkedID(context.parameters.get("id"), what: "device")
            guard env.fleet.deviceView(DeviceID(id)) != nil else {
                throw APIError.notFound("device '\(id)' is not configured")
            }
            let limit = try intParameter(request.uri.queryParameters, "limit", range: 1...500) ?? 50
            let store = try trackingStore(env)
            let records: [SetpointRecord]
            do {
                records = try await store.setpoints.list(device: DeviceID(id), limit: limit)
            } catch {
                throw error
            }
            return try APIResponses.json(
                SetpointListView(device: id, count: records.count, setpoints: records.map(SetpointView.init)))
        }
    }

    /// Lists at most this many entries per alert kind (the counts are complete).
    static let alertListLimit = 50

    static func alerts(_ env: APIEnvironment) async throws -> AlertsView {
        let now = Date()
        let notOK = env.fleet.deviceViews(now: now).filter { $0.health != "ok" }
            .sorted { ($0.lastSeen ?? .distantPast, $0.id) > ($1.lastSeen ?? .distantPast, $1.id) }
        var missed: [AlertsView.MissedGate] = []
        if let bids = env.bids, let profile = try? await bids.profile(), let store = env.commands?.store {
            let today = MarketDay(containing: now, timeZone: store.options.marketTimeZone)
            for day in [today, today.adding(days: 1)] {
                let closure = profile.gateClosure(for: day)
                guard closure <= now else { continue }
                // A store error is not a missed gate: the alert says only what is known.
                do {
                    if try await bids.submittedVersion(day: day) == nil {
                        missed.append(.init(day: day.description, gateClosure: closure))
                    }
                } catch {
                    continue
                }
            }
        }
        let rejected = rejectedFiles(stateDirectory: env.status.config.stateDirectory)
        var failed: [SetpointView] = []
        if let store = env.commands?.store {
            do {
                failed = try await store.setpoints.list(since: now.addingTimeInterval(-3600), limit: 10_000)
                    .filter { !$0.ok }.map(SetpointView.init)
            } catch {
                throw error
            }
        }
        return AlertsView(
            at: now,
            counts: [
                "devices": notOK.count, "missedGates": missed.count, "rejectedFiles": rejected.count,
                "failedWrites": failed.count,
            ],
            devices: notOK.prefix(alertListLimit).map {
                .init(id: $0.id, health: $0.health, lastSeen: $0.lastSeen, lastError: $0.lastError)
            },
            missedGates: missed, rejectedFiles: Array(rejected.prefix(alertListLimit)),
            failedWrites: Array(failed.prefix(alertListLimit)))
    }

    /// How many files the inbox refused (their `.error.txt` siblings under `rejected/`).
    static func rejectedFileCount(stateDirectory: String) -> Int {
        let dir = URL(fileURLWithPath: stateDirectory, isDirectory: true).appendingPathComponent(
            "rejected", isDirectory: true)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
        return names.filter { $0.hasSuffix(".error.txt") }.count
    }

    /// The inbox's refused files, newest first: each `rejected/<name>` with the reason from its `<name>.error.txt`
    /// (cut to 500 characters).
    static func rejectedFiles(stateDirectory: String) -> [AlertsView.RejectedFile] {
        let dir = URL(fileURLWithPath: stateDirectory, isDirectory: true).appendingPathComponent(
            "rejected", isDirectory: true)
        let fm = FileManager.default
        guard let names = try? fm.contentsOfDirectory(atPath: dir.path) else { return [] }
        let suffix = ".error.txt"
        return names.filter { $0.hasSuffix(suffix) }.map { errorName in
            let url = dir.appendingPathComponent(errorName)
            let at = (try? fm.attributesOfItem(atPath: url.path)[.modificationDate] as? Date) ?? nil
            let text = fm.contents(atPath: url.path).map { String(decoding: $0.prefix(2000), as: UTF8.self) } ?? ""
            // The inbox writes `file:`, `rejected at:` and `reason:` lines; the reason is what the operator needs.
            let reasonLine = text.split(separator: "\n").first { $0.hasPrefix("reason: ") }
            let reason = reasonLine.map { String($0.dropFirst("reason: ".count)) } ?? text
            return AlertsView.RejectedFile(
                name: String(errorName.dropLast(suffix.count)), at: at ?? .distantPast,
                reason: String(reason.trimmingCharacters(in: .whitespacesAndNewlines).prefix(500)))
        }.sorted { ($0.at, $0.name) > ($1.at, $1.name) }
    }
}
