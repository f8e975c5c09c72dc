import Foundation
import GRDB
import VPPCore

/// The durable store (DESIGN §5): one SQLite database in WAL mode under the state directory, opened through a
/// GRDB `DatabasePool` (one writer, concurrent readers), migrated on open, with one repository per aggregate.
///
/// **Write before acknowledge.** Every write method is `async` and returns only after its transaction has
/// committed, so a caller may acknowledge as soon as the call returns.
///
/// **Durability classes.** SQLite's `synchronous` setting is per connection, not per table, so the store
/// sets it per write transaction on the single writer connection:
/// - `.durable` (`synchronous = FULL`): the WAL is fsynced at every commit, so the row survives a power
///   loss or kernel crash, not only a `kill -9`. Used for everything a person or a market acknowledged:
///   operator commands, audit log, bids, clearing results, schedules, DR events, inbox ledger.
/// - `.bulk` (`synchronous = NORMAL`): the commit is in the OS page cache, which survives a `kill -9` of
///   vppd but not a power loss (the WAL is fsynced at the next checkpoint or the next durable commit).
///   Used for telemetry roll-ups, raw samples and the setpoint log, which are written every control cycle and
///   whose loss of the last second on a power cut is harmless.
/// Because WAL frames are appended in commit order, a later `.durable` commit also makes every earlier
/// `.bulk` commit durable. Measured cost on this machine: see the README / `StoreTests` latency test.
public final class Store: Sendable {
    /// How a write must survive failures; see the type documentation.
    public enum Durability: Sendable {
        case durable
        case bulk
    }

    /// Options chosen at open time.
    public struct Options: Sendable {
        /// Time zone of the market day used to key telemetry roll-ups (default Asia/Shanghai).
        public var marketTimeZone: TimeZone
        /// Raw samples older than this are deleted by `pruneRetention(now:)`, seconds (default 2 days).
        public var rawSampleRetentionSeconds: TimeInterval
        /// Setpoint log rows older than this are deleted by `pruneRetention(now:)`, seconds (default 90 days).
        public var setpointLogRetentionSeconds: TimeInterval
        /// How long a writer waits for a lock held by another process before failing, seconds.
        public var busyTimeoutSeconds: TimeInterval
        /// Telemetry roll-ups older than this are deleted by `pruneRetention(now:)`, seconds; nil keeps them
        /// (default: settlement needs them).
        public var telemetryRetentionSeconds: TimeInterval?
        /// Called after every write transaction with the operation name (`command.create`, …), its durability
        /// class, the wall time in seconds (including waiting for the writer) and whether it committed. The
        /// daemon feeds its store-write-latency metric from here; the store itself does not depend on metrics.
        public var writeObserver:
            (
                @Sendable (
                    _ operation: String, _ durability: Durability, _ seconds: Double, _ committed: Bool
                ) -> Void
            )?
        /// Called on the writer's queue right after each committed write that readers react to (`StoreChange`:
        /// commands created or changed, as now stored, in commit order; a schedule saved). The dispatch loop keeps
        /// its open commands from these instead of reading the table every cycle (README "API limits") and wakes
        /// on them. Never called for a rolled-back write. It must return quickly.
        public var changeObserver: (@Sendable (_ change: StoreChange) -> Void)?

        public init(
            marketTimeZone: TimeZone = MarketDay.defaultTimeZone,
            rawSampleRetentionSeconds: TimeInterval = 2 * 86_400,
            setpointLogRetentionSeconds: TimeInterval = 90 * 86_400, busyTimeoutSeconds: TimeInterval = 5,
            telemetryRetentionSeconds: TimeInterval? = nil,
            writeObserver: (@Sendable (String, Durability, Double, Bool) -> Void)? = nil,
            changeObserver: (@Sendable (StoreChange) -> Void)? = nil
        ) {
            self.marketTimeZone = marketTimeZone
            self.rawSampleRetentionSeconds = rawSampleRetentionSeconds
            self.setpointLogRetentionSeconds = setpointLogRetentionSeconds
            self.busyTimeoutSeconds = busyTimeoutSeconds
            self.telemetryRetentionSeconds = telemetryRetentionSeconds
            self.writeObserver = writeObserver
            self.changeObserver = changeObserver
        }
    }

    /// Path of the database file.
    public let path: String
    public let options: Options
    let pool: DatabasePool

    public let commands: CommandRepository
    public let audit: AuditRepository
    public let telemetry: TelemetryRepository
    public let rawSamples: RawSampleRepository
    public let setpoints: SetpointLogRepository
    public let bids: MarketDocumentRepository
    public let clearingResults: MarketDocumentRepository
    public let schedules: ScheduleRepository
    public let drEvents: DREventRepository
    public let inboxLedger: InboxLedgerRepository
    public let tracking: TrackingRepository
    /// Settled days (`DaySettlement` JSON of the Market module), versioned per market day.
    public let settlements: MarketDocumentRepository
    /// Which bid version of a day was submitted, and when.
    public let bidSubmissions: BidSubmissionRepository

    /// File name of the database inside a state directory.
    public static let fileName = "vppd.sqlite"

    /// Opens (creating if needed) `<directory>/vppd.sqlite` and migrates it to the current schema.
    public convenience init(directory: URL, options: Options = Options()) throws(StoreError) {
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw .open(
                path: directory.path, reason: "cannot create directory: \(error.localizedDescription)")
        }
        try self.init(path: directory.appendingPathComponent(Self.fileName).path, options: options)
    }

    /// Opens (creating if needed) the database file at `path` and migrates it.
    public init(path: String, options: Options = Options()) throws(StoreError) {
        self.path = path
        self.options = options
        var config = Configuration()
        config.busyMode = .timeout(options.busyTimeoutSeconds)
        config.foreignKeysEnabled = true
        config.label = "vppd.store"
        config.prepareDatabase { db in
            // Default for every connection; writes override it per transaction (see Durability).
            try db.execute(sql: "PRAGMA synchronous = FULL")
        }
        let pool: DatabasePool
        do {
            pool = try DatabasePool(path: path, configuration: config)
        } catch {
            throw .open(path: path, reason: "\(error)")
        }
        // A store written by a newer vppd (migrations this binary does not know) is refused rather than used
        // with a schema it does not understand; downgrades need a restored backup.
        let migrator = Migrations.migrator()
        let superseded: Bool
        do {
            superseded = try pool.read { db in try migrator.hasBeenSuperseded(db) }
        } catch {
            throw .open(path: path, reason: "\(error)")
        }
        if superseded {
            throw .migration(
                reason: "\(path) was written by a newer vppd (unknown schema migrations); refusing to open")
        }
        do {
            try migrator.migrate(pool)
        } catch {
            throw .migration(reason: "\(error)")
        }
        self.pool = pool
        let core = StoreCore(pool: pool, options: options)
        self.commands = CommandRepository(core: core)
        self.audit = AuditRepository(core: core)
        self.telemetry = TelemetryRepository(core: core)
        self.rawSamples = RawSampleRepository(core: core)
        self.setpoints = SetpointLogRepository(core: core)
        self.bids = MarketDocumentRepository(core: core, table: .bid)
        self.clearingResults = MarketDocumentRepository(core: core, table: .clearingResult)
        self.schedules = ScheduleRepository(core: core)
        self.drEvents = DREventRepository(core: core)
        self.inboxLedger = InboxLedgerRepository(core: core)
        self.tracking = TrackingRepository(core: core)
        self.settlements = MarketDocumentRepository(core: core, table: .settlement)
        self.bidSubmissions = BidSubmissionRepository(core: core)
    }

    /// A store in a fresh temporary directory, for tests and benchmarks. The caller removes `directory`.
    public static func temporary(options: Options = Options()) throws(StoreError) -> (
        store: Store, directory: URL
    ) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent(
            "vppd-store-\(UUID().uuidString)")
        return (try Store(directory: dir, options: options), dir)
    }

    /// Identifiers of the applied migrations, oldest first.
    public func appliedMigrations() async throws(StoreError) -> [String] {
        let pool = self.pool
        return try await StoreCore(pool: pool, options: options).read("migrations") { db in
            try Migrations.migrator().appliedIdentifiers(db).sorted()
        }
    }

    /// Deletes raw samples, setpoint log rows and (when a retention is set) telemetry roll-ups older than their
    /// retention (Options). Returns rows deleted. The daemon calls this about hourly.
    @discardableResult
    public func pruneRetention(now: Date) async throws(StoreError) -> Int {
        let raw = try await rawSamples.prune(
            olderThan: now.addingTimeInterval(-options.rawSampleRetentionSeconds))
        let sp = try await setpoints.prune(
            olderThan: now.addingTimeInterval(-options.setpointLogRetentionSeconds))
        var telemetryRows = 0
        if let keep = options.telemetryRetentionSeconds {
            telemetryRows = try await telemetry.prune(olderThan: now.addingTimeInterval(-keep))
        }
        return raw + sp + telemetryRows
    }

    /// Checkpoints the WAL into the main database file (e.g. at graceful shutdown).
    public func checkpoint() async throws(StoreError) {
        _ = try await StoreCore(pool: pool, options: options).writeRaw("checkpoint") { db in
            try db.checkpoint(.truncate)
        }
    }

    /// Checkpoints and closes every connection (graceful shutdown). Any later call fails with a database error.
    public func close() async throws(StoreError) {
        try await checkpoint()
        do {
            try pool.close()
        } catch {
            throw StoreCore.map(error, "close")
        }
    }
}

/// What every repository shares: the pool, the options and the write/read helpers that map errors and set
/// the durability class.
struct StoreCore: Sendable {
    let pool: DatabasePool
    let options: Store.Options

    /// Runs `body` in one transaction with the given durability; returns after commit.
    func write<T: Sendable>(
        _ operation: String, _ durability: Store.Durability,
        _ body: @escaping @Sendable (Database) throws -> T
    ) async throws(StoreError) -> T {
        let pragma =
            durability == .durable ? "PRAGMA synchronous = FULL" : "PRAGMA synchronous = NORMAL"
        let started = ContinuousClock.now
        do {
            let result = try await writeRaw(operation) { db in
                try db.execute(sql: pragma)
                var result: T?
                try db.inTransaction {
                    result = try body(db)
                    return .commit
                }
                guard let result else {
                    throw StoreError.database(operation: operation, reason: "no result")
                }
                return result
            }
            observe(operation, durability, started, true)
            return result
        } catch {
            observe(operation, durability, started, false)
            throw error
        }
    }

    private func observe(
        _ operation: String, _ durability: Store.Durability, _ started: ContinuousClock.Instant,
        _ ok: Bool
    ) {
        guard let observer = options.writeObserver else { return }
        let d = ContinuousClock.now - started
        observer(
            operation, durability, Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18,
            ok)
    }

    /// Hands `commands` to `Options.changeObserver` once the transaction `db` is in commits (never on rollback).
    func commandsChanged(_ commands: [OperatorCommand], in db: Database) {
        guard !commands.isEmpty else { return }
        changed(.commands(commands), in: db)
    }

    /// Hands `change` to `Options.changeObserver` once the transaction `db` is in commits (never on rollback).
    func changed(_ change: StoreChange, in db: Database) {
        guard let observer = options.changeObserver else { return }
        db.afterNextTransaction { _ in observer(change) }
    }

    /// Runs `body` on the writer connection outside a transaction.
    func writeRaw<T: Sendable>(
        _ operation: String, _ body: @escaping @Sendable (Database) throws -> T
    ) async throws(StoreError) -> T {
        do {
            return try await pool.writeWithoutTransaction(body)
        } catch let e as StoreError {
            throw e
        } catch {
            throw Self.map(error, operation)
        }
    }

    /// Runs `body` on a reader connection (concurrent with writes; sees the last committed state).
    func read<T: Sendable>(
        _ operation: String, _ body: @escaping @Sendable (Database) throws -> T
    ) async throws(StoreError) -> T {
        do {
            return try await pool.read(body)
        } catch let e as StoreError {
            throw e
        } catch {
            throw Self.map(error, operation)
        }
    }

    static func map(_ error: any Error, _ operation: String) -> StoreError {
        if let db = error as? DatabaseError {
            return .database(operation: operation, reason: db.message ?? "\(db.resultCode)")
        }
        return .database(operation: operation, reason: "\(error)")
    }
}

/// Milliseconds since 1970 UTC, the store's time representation.
extension Date {
    var storeMillis: Int64 { Int64((timeIntervalSince1970 * 1000).rounded()) }
    init(storeMillis: Int64) { self.init(timeIntervalSince1970: Double(storeMillis) / 1000) }
}
