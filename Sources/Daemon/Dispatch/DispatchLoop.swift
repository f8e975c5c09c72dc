import DeviceIO
import DispatchControl
import Fleet
import Foundation
import Logging
import Store
import VPPCore

/// The real-time dispatch loop (issue 6): the only writer of setpoints (DESIGN §1).
///
/// Each `cycle()` — called once per control period by the daemon's `ControlTick`, which kicks the systemd watchdog
/// only after the cycle returned (DESIGN §10) — does:
/// 1. a frozen snapshot of `FleetState`, the commands in force from the store, the day's stored schedule and the
///    DR obligation (`demandResponse`, a hook the DR workflow fills);
/// 2. the measured aggregate: the grid-connection meter when one is configured and trusted (`MeterCheck`: not
///    stale, not stuck), else the sum of the usable devices' power;
/// 3. energy tracking of the current market interval (`EnergyTracker`: the interval's energy lands on the
///    cleared quantity) and each device's contribution (`ContributionLedger`);
/// 4. `DispatchCycle.step` (commands → target → chain of limits → corrector → allocation → write plan);
/// 5. the planned writes, batched per connection, connections in parallel, each verified by read-back and
///    reported back with `confirm`; every attempt is appended to the store's setpoint log;
/// 6. at each interval's end (and every `progressEveryS` during it, so a restart resumes with the energy already
///    delivered) the `IntervalTracking` record is upserted into `store.tracking`.
///
/// Choices:
/// - **Failures never stall the loop.** A store read that fails keeps the last known commands and schedule; a write
///   that fails is logged and planned again next cycle; a slow device delays only its own connection's batch.
/// - **After a restart** (also after `kill -9`) the first cycle reads the schedule and the commands in force from
///   the store and writes every device afresh (the planner's memory is empty), and the current interval's tracking
///   resumes from its last stored progress. Devices meanwhile hold their last setpoints until their revert
///   timeouts (written with every setpoint, refreshed before half of it elapses) bring them back to their own
///   defaults — so a dead daemon never leaves them curtailed or discharging for long (DESIGN §8).
/// - **Two time bases.** Device time is wall-clock time (the device layer stamps telemetry with it); the market
///   time of energy tracking comes from `clock` so tests and benchmarks can run intervals fast.
public actor DispatchLoop {
    /// The loop runs on the control path's own thread, not Swift's cooperative pool (see `ControlExecutor`).
    public nonisolated var unownedExecutor: UnownedSerialExecutor {
        ControlExecutor.shared.asUnownedSerialExecutor()
    }

    /// Tunables; `VPPDaemon` derives them from the config.
    public struct Settings: Sendable {
        /// The control period, seconds (ramp windows, the last seconds of energy tracking).
        public var periodS: Double
        /// A device is not moved by less than this, kW.
        public var deadbandKW: Double
        /// The market profile's deviation tolerance, percent of the cleared energy.
        public var tolerancePercent: Double
        /// The grid-connection meter whose reading is the measured aggregate, when there is one.
        public var gridMeter: DeviceID?
        /// Connection limits per site, kW.
        public var siteLimits: [SiteID: PowerRange]
        /// Prices of moves (merit order).
        public var merit: MeritModel
        public var follow: FollowMonitor.Settings
        /// Corrector gain and bound (nil: 10 % of the fleet's rated power).
        public var correctorGain: Double
        public var maxCorrectionKW: Double?
        /// A meter reading that does not move for this long while the fleet does is distrusted, seconds.
        public var meterStuckAfterS: Double
        /// How often the running interval's progress is stored, seconds of wall time.
        public var progressEveryS: Double
        /// How often the schedule is re-read without a wake-up, seconds of wall time.
        public var scheduleRefreshS: Double
        /// How often the open commands are read from the store again, seconds of wall time: a backstop, as the
        /// loop keeps them from the changes the store reports (`DispatchWakeup.changeObserver`).
        public var commandRefreshS: Double
        /// The market's time zone (interval boundaries).
        public var timeZone: TimeZone

        public init(
            periodS: Double = 1, deadbandKW: Double = 0.1, tolerancePercent: Double = 5,
            gridMeter: DeviceID? = nil,
            siteLimits: [SiteID: PowerRange] = [:], merit: MeritModel = MeritModel(priceYuanPerMWh: 300),
            follow: FollowMonitor.Settings = .init(), correctorGain: Double = 0.5, maxCorrectionKW: Double? = nil,
            meterStuckAfterS: Double = 10, progressEveryS: Double = 5, scheduleRefreshS: Double = 30,
            commandRefreshS: Double = 60, timeZone: TimeZone = MarketDay.defaultTimeZone
        ) {
            self.periodS = periodS
            self.deadbandKW = deadbandKW
            self.tolerancePercent = tolerancePercent
            self.gridMeter = gridMeter
            self.siteLimits = siteLimits
            self.merit = merit
            self.follow = follow
            self.correctorGain = correctorGain
            self.maxCorrectionKW = maxCorrectionKW
            self.meterStuckAfterS = meterStuckAfterS
            self.progressEveryS = progressEveryS
            self.scheduleRefreshS = scheduleRefreshS
            self.commandRefreshS = commandRefreshS
            self.timeZone = timeZone
        }
    }

    /// The DR obligation in force at a market instant, kW to add to the schedule (positive = more export / less
    /// load). The DR workflow (issue 7) installs its own with `setDemandResponse`; the default is none.
    public typealias DemandResponseSource = @Sendable (Date) async -> Double

    public let store: Store
    public let fleet: FleetState
    public let settings: Settings
    let writer: SetpointWriter
    let clock: any DispatchClock
    let logger: Logger
    /// Tells when a schedule was stored (nil: re-read every `scheduleRefreshS` only).
    let changes: DispatchWakeup?
    var seenScheduleSaves = 0
    /// The open (pending or active) commands: read once, then kept up to date from `changes`.
    var openCommands: OpenCommands?
    /// When the open commands were last read from the store.
    var openCommandsReadAt = Date.distantPast
    /// A backstop read of the open commands is running; the changes taken meanwhile, to apply on top of it.
    var commandReadPending = false
    var changesSinceRead: [OperatorCommand] = []
    /// The DR source's newest answer, whether it is being asked, and whether its silence was logged.
    var latestDR: (at: Date, kW: Double)?
    var drAskPending = false
    var drStaleLogged = false
    /// A periodic re-read of the schedule is running.
    var scheduleReadPending = false
    /// Where tracking and setpoint records go to the store, in order, without the cycle waiting.
    let lane = RecordLane()
    var profiles: [DeviceID: DispatchCycle.DeviceProfileInfo]
    var demandResponse: DemandResponseSource = { _ in 0 }

    var core: DispatchCycle
    var meter: MeterCheck
    var commands: [OperatorCommand] = []
    var schedule: ScheduleCache?
    var tracking: IntervalProgress?
    /// The previous cycle's aggregate sample (market time) and per-device powers, to bridge interval boundaries.
    var lastSample: (at: Date, kW: Double, devices: [DeviceID: Double])?
    var envelope = PowerRange.unbounded
    var lastMarketStepS: Double
    /// Finished intervals (and the running one), newest last; at most two days.
    var records: [MarketInterval: IntervalTracking] = [:]
    var counters = DispatchCounters()
    var lastReport: CycleReport?
    var lastWriting: CycleReport?
    var confirmed: [DeviceID: ConfirmedSetpoint] = [:]

    /// - Parameters:
    ///   - catalog: the catalog the devices' profiles come from (control points, timing).
    ///   - changes: the daemon's wake-up; a stored schedule is re-read on the next cycle.
    public init(
        store: Store, fleet: FleetState, catalog: ProfileCatalog, writer: SetpointWriter,
        clock: any DispatchClock = SystemDispatchClock(), settings: Settings = Settings(),
        changes: DispatchWakeup? = nil, logger: Logger = Logger(label: "vppd.dispatch")
    ) {
        self.changes = changes
        self.store = store
        self.fleet = fleet
        self.writer = writer
        self.clock = clock
        self.settings = settings
        self.logger = logger
        self.profiles = Self.profileInfo(fleet: fleet, catalog: catalog)
        let rated = fleet.snapshotAll().values.filter { DispatchKinds.isDispatched($0.descriptor.kind) }.reduce(0) {
            $0 + max(0, $1.descriptor.ratedPowerKW)
        }
        self.core = DispatchCycle(
            allocator: Allocator(
                settings: AllocatorSettings(
                    controlPeriodS: settings.periodS, deadbandKW: settings.deadbandKW,
                    siteLimits: settings.siteLimits)),
            follow: settings.follow,
            corrector: AggregateCorrector(
                gain: settings.correctorGain, maxCorrectionKW: settings.maxCorrectionKW ?? max(1, 0.1 * rated)))
        self.meter = MeterCheck(stuckAfterS: settings.meterStuckAfterS)
        self.lastMarketStepS = settings.periodS
    }

    /// Installs the DR obligation source (issue 7).
    public func setDemandResponse(_ source: @escaping DemandResponseSource) {
        demandResponse = source
        latestDR = nil
    }

    /// The DR obligation for the cycle at `marketNow`, kW: the newest answer of the source, asked again in the
    /// background every cycle. The DR service answers from the store and serves API requests too, so the cycle
    /// does not wait for it (README "API limits"); its answer is at most one cycle old. An answer older than
    /// `maxDRAgeS` of market time is not used: the cycle then takes 0 and says so once.
    func demandResponseKW(at marketNow: Date) -> Double {
        if !drAskPending {
            drAskPending = true
            let source = demandResponse
            Task { [self] in
                let kW = await source(marketNow)
                installDR(kW, at: marketNow)
            }
        }
        guard let latest = latestDR else { return 0 }
        guard abs(marketNow.timeIntervalSince(latest.at)) <= Self.maxDRAgeS else {
            if !drStaleLogged {
                drStaleLogged = true
                logger.warning(
                    "dispatch: the DR obligation source has not answered; dispatching without DR",
                    metadata: ["lastAnswerAt": "\(latest.at)"])
            }
            return 0
        }
        return latest.kW
    }

    /// How old an answer of the DR source may be, seconds of market time.
    static let maxDRAgeS: Double = 60

    private func installDR(_ kW: Double, at: Date) {
        drAskPending = false
        if let l = latestDR, l.at > at { return }
        latestDR = (at, kW.isFinite ? kW : 0)
        drStaleLogged = false
    }

    /// Takes the profiles of a reloaded configuration (devices added, removed or re-profiled).
    public func reconfigure(catalog: ProfileCatalog) {
        profiles = Self.profileInfo(fleet: fleet, catalog: catalog)
    }

    /// The schedule changed in the store: re-read it on the next cycle.
    public func scheduleChanged() { schedule = nil }

    /// Whether the store's command statuses may need `advance` at `now`: false only when the open commands the
    /// loop holds show none due, so an idle tick does not queue for the store's writer.
    public func commandStatusChangeDue(at now: Date) -> Bool {
        openCommands?.statusChangeDue(at: now) ?? true
    }

    static func profileInfo(fleet: FleetState, catalog: ProfileCatalog) -> [DeviceID: DispatchCycle.DeviceProfileInfo] {
        var out: [DeviceID: DispatchCycle.DeviceProfileInfo] = [:]
        for (id, s) in fleet.snapshotAll() {
            guard let p = catalog[s.descriptor.profile] else { continue }
            out[id] = DispatchCycle.DeviceProfileInfo(controls: Set(p.controls.keys), timing: p.timing)
        }
        return out
    }

    /// Runs one control cycle and returns what it did. Never throws: every failure is logged, counted and shown in
    /// `status()`.
    @discardableResult
    public func cycle() async -> CycleReport {
        let started = ContinuousClock.now
        let now = Date()
        let marketNow = clock.now()
        let snapshots = fleet.snapshotAll().values.sorted { $0.descriptor.id < $1.descriptor.id }
        await refreshCommands(now: now)
        await refreshSchedule(marketNow: marketNow)

        // The measured aggregate: devices, and the grid meter when configured and trusted.
        var deviceKW: [DeviceID: Double] = [:]
        var deviceSum = 0.0
        var meterKW: Double?
        for s in snapshots where s.health(now: now) == .ok {
            guard let p = s.value(.activePowerKW), p.isFinite else { continue }
            if !DispatchKinds.isDispatched(s.descriptor.kind) {
                if s.descriptor.id == settings.gridMeter { meterKW = p }
                continue
            }
            deviceKW[s.descriptor.id] = p
            deviceSum += p
        }
        let metered =
            settings.gridMeter == nil ? nil : meter.measurement(meterKW: meterKW, deviceSumKW: deviceSum, at: now)
        let measured = metered ?? deviceSum

        let marketKW = await track(marketNow: marketNow, measuredKW: measured, deviceKW: deviceKW)
        let dr = demandResponseKW(at: marketNow)
        let out = core.step(
            DispatchCycle.Inputs(
                now: now, snapshots: snapshots, profiles: profiles, commands: commands, marketKW: marketKW,
                demandResponseKW: dr.isFinite ? dr : 0, merit: settings.merit, meteredKW: measured))
        envelope = out.allocation.envelope
        let writesStarted = ContinuousClock.now
        let written = await perform(out.plan, commands: commands, snapshots: snapshots, now: now)
        let report = CycleReport(
            at: now, marketAt: marketNow, target: out.target, askedKW: out.askedKW, measuredKW: measured,
            meterTrusted: settings.gridMeter == nil ? nil : metered != nil, allocatedKW: out.allocation.allocatedKW,
            clamped: out.allocation.isClamped, excluded: out.allocation.excluded, deferred: out.plan.deferred.count,
            writesPlanned: out.plan.writes.count, writesOK: written.ok, writesFailed: written.failed,
            durationMs: (ContinuousClock.now - started).milliseconds,
            writeMs: (ContinuousClock.now - writesStarted).milliseconds)
        counters.cycles += 1
        counters.cycleMsTotal += report.durationMs
        counters.cycleMsMax = max(counters.cycleMsMax, report.durationMs)
        if report.writesPlanned > 0 { lastWriting = report }
        counters.writesOK += written.ok
        counters.writesFailed += written.failed
        lastReport = report
        return report
    }

    /// The commands in force now. With a wake-up, the open commands are read from the store once (and again
    /// every `commandRefreshS` as a backstop) and otherwise kept from the changes the store reports as it commits
    /// them: under an API flood the store's readers and writer are busy with requests, and a cycle that queued
    /// behind them was late by the length of the queue (README "API limits"). Without one they are read every
    /// cycle.
    func refreshCommands(now: Date) async {
        if let changes {
            let taken = changes.takeCommandChanges()
            if var open = openCommands, case .changed(let changed) = taken {
                open.apply(changed)
                openCommands = open
                commands = open.inForce(at: now)
                if commandReadPending {
                    changesSinceRead += changed
                } else if Date().timeIntervalSince(openCommandsReadAt) >= settings.commandRefreshS {
                    rereadCommandsInBackground()
                }
                return
            }
            do {
                // The first read (or one after changes were lost): the cycle waits for it.
                var open = OpenCommands(try await store.commands.open())
                if case .changed(let changed) = changes.takeCommandChanges() { open.apply(changed) }
                openCommands = open
                openCommandsReadAt = Date()
                commands = open.inForce(at: now)
            } catch {
                openCommands = nil
                counters.storeErrors += 1
                logger.error("dispatch: cannot read commands, keeping the last known", metadata: ["error": "\(error)"])
            }
            return
        }
        do {
            commands = try await store.commands.inForce(at: now)
        } catch {
            counters.storeErrors += 1
            logger.error("dispatch: cannot read commands, keeping the last known", metadata: ["error": "\(error)"])
        }
    }

    /// The backstop read of the open commands, off the cycle: changes taken while it runs are applied on top of
    /// what it returns, so the newest state of every command wins.
    private func rereadCommandsInBackground() {
        commandReadPending = true
        changesSinceRead = []
        let store = self.store
        Task { [self] in
            do {
                let open = try await store.commands.open()
                installReread(open)
            } catch {
                commandReadPending = false
                openCommandsReadAt = Date()
                counters.storeErrors += 1
                logger.error(
                    "dispatch: cannot re-read commands, keeping the held ones", metadata: ["error": "\(error)"])
            }
        }
    }

    private func installReread(_ read: [OperatorCommand]) {
        var fresh = OpenCommands(read)
        fresh.apply(changesSinceRead)
        changesSinceRead = []
        commandReadPending = false
        openCommands = fresh
        openCommandsReadAt = Date()
    }

    /// The day's schedule. A new day, or a schedule stored since the last read, is read before the cycle goes
    /// on; the periodic re-read (`scheduleRefreshS`) runs off the cycle when a wake-up reports stored schedules,
    /// so it does not queue behind an API flood's store work (README "API limits").
    func refreshSchedule(marketNow: Date) async {
        let day = MarketDay(containing: marketNow, timeZone: settings.timeZone)
        let saves = changes?.scheduleSaves ?? 0
        if let s = schedule, s.day == day, saves == seenScheduleSaves {
            let due = Date().timeIntervalSince(s.loadedAt) >= settings.scheduleRefreshS
            guard due else { return }
            if changes != nil {
                if !scheduleReadPending { rereadScheduleInBackground(day: day, saves: saves) }
                return
            }
        }
        seenScheduleSaves = saves
        do {
            let stored = try await store.schedules.get(day: day)
            if let old = schedule, old.day == day, old.stored?.version != stored?.version {
                logger.notice(
                    "dispatch: schedule changed",
                    metadata: ["day": "\(day)", "version": "\(stored.map { String($0.version) } ?? "none")"])
            }
            schedule = ScheduleCache(day: day, stored: stored, loadedAt: Date())
        } catch {
            counters.storeErrors += 1
            logger.error("dispatch: cannot read the schedule", metadata: ["error": "\(error)"])
        }
    }
}

extension DispatchLoop {
    fileprivate func rereadScheduleInBackground(day: MarketDay, saves: Int) {
        scheduleReadPending = true
        let store = self.store
        Task { [self] in
            do {
                let stored = try await store.schedules.get(day: day)
                installScheduleReread(stored, day: day, saves: saves)
            } catch {
                scheduleReadPending = false
                if let s = schedule, s.day == day { schedule?.loadedAt = Date() }
                counters.storeErrors += 1
                logger.error("dispatch: cannot re-read the schedule", metadata: ["error": "\(error)"])
            }
        }
    }

    private func installScheduleReread(_ stored: StoredSchedule?, day: MarketDay, saves: Int) {
        scheduleReadPending = false
        // A read the cycle made itself since (new day, new schedule) is newer than this one.
        guard let old = schedule, old.day == day, seenScheduleSaves == saves else { return }
        if old.stored?.version != stored?.version {
            logger.notice(
                "dispatch: schedule changed",
                metadata: ["day": "\(day)", "version": "\(stored.map { String($0.version) } ?? "none")"])
        }
        schedule = ScheduleCache(day: day, stored: stored, loadedAt: Date())
    }
}

/// The day's schedule as last read.
struct ScheduleCache: Sendable {
    var day: MarketDay
    var stored: StoredSchedule?
    var loadedAt: Date
}

/// A verified setpoint, for `status()` and the benchmark.
public struct ConfirmedSetpoint: Sendable, Hashable, Codable {
    public var point: CanonicalPoint
    public var value: Double
    public var kW: Double
    public var at: Date
}

/// Running totals since the loop started.
public struct DispatchCounters: Sendable, Hashable, Codable {
    public var cycles = 0
    public var writesOK = 0
    public var writesFailed = 0
    public var storeErrors = 0
    /// Wall time spent in cycles, total and longest, ms.
    public var cycleMsTotal = 0.0
    public var cycleMsMax = 0.0
}
