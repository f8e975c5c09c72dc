import DeviceIO
import Fleet
import Foundation
import Hummingbird
import Logging
import ServiceLifecycle
import Store
import UnixSignals
import VPPCore

/// The composition root (DESIGN §2): builds the store, the fleet, the API and the control tick from a
/// `DaemonSetup` and runs them in one swift-service-lifecycle `ServiceGroup`.
///
/// Lifecycle:
/// - start: open the store (migrations), build the fleet, listen; `READY=1` once the API accepts connections.
/// - SIGHUP: reload config, profiles and tokens; on any error keep everything as it is and log why — except that
///   tokens the token file no longer lists are revoked even then (fail closed, `TokenStore.revokeUnlisted`).
/// - SIGTERM/SIGINT: graceful shutdown — stop accepting, finish requests, stop the tick, checkpoint the store,
///   exit 0.
/// - the control tick (every `control.periodMs`) advances command statuses and kicks the systemd watchdog, so
///   a stuck tick stops the kicks and systemd restarts the daemon.
public final class VPPDaemon: Sendable {
    public let configPath: String
    public let store: Store
    public let tokens: TokenStore
    public let fleet: FleetHandle
    public let status: DaemonStatus
    public let commands: CommandService
    /// Bids, clearing intake and price forecasts (issue 5).
    public let bids: BidService
    /// The file inbox (`<state>/inbox/`); clearing results arrive as kind `clearing`.
    public let inbox: Inbox
    /// The DR workflow (issue 7): inbox kinds `dr-invitation`, `dr-award`, `dr-cancel`, the `/v1/dr` routes, and
    /// the obligations the bid (bounds) and the dispatch loop (DR hook) consume.
    public let demandResponse: DemandResponseService
    /// Settlement and owner statements (issue 7 §5); nil when the market profile cannot be loaded.
    public let settlement: SettlementService?
    /// The dispatch loop, the only writer of setpoints (run by the control tick).
    public let dispatch: DispatchLoop
    /// Wakes the control tick when a command or schedule is stored.
    let wakeup: DispatchWakeup
    /// The running device layer, for the dispatch loop's writes.
    let runtimeBox: RuntimeBox
    let logger: Logger
    let notifier: ServiceNotifier
    let current: SetupBox
    let runtime: RuntimeService

    /// Builds the daemon from a loaded setup: opens the store and the fleet; listens only in `run()`.
    public init(
        configPath: String, setup: DaemonSetup, logger: Logger,
        notifier: ServiceNotifier = .fromEnvironment()
    )
        throws(DaemonError)
    {
        self.configPath = configPath
        self.logger = logger
        self.notifier = notifier
        self.current = SetupBox(setup)
        let wakeup = DispatchWakeup()
        self.wakeup = wakeup
        do {
            self.store = try Store(
                directory: setup.config.stateURL,
                options: setup.config.storeOptions(changeObserver: wakeup.changeObserver()))
        } catch {
            throw .store(error)
        }
        self.tokens = TokenStore(records: setup.tokens)
        self.fleet = FleetHandle(
            state: FleetState(devices: setup.descriptors, staleAfterMs: setup.staleAfterMs))
        let deviceLayer = try RuntimeFactory.make(setup, fleet: fleet.state)
        self.runtime = RuntimeService(runtime: deviceLayer, logger: logger)
        self.runtimeBox = RuntimeBox(deviceLayer)
        self.status = DaemonStatus(config: setup.summary)
        self.commands = CommandService(store: store, fleet: fleet)
        let heavy = HeavyWork()  // bid builds and settlements share one admission (README "API limits")
        do {
            self.bids = try BidService(
                store: store, fleet: fleet, profile: BidService.loadProfile(setup.config.market),
                stateDirectory: setup.config.stateURL, sites: setup.config.sites, heavy: heavy)
            self.demandResponse = try DemandResponseService(
                store: store, fleet: fleet, stateDirectory: setup.config.stateURL,
                profile: try? BidService.loadProfile(setup.config.market).get(), logger: logger)
            self.inbox = try Inbox(
                stateDirectory: setup.config.stateURL, store: store,
                pollInterval: .milliseconds(setup.config.inbox.pollIntervalMs),
                maxFileBytes: setup.config.inbox.maxFileBytes, logger: logger)
        } catch {
            throw .usage("cannot create inbox/outbox under \(setup.config.stateDirectory): \(error)")
        }
        if case .success(let profile) = BidService.loadProfile(setup.config.market) {
            let box = current  // the live setup: a SIGHUP reload's devices and owners are settled from then on
            var settlement = SettlementService(
                store: store, profile: profile, deviceProvider: { box.value.descriptors })
            settlement.heavy = heavy
            self.settlement = settlement
        } else {
            self.settlement = nil
        }
        self.dispatch = DispatchLoop(
            store: store, fleet: fleet.state, catalog: setup.profiles, writer: .runtime(runtimeBox),
            settings: .from(setup.config, logger: logger), changes: wakeup, logger: logger)
    }

    /// The API's environment.
    public var apiEnvironment: APIEnvironment {
        var env = APIEnvironment(
            tokens: tokens, fleet: fleet, status: status, commands: commands,
            maxBodyBytes: current.value.config.api.maxBodyBytes, bids: bids, settlement: settlement)
        env.demandResponse = demandResponse
        env.limits = current.value.config.api.limits
        env.dashboard = .beside(profilesDirectory: current.value.config.profilesDirectory)
        return env
    }

    /// Runs until SIGTERM/SIGINT (graceful shutdown) or a fatal error.
    public func run() async throws {
        let setup = current.value
        let openCommands = (try? await store.commands.open().count) ?? 0
        logger.info(
            "starting vppd",
            metadata: [
                "version": "\(VPPVersion.current)", "config": "\(configPath)",
                "devices": "\(setup.descriptors.count)",
                "sites": "\(setup.config.sites.count)", "tokens": "\(setup.tokens.count)",
                "openCommands": "\(openCommands)", "store": "\(store.path)",
            ])
        if setup.tokens.isEmpty {
            logger.warning(
                "no API tokens configured (api.tokenFile): every authenticated request will get 401")
        }
        MetricsBootstrap.bootstrap()
        _ = try? await store.audit.append(
            AuditEntry(
                at: Date(), actor: "vppd", role: "system", action: "daemon.start", target: "",
                detail:
                    "version \(VPPVersion.current), \(setup.descriptors.count) devices, \(openCommands) open commands"
            ))

        if case .failure(let error) = BidService.loadProfile(setup.config.market) {
            logger.error("market routes unavailable: \(error)")
        }
        let bids = self.bids
        await inbox.register(kind: "clearing") { file in try await bids.inboxHandler(file) }
        // A crash between a clearing's commit and its schedule's leaves the schedule to save now.
        let marketZone = TimeZone(identifier: setup.config.market.timeZone) ?? MarketDay.defaultTimeZone
        let marketToday = MarketDay(containing: Date(), timeZone: marketZone)
        await bids.repairSchedules(days: [marketToday.adding(days: -1), marketToday, marketToday.adding(days: 1)])
        // DR (issue 7): inbox kinds; obligations become the D-1 bid's bounds and the dispatch loop's DR term.
        let dr = demandResponse
        await dr.register(on: inbox)
        await bids.setObligationProvider { day in try await dr.bidBounds(day: day) }
        await dispatch.setDemandResponse { at in await dr.dispatchAdjustmentKW(at: at) }
        let router = APIRouter.make(apiEnvironment)
        let connections = setup.config.api.connectionSettings
        if let files = FileDescriptorLimit.raiseToHard(), files < UInt64(connections.maxConnections) + 256 {
            logger.warning(
                "open-file limit is below api.maxConnections plus a reserve: raise LimitNOFILE or lower api.maxConnections",
                metadata: ["limit": "\(files)", "maxConnections": "\(connections.maxConnections)"])
        }
        let address = "\(setup.config.api.host):\(setup.config.api.port)"
        let status = self.status
        let notifier = self.notifier
        let logger = self.logger
        let deviceCount = setup.descriptors.count
        let app = Application(
            router: router,
            // Connection limits (README "API limits"): header and idle timeouts, a cap with eviction of idle
            // connections, and a backlog deep enough for a burst of new clients (the kernel caps it at somaxconn).
            server: .guardedHTTP1(connections),
            configuration: ApplicationConfiguration(
                address: .hostname(setup.config.api.host, port: setup.config.api.port), serverName: "vppd",
                backlog: 4096),
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? setup.config.api.port
                status.setReady(true)
                logger.notice(
                    "API listening",
                    metadata: ["url": "http://\(setup.config.api.host):\(port)", "devices": "\(deviceCount)"])
                notifier.notify(
                    "READY=1\nSTATUS=serving API on \(setup.config.api.host):\(port), \(deviceCount) devices")
            },
            logger: Logger(
                label: "vppd.http",
                factory: { label in
                    var h = LineLogHandler(label: label, level: logger.logLevel)
                    h.logLevel = logger.logLevel > .notice ? logger.logLevel : .notice
                    return h
                }))
        let fleetHandle = fleet
        let store = self.store
        var tick = ControlTick(
            period: .milliseconds(setup.config.control.periodMs), store: store, notifier: notifier,
            logger: logger,
            // The STATUS line every ten control periods, at least every second and at most every 30 s.
            statusEvery: min(
                max(.milliseconds(setup.config.control.periodMs) * 10, .seconds(1)), .seconds(30)),
            statusLine: {
                let f = fleetHandle.fleetView().totals
                let open = (try? await store.commands.open().count).map(String.init) ?? "?"
                return
                    "serving API on \(address); devices \(f.ok) ok, \(f.stale) stale, \(f.down) down, \(f.unknown) unknown; \(open) open commands"
            }, dispatch: dispatch, wakeup: wakeup)
        tick.times = status.loopTimes
        tick.fleet = fleet.state
        let reload = ReloadService(daemon: self, signals: await UnixSignalsSequence(trapping: .sighup))
        let fleetState = fleet.state
        let telemetry = TelemetryRecorder(
            store: store, snapshots: { Array(fleetState.snapshotAll().values) },
            period: .milliseconds(max(setup.config.poll.intervalMs, 1000)),
            rawSamples: setup.config.retention.rawSamples, logger: logger)
        var groupConfig = ServiceGroupConfiguration(
            services: [
                .init(service: app, serviceName: "api"), .init(service: tick, serviceName: "control-tick"),
                .init(service: reload, serviceName: "reload"),
                .init(service: runtime, serviceName: "devices"),
                .init(service: inbox, serviceName: "inbox"),
                .init(service: telemetry, serviceName: "telemetry"),
            ],
            gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        groupConfig.maximumGracefulShutdownDuration = .seconds(10)
        let group = ServiceGroup(configuration: groupConfig)
        do {
            try await group.run()
        } catch {
            let listened = status.ready
            status.setReady(false)
            logger.error("service group failed", metadata: ["error": "\(error)", "listen": "\(address)"])
            // A failure before the API ever listened is (nearly always) the listen address: say so plainly.
            if !listened { throw DaemonError.listen(address: address, reason: "\(error)") }
            throw error
        }
        status.setReady(false)
        notifier.notify("STOPPING=1\nSTATUS=shutting down")
        _ = try? await store.audit.append(
            AuditEntry(
                at: Date(), actor: "vppd", role: "system", action: "daemon.stop",
                detail: "graceful shutdown"))
        try? await store.checkpoint()
        logger.notice("vppd stopped")
    }

    /// Rejects every open command whose device, or every device of whose site, the configuration no longer
    /// has: the dispatch loop could not honour it, and an operator reading it as in force would be misled.
    /// Each is audited; a store error leaves the command as it was and is logged (the loop ignores the target).
    func endCommandsWithoutTarget(devices: [DeviceDescriptor], at now: Date) async -> [CommandID] {
        let deviceIDs = Set(devices.map(\.id))
        let siteIDs = Set(devices.map(\.site))
        let open: [OperatorCommand]
        do {
            open = try await store.commands.open()
        } catch {
            logger.error("reload: cannot list open commands", metadata: ["error": "\(error)"])
            return []
        }
        var ended: [CommandID] = []
        for c in open {
            let gone: Bool
            switch c.target {
            case .device(let d): gone = !deviceIDs.contains(d)
            case .site(let site): gone = !siteIDs.contains(site)
            case .fleet: gone = false
            }
            guard gone else { continue }
            let detail = "target \(c.target) was removed by a configuration reload"
            do {
                try await store.commands.transition(
                    c.id, to: .rejected, detail: detail, at: now,
                    audit: AuditEntry(
                        at: now, actor: "vppd", role: "system", action: "command.rejected",
                        target: "command:\(c.id)", detail: detail))
                ended.append(c.id)
                logger.notice("command ended", metadata: ["command": "\(c.id)", "reason": "\(detail)"])
            } catch {
                logger.error("reload: cannot end command", metadata: ["command": "\(c.id)", "error": "\(error)"])
            }
        }
        return ended
    }

    /// Reloads config, profiles and tokens from `configPath`. On any error nothing changes but revocation: tokens
    /// that the token file no longer lists identically are revoked first (a deleted file revokes all); then the
    /// reason is logged, audited and shown in `/v1/status` (`lastReload`).
    @discardableResult
    public func reload() async -> ReloadView {
        notifier.notify("RELOADING=1\nSTATUS=reloading configuration")
        defer { notifier.notify("READY=1\nSTATUS=serving API, configuration reloaded") }
        let now = Date()
        let result: ReloadView
        do {
            let new = try DaemonSetup.load(configPath: configPath)
            let old = current.value
            var notes: [String] = []
            if new.config.api.host != old.config.api.host || new.config.api.port != old.config.api.port {
                notes.append("api listen address change takes effect at restart")
            }
            if new.config.logLevel != old.config.logLevel {
                notes.append("logLevel change takes effect at restart")
            }
            if new.config.api.maxBodyBytes != old.config.api.maxBodyBytes {
                notes.append("api.maxBodyBytes change takes effect at restart")
            }
            if new.config.stateDirectory != old.config.stateDirectory {
                notes.append("stateDirectory change takes effect at restart")
            }
            tokens.replace(with: new.tokens)
            if new.descriptors != old.descriptors || new.profiles != old.profiles
                || new.config.mqtt != old.config.mqtt
            {
                // Build the new device layer first: if that fails, nothing has changed yet.
                let newRuntime = try RuntimeFactory.make(new, fleet: fleet.state)
                let changes = fleet.state.reconcile(with: new.descriptors, staleAfterMs: new.staleAfterMs)
                fleet.invalidateAggregate()
                runtime.replace(with: newRuntime)
                runtimeBox.set(newRuntime)
                await dispatch.reconfigure(catalog: new.profiles)
                notes.append(
                    "devices: \(changes.added.count) added, \(changes.removed.count) removed, \(changes.updated.count + changes.replaced.count) changed; device layer restarted"
                )
            }
            current.set(new)
            let ended = await endCommandsWithoutTarget(devices: new.descriptors, at: now)
            if !ended.isEmpty {
                notes.append(
                    "\(ended.count) open commands ended (their target was removed): \(ended.map(\.rawValue).joined(separator: ", "))"
                )
            }
            status.setConfig(new.summary)
            let detail =
                "reloaded \(configPath): \(new.descriptors.count) devices, \(new.profiles.count) profiles, \(new.tokens.count) tokens"
                + (notes.isEmpty ? "" : "; " + notes.joined(separator: "; "))
            logger.notice("configuration reloaded", metadata: ["detail": "\(detail)"])
            result = ReloadView(at: now, ok: true, detail: detail)
        } catch {
            // Fail closed (TokenStore.revokeUnlisted): revoke first what the token file no longer lists, then report.
            let revoked = tokens.revokeUnlisted(path: current.value.config.api.tokenFile)
            let detail =
                "reload refused, keeping the running configuration: \(error)"
                + (revoked.isEmpty ? "" : "; tokens no longer listed revoked: \(revoked.joined(separator: ", "))")
            logger.error(
                "configuration reload refused",
                metadata: [
                    "reason": "\(error)", "config": "\(configPath)", "revokedTokens": "\(revoked.count)",
                ])
            result = ReloadView(at: now, ok: false, detail: detail)
        }
        status.recordReload(result)
        _ = try? await store.audit.append(
            AuditEntry(
                at: now, actor: "vppd", role: "system",
                action: result.ok ? "config.reload" : "config.reload.refused",
                target: configPath, detail: result.detail))
        return result
    }
}
