import Foundation
import Logging
import Market
import Store
import VPPCore

/// The DR workflow at the daemon's edge (issue 7 §1–§3): invitations, offers, awards and cancellations come in
/// through the API or `inbox/` (kinds `dr-invitation`, `dr-award`, `dr-cancel`), are validated once, and the
/// event (`DREvent`, JSON) is saved in `store.drEvents` with an audit line **before** the caller is answered.
/// Offers are estimated from the live fleet (`DRFleetResources` → `DROfferEstimator`) net of the day's
/// schedule, and written to `outbox/` as `dr-offer-<event>-v<N>.json` and `.csv`.
///
/// Obligations leave through `obligations(day:)`, `bidBounds(day:)` (the D-1 bid's net-injection bounds) and
/// `dispatchAdjustmentKW(at:)` (the dispatch loop's DR hook); `DRObligationProfile` documents the semantics.
/// Both need the aggregate baseline of the day, computed from the telemetry roll-ups with the market profile's
/// baseline rules (`BaselineCalculator`, DR days excluded) and cached per day; without history (a new
/// installation) the baseline is 0 kW and the event view says so.
///
/// An actor: one event is read, changed and saved at a time, so concurrent API calls and inbox files cannot
/// lose each other's changes.
public actor DemandResponseService {
    public let store: Store
    let fleet: FleetHandle
    let outbox: Outbox
    let profile: MarketProfile?
    let rules: DRProductRules
    let estimator: DROfferEstimator
    let timeZone: TimeZone
    let pvForecast: DRFleetResources.PVForecast?
    let now: @Sendable () -> Date
    let logger: Logger
    /// Per day: the obligations, the aggregate baseline and the schedule, with when they were loaded.
    var cache: [MarketDay: DayView] = [:]
    /// Per day: the aggregate baseline, its note and the day it was computed on (history grows by a day at
    /// midnight: a baseline computed on D-1 for the bid is recomputed on D with D-1 complete, as settlement does;
    /// dropped when an event of the day changes).
    var baselines: [MarketDay: (kW: [Double], note: String?, computedOn: MarketDay)] = [:]

    struct DayView: Sendable {
        var loadedAt: Date
        var profile: DRObligationProfile
        var baselineKW: [Double]
        var baselineNote: String?
        var scheduleKW: [Double]?
    }

    /// - Parameters:
    ///   - stateDirectory: `outbox/` is created under it.
    ///   - profile: the market profile (baseline rules, time zone); nil = Asia/Shanghai and default rules.
    public init(
        store: Store, fleet: FleetHandle, stateDirectory: URL, profile: MarketProfile?,
        rules: DRProductRules = .defaults, estimator: DROfferEstimator = DROfferEstimator(),
        pvForecast: DRFleetResources.PVForecast? = nil, logger: Logger = Logger(label: "vppd.dr"),
        now: @escaping @Sendable () -> Date = { Date() }
    ) throws(FileDropError) {
        self.store = store
        self.fleet = fleet
        self.outbox = try Outbox(directory: stateDirectory.appendingPathComponent("outbox", isDirectory: true))
        self.profile = profile
        self.rules = rules
        self.estimator = estimator
        self.timeZone = profile?.timeZone ?? MarketDay.defaultTimeZone
        self.pvForecast = pvForecast
        self.logger = logger
        self.now = now
    }

    /// Who did something and from where (audit).
    public struct Actor: Sendable {
        public var name: String
        public var role: String
        public var source: String
        public init(name: String, role: String, source: String) {
            self.name = name
            self.role = role
            self.source = source
        }
        static let inbox = Actor(name: "inbox", role: "system", source: "inbox")
    }

    // MARK: intake

    /// Reads, validates and stores an invitation. The same invitation again returns the stored event; a
    /// different one under an existing id is refused (409).
    @discardableResult
    public func receiveInvitation(_ data: Data, by actor: Actor) async throws -> DREvent {
        let invitation: DRInvitation
        do {
            invitation = try DRInvitation(
                data: data, labelling: profile?.intervalLabelling ?? .start, rules: rules, timeZone: timeZone)
        } catch {
            throw error
        }
        if let existing = try await load(invitation.id) {
            guard existing.invitation == invitation else {
                throw ServiceError.conflict("event \(invitation.id) exists with a different invitation")
            }
            return existing
        }
        let t = now()
        let event = DREvent(invitation: invitation, receivedAt: t)
        try await save(event, created: t, action: "dr.invite", actor: actor, detail: Self.summary(invitation))
        return event
    }

    /// Estimates the fleet's deliverable response, records the offer as the event's next version, stores it and
    /// writes it to the outbox (JSON and CSV). Returns the offer and the file names.
    public func makeOffer(eventID: String, by actor: Actor) async throws -> (offer: DROffer, files: [String]) {
        var event = try await require(eventID)
        let t = now()
        let (resources, start) = DRFleetResources.build(
            snapshots: Array(fleet.state.snapshotAll().values), day: event.day, now: t, timeZone: timeZone,
            efficiency: fleet.model.efficiency, pvForecast: pvForecast)
        let day = event.day
        let committed = try await store.schedules.get(day: day)?.targetsKW
        let draft = estimator.offer(
            event.invitation, resources: resources, start: start, committedKW: committed, now: t)
        let offer: DROffer
        do {
            offer = try event.recordOffer(draft, now: t, rules: rules)
        } catch {
            throw error
        }
        try await save(
            event, action: "dr.offer", actor: actor,
            detail:
                "v\(offer.version): \(offer.intervals.map { "\($0.index)=\($0.offeredMW)" }.joined(separator: " ")) MW")
        let stem = "dr-offer-\(eventID)"
        let json = try Self.json(offer)
        let csv = Data(DROfferCSV.text(offer).utf8)
        let files = [
            try Self.publish(json, outbox: outbox, stem: stem, version: offer.version, ext: "json"),
            try Self.publish(csv, outbox: outbox, stem: stem, version: offer.version, ext: "csv"),
        ]
        return (offer, files)
    }

    /// Writes one outbox file; an existing file of that version (a retry after a crash) is kept.
    static func publish(_ data: Data, outbox: Outbox, stem: String, version: Int, ext: String) throws -> String {
        do {
            return try outbox.write(data, stem: stem, version: version, ext: ext).lastPathComponent
        } catch {
            if case .exists = error { return try Outbox.fileName(stem: stem, version: version, ext: ext) }
            throw ServiceError.failed("cannot write the offer to the outbox: \(error)")
        }
    }

    /// Reads an award and records it on its event (`eventID` from the path must match the document's).
    @discardableResult
    public func receiveAward(_ data: Data, eventID: String? = nil, by actor: Actor) async throws -> DREvent {
        let award: DRAward
        do {
            award = try DRAward(data: data, labelling: profile?.intervalLabelling ?? .start)
        } catch {
            throw error
        }
        if let eventID, eventID != award.eventID {
            throw DRError.mismatch(document: "award", field: "eventID", expected: eventID, got: award.eventID)
        }
        var event = try await require(award.eventID)
        let changed: Bool
        do {
            changed = try event.recordAward(award, now: now(), rules: rules)
        } catch {
            throw error
        }
        if changed {
            let mwh = award.intervals.reduce(0) { $0 + $1.awardedMW } * 0.25
            try await save(event, action: "dr.award", actor: actor, detail: "awarded \(mwh) MWh")
        }
        return event
    }

    /// Records the grid's early cancellation of a cleared event.
    @discardableResult
    public func receiveCancellation(_ c: DRCancellation, by actor: Actor) async throws -> DREvent {
        var event = try await require(c.eventID)
        let changed: Bool
        do {
            changed = try event.recordCancellation(c, now: now(), timeZone: timeZone)
        } catch {
            throw error
        }
        if changed {
            try await save(
                event, action: "dr.cancel", actor: actor,
                detail: "from \(c.at.formatted(Date.ISO8601FormatStyle()))" + (c.reason.map { ": \($0)" } ?? ""))
        }
        return event
    }

    /// Marks the executed events of `day` settled (after `SettlementService.settle`).
    public func markSettled(day: MarketDay, note: String, by actor: Actor) async throws -> [DREvent] {
        var out: [DREvent] = []
        for var e in try await events(day: day) where e.status == .executed {
            do { try e.markSettled(now: now(), note: note) } catch { throw error }
            try await save(e, action: "dr.settled", actor: actor, detail: note)
            out.append(e)
        }
        return out
    }

    // MARK: reads

    /// One event (its status brought up to date: executed once its last interval has ended, settled once a
    /// settlement of its day was stored after that), nil if unknown.
    public func event(_ id: String) async throws -> DREvent? {
        guard var e = try await load(id) else { return nil }
        let system = Actor(name: "vppd", role: "system", source: "local")
        if e.markExecuted(now: now(), timeZone: timeZone) {
            try await save(e, action: "dr.executed", actor: system, detail: "")
        }
        let day = e.day
        if e.status == .executed,
            let doc = try await store.settlements.get(day: day),
            doc.createdAt >= e.invitation.lastEnd(timeZone: timeZone)
        {
            let note = "settlement v\(doc.version) of \(day) by \(doc.source)"
            do { try e.markSettled(now: now(), note: note) } catch { throw error }
            try await save(e, action: "dr.settled", actor: system, detail: note)
        }
        return e
    }

    /// Events, optionally of one day and/or status, by day then id (statuses brought up to date).
    public func events(day: MarketDay? = nil, status: DRStatus? = nil) async throws -> [DREvent] {
        let rows = try await store.drEvents.list(day: day)
        var out: [DREvent] = []
        for row in rows {
            guard let e = try await event(row.id) else { continue }
            if status == nil || e.status == status { out.append(e) }
        }
        return out
    }

    static func summary(_ i: DRInvitation) -> String {
        "\(i.product) \(i.day) intervals \(i.intervals.map(\.index).map(String.init).joined(separator: ",")) "
            + "\(i.intervals.reduce(0) { $0 + $1.requestedMW } * 0.25) MWh \(i.pricing)"
    }

    // MARK: persistence

    func load(_ id: String) async throws -> DREvent? {
        guard DRInvitation.isValidID(id) else { return nil }
        guard let row = try await store.drEvents.get(id) else { return nil }
        do {
            return try Self.decoder.decode(DREvent.self, from: row.payload)
        } catch {
            throw ServiceError.failed("stored DR event \(id) is unreadable: \(error)")
        }
    }

    func require(_ id: String) async throws -> DREvent {
        guard let e = try await event(id) else { throw ServiceError.notFound("DR event '\(id)' not found") }
        return e
    }

    /// Saves the event with its audit line (durable) and drops the day's cached obligations.
    func save(_ event: DREvent, created: Date? = nil, action: String, actor: Actor, detail: String) async throws {
        let t = now()
        let stored = StoredDREvent(
            id: event.id, day: event.day, status: event.status, payload: try Self.json(event),
            createdAt: created ?? t, updatedAt: t)
        let audit = AuditEntry(
            at: t, actor: actor.name, role: actor.role, action: action, target: "dr:\(event.id)", detail: detail,
            sourceAddress: actor.source)
        try await store.drEvents.save(stored, audit: audit)
        cache[event.day] = nil
        baselines[event.day] = nil
        logger.info("DR event \(event.id): \(action) → \(event.status.rawValue)")
    }

    static let decoder: JSONDecoder = {
        let d = JSONDecoder()
        d.dateDecodingStrategy = .iso8601
        return d
    }()

    static func json<T: Encodable>(_ value: T) throws -> Data {
        let e = JSONEncoder()
        e.dateEncodingStrategy = .iso8601
        e.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        do { return try e.encode(value) } catch { throw ServiceError.failed("cannot encode: \(error)") }
    }

}
