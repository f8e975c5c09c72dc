import Foundation
import Market
import Store
import VPPCore

/// The trading edge of the daemon (DESIGN §1, issue 5 §5): builds a day-ahead bid from the live fleet and a
/// price view, validates it, persists it, writes it to `outbox/`, marks a version submitted, and takes the
/// market's clearing result in (API or `inbox/`), validates it against the submitted bid, persists it and
/// turns it into the 96-point schedule dispatch follows.
///
/// **Write before acknowledge.** Every accepted bid, submission and clearing is committed to the store
/// (`.durable`) before the call returns; outbox files are written after the commit, from the stored bytes, and
/// re-written on submit if a crash lost them.
///
/// **Submission** is recorded in the store's bid submissions (with its `bid.submit` audit entry in the same
/// transaction), the latest one per day wins; only the submitted version can be cleared against. A day with an
/// accepted clearing refuses further submissions (the market has answered).
///
/// **Gate closure** (profile `bid.gateClosure`) is not enforced: a bid built or submitted after it says so
/// (`lateForGateClosure`) and the audit entry records it, because replays, backtests and tests legitimately
/// build past days; the market platform is the authority on lateness.
///
/// **DR obligations** (issue 7) enter through `obligations`: a provider the DR service sets with
/// `setObligationProvider(_:)`, returning per-interval net-injection bounds (MW, interval 1…96) for a day.
/// They are merged with any bounds in the build request (the tighter bound wins), passed to the planner as
/// hard bounds on the offered quantities and written into the bid document per interval (`obligation`).
///
/// An actor, so builds, submissions and clearings of one daemon are serialized: versions are assigned without
/// races and a clearing is always checked against the submission in force.
public actor BidService {
    /// Plans one market day's bid (the Market module's `BidPlanner` by default; tests may substitute).
    public typealias Planner = @Sendable (BidPlanningInput) async throws -> BidPlan
    /// DR obligations of a day: net-injection bounds per interval 1…96, MW.
    public typealias ObligationProvider = @Sendable (MarketDay) async throws -> [Int: BidDocument.Range]

    public let store: Store
    let fleet: FleetHandle
    let outbox: Outbox
    let forecastDirectory: URL
    let sites: [SiteConfig]
    let planner: Planner
    let now: @Sendable () -> Date
    /// The market profile in force, or why there is none (market routes answer 503 with the reason).
    let profileResult: Result<MarketProfile, MarketError>
    var obligations: ObligationProvider = { _ in [:] }
    /// Admission of bid builds: one per day, shared with settlement (see `HeavyWork`).
    let heavy: HeavyWork

    /// - Parameters:
    ///   - stateDirectory: `outbox/` and `forecasts/` are created under it.
    ///   - sites: site positions and connection limits for planning.
    public init(
        store: Store, fleet: FleetHandle, profile: Result<MarketProfile, MarketError>, stateDirectory: URL,
        sites: [SiteConfig] = [], planner: @escaping Planner = BidService.defaultPlanner,
        heavy: HeavyWork = HeavyWork(), now: @escaping @Sendable () -> Date = { Date() }
    ) throws(FileDropError) {
        self.heavy = heavy
        self.store = store
        self.fleet = fleet
        self.profileResult = profile
        self.outbox = try Outbox(directory: stateDirectory.appendingPathComponent("outbox", isDirectory: true))
        self.forecastDirectory = stateDirectory.appendingPathComponent("forecasts", isDirectory: true)
        self.sites = sites
        self.planner = planner
        self.now = now
    }

    /// The planner of the Market module.
    /// The planner of the Market module, run off Swift's cooperative pool (`HeavyWork.offload`): a solve
    /// takes seconds, and those threads belong to the control loop.
    public static let defaultPlanner: Planner = { input in try await HeavyWork.offload { try BidPlanner.plan(input) } }

    /// Loads the configured market profile. The id `default` names `generic` (the shipped fallback profile).
    public static func loadProfile(_ settings: MarketSettings) -> Result<MarketProfile, MarketError> {
        let id = settings.profile == "default" ? "generic" : settings.profile
        let file = URL(fileURLWithPath: settings.profilesDirectory, isDirectory: true)
            .appendingPathComponent("\(id).yaml")
        do {
            return .success(try MarketProfileLoader.load(file: file))
        } catch {
            return .failure(error)
        }
    }

    /// Sets the DR obligation provider (the DR service calls this once at start).
    public func setObligationProvider(_ provider: @escaping ObligationProvider) {
        obligations = provider
    }

    /// The market profile, or 503 naming why it is not loaded.
    public func profile() throws -> MarketProfile {
        switch profileResult {
        case .success(let p): return p
        case .failure(let e): throw ServiceError.unavailable("market profile not loaded: \(e)")
        }
    }

    // MARK: - bids

    /// What a trader asks for when building a bid.
    public struct BuildRequest: Sendable, Codable {
        public var day: MarketDay
        /// A price forecast for the day, yuan/MWh (96); else the stored forecast, else the similar-day fallback.
        public var pricesYuanPerMWh: [Double]?
        /// Optional quantile series of that forecast, keyed by percent (`"10"`, `"90"`).
        public var quantiles: [String: [Double]]?
        /// Operator pre-check flags by interval (`"17": "tight"`).
        public var flags: [String: PrecheckFlag]?
        public init(
            day: MarketDay, pricesYuanPerMWh: [Double]? = nil, quantiles: [String: [Double]]? = nil,
            flags: [String: PrecheckFlag]? = nil
        ) {
            self.day = day
            self.pricesYuanPerMWh = pricesYuanPerMWh
            self.quantiles = quantiles
            self.flags = flags
        }
    }

    /// Builds, validates and stores the next bid version of `request.day`, writes it to `outbox/`, and
    /// returns it. 422 when the inputs are unusable or the bid fails validation (the reason names the interval).
    ///
    /// Builds of one day run one at a time (`HeavyWork`), so the version read here is still the latest when the
    /// new one is saved; a full queue answers 429.
    public func build(_ request: BuildRequest, by principal: Principal, from address: String) async throws
        -> BidStatusView
    {
        do {
            return try await heavy.run("bid:\(request.day)") {
                try await buildAlone(request, by: principal, from: address)
            }
        } catch let busy as HeavyWork.Busy {
            throw ServiceError.busy("busy", "bid build for \(request.day): \(busy)", retryAfter: 5)
        }
    }

    private func buildAlone(_ request: BuildRequest, by principal: Principal, from address: String) async throws
        -> BidStatusView
    {
        let profile = try profile()
        let day = request.day
        let flags = try Self.flags(request.flags)
        let forecast = try await priceForecast(day: day, given: request)
        let bounds = try await mergedObligations(day: day)
        var input = BidPlanningInput(
            day: day, profile: profile, resources: planningResources(at: now()), prices: forecast)
        input.flags = flags
        input.netInjectionMinMW = (1...MarketInterval.perDay).map { bounds[$0]?.minMW }
        input.netInjectionMaxMW = (1...MarketInterval.perDay).map { bounds[$0]?.maxMW }
        input.siteLimits = Dictionary(
            uniqueKeysWithValues: sites.map {
                ($0.id, .init(exportKW: $0.connectionLimitKW, importKW: $0.connectionLimitKW))
            })
        let plan: BidPlan
        do {
            plan = try await planner(input)
        } catch let e as ServiceError {
            throw e
        } catch {
            throw ServiceError.invalid("bid_not_built", "\(error)")
        }
        let latest = try await store.bids.get(day: day)?.version ?? 0
        // Whole seconds: the document's ISO 8601 `createdAt` must read back to the same instant.
        let at = Date(timeIntervalSince1970: now().timeIntervalSince1970.rounded(.down))
        let document = BidDocument(
            profile: profile, marketDay: day, version: latest + 1, createdAt: at,
            source: "api:\(principal.name)",
            curves: plan.curves, capabilityMW: plan.capabilityMW, flags: flags, obligations: bounds,
            expectedMW: plan.expectedNetMW, forecastYuanPerMWh: forecast.expectedYuanPerMWh,
            relaxations: Self.relaxations(of: plan))
        do {
            try document.validate(profile: profile)
        } catch {
            throw ServiceError.invalid("invalid_bid", "\(error)")
        }
        let payload = try Self.encode(document)
        let late = at > profile.gateClosure(for: day)
        let audit = AuditEntry(
            at: at, actor: principal.name, role: principal.role.rawValue, action: "bid.build",
            target: "bid:\(day)",
            detail:
                "v\(document.version): forecast \(forecast.source.rawValue), \(plan.relaxations.count) relaxations"
                + (late ? ", after gate closure \(profile.gateClosure(for: day))" : ""),
            sourceAddress: address)
        let version = try await store.bids.save(
            day: day, payload: payload, source: document.source, at: at, audit: audit)
        guard version == document.version else {
            throw ServiceError.conflict(
                "bid for \(day) stored as v\(version) while built as v\(document.version) (another writer?); build again"
            )
        }
        let files = try writeOutbox(document, payload: payload)
        return try await status(document, files: files)
    }

    /// A stored bid version (latest when `version` is nil); 404 when there is none.
    public func bid(day: MarketDay, version: Int? = nil) async throws -> BidDocument {
        guard let stored = try await store.bids.get(day: day, version: version) else {
            throw ServiceError.notFound(
                version.map { "no bid v\($0) for \(day)" } ?? "no bid for \(day); build one with POST /v1/bids")
        }
        do {
            return try BidDocument(json: stored.payload)
        } catch {
            throw ServiceError.failed("stored bid \(day) v\(stored.version) is unreadable: \(error)")
        }
    }

    /// The view of a stored bid with its submission state.
    public func bidStatus(day: MarketDay, version: Int? = nil) async throws -> BidStatusView {
        let document = try await bid(day: day, version: version)
        return try await status(document, files: outboxNames(document))
    }

    /// Marks `version` of `day` as submitted (the version a clearing must answer). 404 for an unknown
    /// version, 409 when the day already has an accepted clearing.
    public func submit(day: MarketDay, version: Int, by principal: Principal, from address: String) async throws
        -> BidStatusView
    {
        let document = try await bid(day: day, version: version)
        if let clearing = try await store.clearingResults.get(day: day) {
            throw ServiceError.conflict(
                "\(day) already has an accepted clearing (v\(clearing.version)); a new submission cannot replace it")
        }
        let profile = try profile()
        let at = now()
        let late = at > profile.gateClosure(for: day)
        let files = try writeOutbox(document, payload: try Self.encode(document))
        _ = try await store.bidSubmissions.record(
            BidSubmission(day: day, version: version, submittedAt: at, actor: principal.name, late: late),
            audit: AuditEntry(
                at: at, actor: principal.name, role: principal.role.rawValue, action: "bid.submit",
                target: "bid:\(day)",
                detail: "v\(version) submitted"
                    + (late ? " after gate closure \(profile.gateClosure(for: day))" : ""),
                sourceAddress: address))
        return try await status(document, files: files)
    }

    /// The submitted version of `day`, nil when none was submitted.
    public func submittedVersion(day: MarketDay) async throws -> Int? {
        try await store.bidSubmissions.latest(day: day)?.version
    }

    func status(_ document: BidDocument, files: [String]) async throws -> BidStatusView {
        let versions = try await store.bids.versions(day: document.marketDay)
        let submitted = try await submittedVersion(day: document.marketDay)
        let profile = try profile()
        return BidStatusView(
            bid: document, latestVersion: versions.last?.version ?? document.version, submittedVersion: submitted,
            submitted: submitted == document.version,
            gateClosure: profile.gateClosure(for: document.marketDay),
            lateForGateClosure: document.createdAt > profile.gateClosure(for: document.marketDay), files: files)
    }

    // MARK: - outbox

    /// Writes `bid-<day>-v<N>.json` and `.csv` unless present; returns their names.
    func writeOutbox(_ document: BidDocument, payload: Data) throws -> [String] {
        let stem = "bid-\(document.marketDay)"
        var names: [String] = []
        for (ext, data) in [("json", payload), ("csv", Data(document.csv().utf8))] {
            do {
                let name = try Outbox.fileName(stem: stem, version: document.version, ext: ext)
                if !FileManager.default.fileExists(atPath: outbox.directory.appendingPathComponent(name).path) {
                    try outbox.write(data, stem: stem, version: document.version, ext: ext)
                }
                names.append(name)
            } catch {
                throw ServiceError.failed(
                    "bid \(document.marketDay) v\(document.version) is stored but its outbox file could not be written: \(error); submit re-writes it"
                )
            }
        }
        return names
    }

    func outboxNames(_ document: BidDocument) -> [String] {
        ["json", "csv"].compactMap { ext in
            guard
                let name = try? Outbox.fileName(stem: "bid-\(document.marketDay)", version: document.version, ext: ext),
                FileManager.default.fileExists(atPath: outbox.directory.appendingPathComponent(name).path)
            else { return nil }
            return name
        }
    }

    // MARK: - helpers

    func mergedObligations(day: MarketDay) async throws -> [Int: BidDocument.Range] {
        do {
            return try await obligations(day)
        } catch {
            throw ServiceError.invalid("bid_not_built", "DR obligations of \(day) unavailable: \(error)")
        }
    }

    /// Everything the plan had to give up, for the bid document: the optimizer's relaxations, storage planned
    /// from a clamped SOC, and intervals whose flags or DR bounds the fleet cannot meet (DESIGN §10).
    static func relaxations(of plan: BidPlan) -> [BidDocument.Relaxation] {
        plan.socClamped.map {
            .init(
                constraint: "socClamped", amount: abs($0.usedPercent - $0.measuredPercent), unit: "%",
                detail:
                    "\($0.resource): measured SOC \($0.measuredPercent) % outside its window, planned from \($0.usedPercent) %"
            )
        }
            + plan.boundConflicts.map {
                .init(
                    constraint: "boundConflict", interval: $0.interval,
                    amount: max($0.requiredMinMW - $0.capabilityMaxMW, $0.capabilityMinMW - $0.requiredMaxMW, 0),
                    unit: "MW",
                    detail:
                        "flags/DR bounds ask \($0.requiredMinMW)…\($0.requiredMaxMW) MW, the fleet can do \($0.capabilityMinMW)…\($0.capabilityMaxMW) MW; offered \($0.offeredMW) MW"
                )
            }
            + plan.relaxations.map {
                .init(
                    constraint: $0.kind.rawValue, interval: $0.interval, amount: $0.amount, unit: $0.unit,
                    detail: "\($0.subject): \($0.detail)")
            }
    }

    static func flags(_ raw: [String: PrecheckFlag]?) throws -> [Int: PrecheckFlag] {
        var out: [Int: PrecheckFlag] = [:]
        for (key, flag) in raw ?? [:] {
            guard let k = Int(key), (1...MarketInterval.perDay).contains(k) else {
                throw ServiceError.malformed("flags: key '\(key)' is not an interval 1…96")
            }
            out[k] = flag
        }
        return out
    }

    static func encode(_ document: BidDocument) throws -> Data {
        do {
            return try document.jsonData()
        } catch {
            throw ServiceError.failed("\(error)")
        }
    }

}
