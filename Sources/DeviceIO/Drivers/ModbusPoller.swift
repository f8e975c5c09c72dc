import Fleet
import Foundation
import Synchronization
import VPPCore

/// Polls every Modbus device of the fleet into `FleetState`, one loop per connection (DESIGN §10: a slow or dead
/// device never stalls the others; per-point rates: fast points every `fastPollMs`, slow ones every `slowPollMs`).
///
/// Each cycle of a connection submits the reads of every due device behind it as ONE batch, so a gateway with
/// 30 units costs one hop to its connection thread. A device whose reads all fail is marked down in FleetState
/// (and becomes stale by age); it is retried every cycle, and the connection reconnects with back-off by itself.
public final class ModbusPoller: Sendable {
    public let fleet: FleetState
    public let pool: ModbusConnectionPool
    /// Drivers by connection sharing key, in configuration order.
    private let groups: [(key: String, drivers: [ModbusDeviceDriver])]
    private let byID: [DeviceID: ModbusDeviceDriver]
    private let counters = Counters()

    /// Poll statistics for metrics and benchmarks.
    public final class Counters: Sendable {
        public let polls = Atomic<Int>(0)
        public let failedPolls = Atomic<Int>(0)
        public let rejectedValues = Atomic<Int>(0)
    }
    public var stats: Counters { counters }

    /// Called after every poll of every device with its outcome and the poll duration in seconds (metrics hook).
    public typealias Observer = @Sendable (PollOutcome, Double) -> Void
    private let observer: Observer?

    /// - Throws: `.badProfile` when a device names a missing or mismatched profile, `.connectFailed` when a
    ///   connection thread cannot start.
    public init(
        devices: [DeviceDescriptor], catalog: ProfileCatalog, fleet: FleetState,
        pool: ModbusConnectionPool = ModbusConnectionPool(), observer: Observer? = nil
    ) throws(DeviceIOError) {
        self.fleet = fleet
        self.pool = pool
        self.observer = observer
        var order: [String] = []
        var groups: [String: [ModbusDeviceDriver]] = [:]
        var byID: [DeviceID: ModbusDeviceDriver] = [:]
        for d in devices where d.address.transport == .modbus {
            let profile = try catalog.profile(for: d)
            let settings = profile.modbus ?? ModbusSettings()
            let endpoint: ModbusEndpoint
            let unit: Int
            switch d.address {
            case .modbusTCP(let host, let port, let u):
                endpoint = .tcp(host: host, port: port)
                unit = u
            case .modbusRTU(let dev, let baud, let parity, let u):
                endpoint = .rtu(
                    device: dev, baud: baud, parity: ModbusEndpoint.Parity(rawValue: parity) ?? .none)
                unit = u
            case .mqtt: continue
            }
            let client = try pool.client(
                endpoint: endpoint, unit: unit, options: ModbusConnectionOptions(settings))
            let driver = ModbusDeviceDriver(descriptor: d, profile: profile, client: client)
            if groups[endpoint.sharingKey] == nil { order.append(endpoint.sharingKey) }
            groups[endpoint.sharingKey, default: []].append(driver)
            byID[d.id] = driver
        }
        self.groups = order.map { ($0, groups[$0]!) }
        self.byID = byID
    }

    /// Every Modbus driver by device id.
    public func driver(_ id: DeviceID) -> ModbusDeviceDriver? { byID[id] }

    public var deviceCount: Int { byID.count }

    /// Polls every device once, all connections in parallel; returns when every answer is in FleetState.
    /// Used by the loop below and by `vppbench devices` to time a full-fleet poll cycle.
    public func pollAllOnce(slow: Bool = false) async {
        await withTaskGroup(of: Void.self) { group in
            for g in groups {
                group.addTask { await self.pollGroup(g.drivers, slow: slow) }
            }
        }
    }

    /// Runs the per-connection poll loops until the task is cancelled.
    public func run() async {
        await withTaskGroup(of: Void.self) { group in
            for g in groups {
                group.addTask { await self.loop(g.drivers) }
            }
        }
    }

    private func loop(_ drivers: [ModbusDeviceDriver]) async {
        let fastMs = drivers.map { $0.profile.timing.fastPollMs }.min() ?? 1000
        let slowMs = drivers.map { $0.profile.timing.slowPollMs }.min() ?? 30_000
        let clock = ContinuousClock()
        var nextSlow = clock.now
        var next = clock.now
        while !Task.isCancelled {
            let slow = clock.now >= nextSlow
            if slow { nextSlow = clock.now.advanced(by: .milliseconds(slowMs)) }
            await pollGroup(drivers, slow: slow)
            next = next.advanced(by: .milliseconds(fastMs))
            if next < clock.now { next = clock.now }  // fell behind: don't burst to catch up
            try? await Task.sleep(until: next, clock: clock)
        }
    }

    /// One batch for every device behind one connection.
    func pollGroup(_ drivers: [ModbusDeviceDriver], slow: Bool) async {
        guard let connection = drivers.first?.client.connection else { return }
        let started = ContinuousClock.now
        // Devices not yet discovered/planned prepare individually (discovery needs several round trips).
        var ready: [(ModbusDeviceDriver, ModbusPollPlan, Range<Int>)] = []
        var requests: [ModbusRequest] = []
        for d in drivers {
            if !d.isPrepared {
                do { try await d.prepare() } catch {
                    record(PollOutcome(device: d.id, error: error), started: started)
                    continue
                }
            }
            guard let (plan, reqs) = d.pollRequests(slow: slow) else { continue }
            ready.append((d, plan, requests.count..<requests.count + reqs.count))
            requests += reqs
        }
        if requests.isEmpty { return }
        let results = await connection.perform(requests)
        let now = Date()
        for (d, plan, range) in ready {
            let outcome = d.decodePoll(plan: plan, results: results[range])
            if !outcome.failed, !outcome.values.isEmpty {
                fleet.ingest(d.id, values: outcome.values, at: now)
            }
            record(outcome, started: started)
        }
    }

    private func record(_ outcome: PollOutcome, started: ContinuousClock.Instant) {
        counters.polls.add(1, ordering: .relaxed)
        if outcome.failed { counters.failedPolls.add(1, ordering: .relaxed) }
        if !outcome.rejected.isEmpty {
            counters.rejectedValues.add(outcome.rejected.count, ordering: .relaxed)
        }
        if outcome.failed, let e = outcome.transportErrors.first {
            fleet.markDown(outcome.device, error: e.description)
        }
        if let observer {
            let d = ContinuousClock.now - started
            observer(outcome, Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18)
        }
    }

    /// Closes every connection.
    public func shutdown() { pool.shutdown() }
}

extension PollOutcome {
    init(device: DeviceID, error: DeviceIOError) {
        self.init(device: device)
        transportErrors = [error]
    }
}
