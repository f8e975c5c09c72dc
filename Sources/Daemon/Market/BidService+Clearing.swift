import Foundation
import Market
import Store
import VPPCore

extension BidService {
    /// Where a clearing came from, for the audit log and the stored document.
    public struct ClearingOrigin: Sendable {
        /// `api:<token>` or `inbox:<file>`.
        public var source: String
        public var actor: String
        public var role: String
        public var address: String
        public init(source: String, actor: String, role: String, address: String) {
            self.source = source
            self.actor = actor
            self.role = role
            self.address = address
        }
    }

    /// Takes a clearing result (JSON or CSV bytes): validates it against the submitted bid of its market day,
    /// persists it (`clearingResults`), saves the 96-point schedule (kW) dispatch follows and audits both.
    ///
    /// Refused — 422 `clearing_rejected` with every problem named, audited as `clearing.reject` — when it
    /// cannot be read, no bid of its day is submitted, or it contradicts the submitted bid. Nothing stored
    /// changes then. Idempotent: the same clearing again returns the stored one (and saves its schedule if a
    /// crash lost it), so an inbox file re-offered after a crash is harmless.
    /// A different valid clearing for the same submitted bid (a market correction) is stored as the day's next
    /// clearing version and its schedule replaces the previous one.
    public func acceptClearing(_ data: Data, origin: ClearingOrigin) async throws -> ClearingView {
        do {
            return try await intake(data, origin: origin)
        } catch let e as ServiceError where e.code == "clearing_rejected" {
            _ = try? await store.audit.append(
                AuditEntry(
                    at: now(), actor: origin.actor, role: origin.role, action: "clearing.reject",
                    target: origin.source, detail: e.detail, sourceAddress: origin.address))
            throw e
        }
    }

    func intake(_ data: Data, origin: ClearingOrigin) async throws -> ClearingView {
        let profile = try profile()
        let clearing: ClearingDocument
        do {
            clearing = try ClearingDocument(data: data, labelling: profile.intervalLabelling)
        } catch {
            throw Self.rejected("unreadable clearing: \(error)")
        }
        let day = clearing.marketDay
        guard let submitted = try await submittedVersion(day: day) else {
            throw Self.rejected("no bid for \(day) has been submitted; a clearing answers a submitted bid")
        }
        let bid = try await bid(day: day, version: submitted)
        do {
            try ClearingValidator.validate(clearing, against: bid, profile: profile)
        } catch {
            throw Self.rejected(error.description)
        }
        let payload: Data
        do {
            payload = try clearing.jsonData()
        } catch {
            throw Self.rejected("\(error)")
        }
        let schedule = clearing.scheduleKW
        if let latest = try await store.clearingResults.get(day: day),
            let stored = try? ClearingDocument(json: latest.payload, labelling: .start), stored == clearing
        {
            let scheduleVersion = try await ensureSchedule(
                day: day, clearingVersion: latest.version, targetsKW: schedule, origin: origin)
            return ClearingView(
                clearing, version: latest.version, acceptedAt: latest.createdAt, source: latest.source,
                scheduleVersion: scheduleVersion, duplicate: true)
        }
        let at = now()
        let version = try await store.clearingResults.save(
            day: day, payload: payload, source: origin.source, at: at,
            audit: AuditEntry(
                at: at, actor: origin.actor, role: origin.role, action: "clearing.accept",
                target: "clearing:\(day)",
                detail:
                    "bid v\(bid.version); cleared \(Self.energyMWh(clearing)) MWh net; from \(origin.source)",
                sourceAddress: origin.address))
        let scheduleVersion = try await ensureSchedule(
            day: day, clearingVersion: version, targetsKW: schedule, origin: origin)
        return ClearingView(
            clearing, version: version, acceptedAt: at, source: origin.source, scheduleVersion: scheduleVersion,
            duplicate: false)
    }

    /// Saves the schedule of clearing `clearingVersion` unless the latest schedule of the day already is it.
    func ensureSchedule(day: MarketDay, clearingVersion: Int, targetsKW: [Double], origin: ClearingOrigin)
        async throws -> Int
    {
        let source = "clearing:v\(clearingVersion)"
        if let current = try await store.schedules.get(day: day),
            current.source == source, current.targetsKW == targetsKW
        {
            return current.version
        }
        let at = now()
        return try await store.schedules.save(
            day: day, targetsKW: targetsKW, source: source, at: at,
            audit: AuditEntry(
                at: at, actor: origin.actor, role: origin.role, action: "schedule.save",
                target: "schedule:\(day)", detail: "from clearing v\(clearingVersion)",
                sourceAddress: origin.address))
    }

    /// Restart recovery for a crash between a clearing's commit and its schedule's (two transactions): for
    /// each day, when the latest accepted clearing is newer than the day's latest schedule (or there is no
    /// schedule), its schedule is saved now. A schedule stored after the clearing (e.g. an operator's) is left
    /// alone. Returns the days repaired; store errors are skipped (the next start tries again).
    @discardableResult
    public func repairSchedules(days: [MarketDay]) async -> [MarketDay] {
        var repaired: [MarketDay] = []
        for day in days {
            guard let stored = try? await store.clearingResults.get(day: day),
                let clearing = try? ClearingDocument(json: stored.payload, labelling: .start)
            else { continue }
            let latest: StoredSchedule?
            do {
                latest = try await store.schedules.get(day: day)
            } catch {
                continue
            }
            if let latest, latest.createdAt >= stored.createdAt { continue }
            let origin = ClearingOrigin(source: stored.source, actor: "vppd", role: "system", address: "local")
            if (try? await ensureSchedule(
                day: day, clearingVersion: stored.version, targetsKW: clearing.scheduleKW, origin: origin)) != nil
            {
                repaired.append(day)
            }
        }
        return repaired
    }

    /// The latest accepted clearing of `day`; 404 when there is none.
    public func clearing(day: MarketDay) async throws -> ClearingView {
        guard let stored = try await store.clearingResults.get(day: day) else {
            throw ServiceError.notFound("no accepted clearing for \(day)")
        }
        let clearing: ClearingDocument
        do {
            clearing = try ClearingDocument(json: stored.payload, labelling: .start)
        } catch {
            throw ServiceError.failed("stored clearing \(day) v\(stored.version) is unreadable: \(error)")
        }
        let schedule = try await store.schedules.get(day: day)
        return ClearingView(
            clearing, version: stored.version, acceptedAt: stored.createdAt, source: stored.source,
            scheduleVersion: schedule?.source == "clearing:v\(stored.version)" ? schedule?.version : nil,
            duplicate: false)
    }

    /// The inbox handler for kind `clearing`: accepts the file or throws the reason (the inbox moves it to
    /// `rejected/` with a `.error.txt`).
    public func inboxHandler(_ file: InboxFile) async throws -> String {
        do {
            let view = try await acceptClearing(
                file.data,
                origin: ClearingOrigin(source: "inbox:\(file.name)", actor: "inbox", role: "system", address: "inbox"))
            return view.duplicate
                ? "clearing \(view.day) v\(view.version) already accepted"
                : "clearing \(view.day) v\(view.version) for bid v\(view.bidVersion), schedule v\(view.scheduleVersion ?? 0)"
        } catch let e as ServiceError {
            throw InboxRefusal(reason: e.detail)
        }
    }

    static func rejected(_ detail: String) -> ServiceError {
        ServiceError.invalid("clearing_rejected", detail)
    }

    static func energyMWh(_ c: ClearingDocument) -> Double {
        let mwh = c.intervals.reduce(0) { $0 + ($1.clearedQuantity ?? 0) } * 0.25
        return (mwh * 1000).rounded() / 1000
    }
}

/// Why an inbox file was refused (its description goes to the `.error.txt`).
struct InboxRefusal: Error, CustomStringConvertible {
    var reason: String
    var description: String { reason }
}
