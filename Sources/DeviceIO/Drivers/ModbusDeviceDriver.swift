import Fleet
import Foundation
import Synchronization
import VPPCore

/// One Modbus device bound to its shared connection: SunSpec discovery, poll plans per poll class, decoding into
/// canonical values with plausibility checks, and write-and-verify of setpoints.
///
/// The driver never talks to libmodbus itself; it batches `ModbusRequest`s onto the device's `ModbusConnection`
/// (shared by every unit behind the same endpoint), so a poll costs one hop to the connection thread.
public final class ModbusDeviceDriver: Sendable {
    public let descriptor: DeviceDescriptor
    public let profile: DeviceProfile
    public let client: ModbusClient

    private struct Prepared: Sendable {
        var modelMap: SunSpecModelMap?
        /// Plans keyed by the set of poll classes they cover (fast; fast+slow; fast+slow+once).
        var plans: [Set<PollClass>: ModbusPollPlan] = [:]
    }

    private struct State: Sendable {
        var prepared: Prepared?
        /// Last decoded SunSpec scale factors by point name, needed to encode writes.
        var scaleFactors: [String: Int] = [:]
        var onceDone = false
    }
    private let state = Mutex(State())

    public init(descriptor: DeviceDescriptor, profile: DeviceProfile, client: ModbusClient) {
        self.descriptor = descriptor
        self.profile = profile
        self.client = client
    }

    public var id: DeviceID { descriptor.id }

    /// Whether discovery and planning have run successfully.
    public var isPrepared: Bool { state.withLock { $0.prepared != nil } }

    /// Discovers the SunSpec chain (SunSpec profiles) and builds the poll plans. Re-run after a failure.
    public func prepare() async throws(DeviceIOError) {
        if isPrepared { return }
        let settings = profile.modbus ?? ModbusSettings()
        var modelMap: SunSpecModelMap? = nil
        if settings.sunspec {
            modelMap = try await SunSpecDiscovery.discover(
                client: client, bases: settings.sunspecBases, required: settings.sunspecModels.map(\.id))
        }
        var prepared = Prepared(modelMap: modelMap)
        let classes: [Set<PollClass>] = [[.fast], [.fast, .slow], [.fast, .slow, .once]]
        for set in classes {
            let names = profile.points.values.filter { $0.modbus != nil && set.contains($0.poll) }.map(
                \.name)
            do {
                prepared.plans[set] = try BlockPlanner.plan(
                    profile: profile, points: names, modelMap: modelMap)
            } catch {
                throw .badProfile(file: "\(profile.id).yaml", point: nil, reason: error.description)
            }
        }
        state.withLock { $0.prepared = prepared }
    }

    /// The batch of read requests for the given poll classes and the plan to decode their answers.
    /// Nil when the driver is not prepared yet.
    public func pollRequests(slow: Bool) -> (plan: ModbusPollPlan, requests: [ModbusRequest])? {
        state.withLock { s in
            guard let p = s.prepared else { return nil }
            let key: Set<PollClass> =
                !s.onceDone ? [.fast, .slow, .once] : (slow ? [.fast, .slow] : [.fast])
            guard let plan = p.plans[key] else { return nil }
            return (plan, client.requests(for: plan))
        }
    }

    /// Decodes the answers to `pollRequests` into canonical values. Values that are implausible (outside the point's
    /// valid range, not finite) are dropped and reported in `rejected`; they never reach FleetState.
    public func decodePoll(plan: ModbusPollPlan, results: ArraySlice<Result<[UInt16], DeviceIOError>>)
        -> PollOutcome
    {
        let (data, errors) = ModbusClient.split(results)
        var outcome = PollOutcome(device: descriptor.id)
        outcome.transportErrors = errors
        guard errors.count < data.count else { return outcome }
        let decoded = plan.decode(data)
        var sfs: [String: Int] = [:]
        for (name, result) in decoded {
            guard let spec = profile.points[name] else { continue }
            switch result {
            case .failure(let e):
                outcome.rejected.append(
                    .badValue(device: descriptor.id, point: name, reason: e.description))
            case .success(let value):
                guard let number = value?.number else { continue }
                if spec.modbus?.type == .sunssf {
                    sfs[name] = Int(number)
                    continue
                }
                if let reason = Self.implausible(number, spec) {
                    outcome.rejected.append(.badValue(device: descriptor.id, point: name, reason: reason))
                    continue
                }
                outcome.raw[name] = number
                if let c = CanonicalPoint(rawValue: name) { outcome.values[c] = number }
            }
        }
        let complete = errors.isEmpty
        state.withLock { s in
            s.scaleFactors.merge(sfs) { _, new in new }
            if complete { s.onceDone = true }
        }
        return outcome
    }

    /// Polls the device once (one batch on its connection) and decodes the answers.
    public func poll(slow: Bool = true) async -> PollOutcome {
        if !isPrepared {
            do { try await prepare() } catch {
                var o = PollOutcome(device: descriptor.id)
                o.transportErrors = [error]
                return o
            }
        }
        guard let (plan, requests) = pollRequests(slow: slow) else {
            return PollOutcome(device: descriptor.id)
        }
        let results = await client.connection.perform(requests)
        return decodePoll(plan: plan, results: results[...])
    }

    static func implausible(_ v: Double, _ spec: PointSpec) -> String? {
        if !v.isFinite { return "value is not finite" }
        if let lo = spec.validMin, v < lo { return "\(v) is below the plausible minimum \(lo)" }
        if let hi = spec.validMax, v > hi { return "\(v) is above the plausible maximum \(hi)" }
        return nil
    }

    // MARK: - Write and verify

    /// Writes a canonical setpoint: clamps it into the control's range, writes the revert timeout, the value and
    /// the control's fixed writes (enable bits, modes) in one batch, reads the read-back point and compares.
    ///
    /// Order: revert timeout first (so the new value is never live without its timer), then the value (with a
    /// `SetpointDirection`: its magnitude, then the direction command), then the enable/mode writes (so the device never applies a stale value when enabled). The writes are merged into as
    /// few fc16 requests as their registers allow (`ModbusRequest.coalescingWrites`, which keeps that order across
    /// requests): a SunSpec 704 setpoint is two writes and one read instead of six writes and one read. A Modbus
    /// exception then names the first register of the merged request.
    /// - Throws: `.unsupportedControl`, `.modbusException` (with the register), `.verifyMismatch`, transport errors.
    public func write(_ point: CanonicalPoint, value: Double, revertTimeoutS: Int? = nil)
        async throws(DeviceIOError) -> WriteReceipt
    {
        guard let control = profile.controls[point] else {
            throw .unsupportedControl(device: descriptor.id, point: point.rawValue)
        }
        guard value.isFinite else {
            throw .badValue(
                device: descriptor.id, point: point.rawValue, reason: "setpoint is not finite")
        }
        try await prepare()
        let written = min(max(value, control.min), control.max)
        let readBackName = control.readBack ?? control.point
        var names = [control.point, readBackName] + control.with.map(\.point)
        if let r = control.revertTimeoutPoint { names.append(r) }
        // A magnitude-plus-direction setpoint reads its command back with the magnitude.
        let readNames =
            [readBackName]
            + (control.direction.map { [$0.point] + $0.magnitudePoints(primary: control.point).dropFirst() } ?? [])
        names += readNames.dropFirst()
        let modelMap = state.withLock { $0.prepared?.modelMap }
        let resolved: [String: ResolvedModbusPoint]
        let readPlan: ModbusPollPlan
        do {
            resolved = try BlockPlanner.resolve(profile: profile, points: names, modelMap: modelMap)
            readPlan = try BlockPlanner.plan(profile: profile, points: readNames, modelMap: modelMap)
        } catch {
            throw .badProfile(
                file: "\(profile.id).yaml", point: point.rawValue, reason: error.description)
        }
        // Scale factors needed to encode: from the last poll, or read now.
        var sfs = state.withLock { $0.scaleFactors }
        let neededSF = Set(names.compactMap { resolved[$0]?.scaleFactor }).filter { sfs[$0] == nil }
        if !neededSF.isEmpty {
            let sfPlan: ModbusPollPlan
            do {
                sfPlan = try BlockPlanner.plan(profile: profile, points: neededSF, modelMap: modelMap)
            } catch {
                throw .badProfile(
                    file: "\(profile.id).yaml", point: point.rawValue, reason: error.description)
            }
            let (data, errors) = await client.read(sfPlan)
            if let e = errors.first { throw e }
            for (name, r) in sfPlan.decode(data) {
                if case .success(let v?) = r, let n = v.number { sfs[name] = Int(n) }
            }
            let found = sfs
            state.withLock { $0.scaleFactors.merge(found) { _, new in new } }
        }
        func encode(_ name: String, _ v: Double) throws(DeviceIOError) -> ModbusRequest {
            guard let p = resolved[name] else {
                throw .badProfile(file: "\(profile.id).yaml", point: name, reason: "point not resolvable")
            }
            do {
                let regs = try RegisterCodec.encode(
                    v, for: p, scaleFactor: p.scaleFactor.flatMap { sfs[$0] })
                return .write(unit: client.unit, address: p.address, values: regs)
            } catch {
                throw .badValue(device: descriptor.id, point: name, reason: error.description)
            }
        }
        var requests: [ModbusRequest] = []
        if let d = control.direction, d.commandFirst {
            requests.append(try encode(d.point, d.command(for: written)))
        }
        if let r = control.revertTimeoutPoint {
            requests.append(try encode(r, Double(revertTimeoutS ?? profile.timing.revertTimeoutS)))
        }
        if let d = control.direction {
            requests.append(try encode(d.magnitudePoint(for: written, primary: control.point), abs(written)))
            if !d.commandFirst { requests.append(try encode(d.point, d.command(for: written))) }
        } else {
            requests.append(try encode(control.point, written))
        }
        for w in control.with { requests.append(try encode(w.point, w.value)) }
        requests = ModbusRequest.coalescingWrites(requests)
        let writeCount = requests.count
        requests += client.requests(for: readPlan)
        let results = await client.connection.perform(requests)
        for r in results.prefix(writeCount) { if case .failure(let e) = r { throw e } }
        let outcome = decodePoll(plan: readPlan, results: results.dropFirst(writeCount))
        if let e = outcome.transportErrors.first { throw e }
        var readBack = outcome.raw[readBackName]
        if let d = control.direction {
            readBack = outcome.raw[d.point].flatMap { command in
                d.signedValue(command: command, primary: readBackName) { outcome.raw[$0] }
            }
        }
        guard let rb = readBack, abs(rb - written) <= control.tolerance else {
            throw .verifyMismatch(
                device: descriptor.id, point: point.rawValue, written: written, readBack: readBack)
        }
        return WriteReceipt(
            device: descriptor.id, point: point, requested: value, written: written, readBack: rb,
            at: Date())
    }
}

/// What one poll of one device produced.
public struct PollOutcome: Sendable {
    public var device: DeviceID
    /// Canonical values that decoded and passed the plausibility checks.
    public var values: [CanonicalPoint: Double] = [:]
    /// Every numeric point that decoded (canonical and auxiliary), by profile point name.
    public var raw: [String: Double] = [:]
    /// Values rejected as garbage (not propagated).
    public var rejected: [DeviceIOError] = []
    /// Failed requests (timeouts, exceptions, link down).
    public var transportErrors: [DeviceIOError] = []
    public init(device: DeviceID) { self.device = device }
    /// True when every request of the poll failed: the device did not answer at all.
    public var failed: Bool { values.isEmpty && raw.isEmpty && !transportErrors.isEmpty }
}
