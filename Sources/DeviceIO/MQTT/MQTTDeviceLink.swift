import Fleet
import Foundation
import Synchronization
import VPPCore

/// Counters of an `MQTTDeviceLink`, for metrics and benchmarks. All counts since the link was created.
public struct MQTTIngestCounters: Sendable, Hashable, Codable {
    /// Messages handed to the link (every subscribed topic).
    public var received: Int
    /// Messages on a configured state topic whose JSON was valid (their good values reached FleetState).
    public var decoded: Int
    /// Messages on a configured state topic that were not a valid JSON object (nothing ingested).
    public var rejected: Int
    /// Individual point values rejected as garbage (wrong type, non-finite, out of range) in decoded messages.
    public var valuesRejected: Int
    /// Messages on topics that belong to no configured device (let in by a wildcard filter).
    public var unmatched: Int
}

/// Telemetry and setpoints of MQTT devices (DESIGN §1, §3, §4): subscribes to every device's state topic, decodes
/// each JSON state message into canonical values and pushes them into `FleetState`; publishes setpoint commands and
/// verifies them by read-back.
///
/// Ingest runs synchronously on libmosquitto's network thread (no hop per message): topic → device by exact
/// lookup, one validating JSON pass per message (`JSONFieldExtractor`), then `FleetState.ingest`. Garbage is
/// counted, kept in `recentRejections` and passed to the rejection handler, never ingested.
/// Subscriptions use wildcard filters where many devices share a topic shape (`MQTTTopicFilter.plan`), so
/// 10,000 devices cost a handful of SUBSCRIBEs.
public final class MQTTDeviceLink: Sendable {
    /// Tuning of the link.
    public struct Options: Sendable, Hashable {
        /// Added to the profile's `reactionTimeMs` to bound how long a write waits for its read-back, milliseconds.
        public var verifyMarginMs: Int
        /// Fixed verify timeout overriding the profile-derived one (tests), milliseconds.
        public var verifyTimeoutMs: Int?
        /// Groups of at most this many state topics are subscribed topic by topic rather than by wildcard.
        public var exactSubscriptionLimit: Int
        /// How many recent rejections `recentRejections` keeps.
        public var rejectionsKept: Int
        /// Mark every device down in FleetState when the broker connection drops.
        public var markDownOnDisconnect: Bool

        public init(
            verifyMarginMs: Int = 1000, verifyTimeoutMs: Int? = nil, exactSubscriptionLimit: Int = 8,
            rejectionsKept: Int = 64, markDownOnDisconnect: Bool = true
        ) {
            self.verifyMarginMs = verifyMarginMs
            self.verifyTimeoutMs = verifyTimeoutMs
            self.exactSubscriptionLimit = exactSubscriptionLimit
            self.rejectionsKept = rejectionsKept
            self.markDownOnDisconnect = markDownOnDisconnect
        }
    }

    /// One configured device.
    struct Device: Sendable {
        let id: DeviceID
        let profile: DeviceProfile
        let decoder: Int  // index into `decoders`
        let stateTopic: String
        let commandTopic: String?
    }

    /// A write waiting for its read-back.
    struct Waiter {
        let device: DeviceID
        let point: String
        let readBack: String
        let target: Double
        let tolerance: Double
        var lastSeen: Double?
        let continuation: CheckedContinuation<Result<Double, DeviceIOError>, Never>
    }

    struct Pending {
        var waiters: [UInt64: Waiter] = [:]
        var cancelledEarly: Set<UInt64> = []
        var nextToken: UInt64 = 0
    }

    public let options: Options
    public let client: MQTTClient
    public let fleet: FleetState
    let devices: [Device]
    let decoders: [MQTTStateDecoder]
    let byTopic: [String: Int]
    let byID: [DeviceID: Int]
    let rejectionHandler: (@Sendable (DeviceIOError) -> Void)?
    /// The filters this link subscribes to.
    public let subscriptionFilters: [String]
    /// QoS of the state subscriptions (highest of the profiles').
    let subscriptionQoS: Int

    private let received = Atomic<Int>(0)
    private let decoded = Atomic<Int>(0)
    private let rejected = Atomic<Int>(0)
    private let valuesRejected = Atomic<Int>(0)
    private let unmatched = Atomic<Int>(0)
    private let waiting = Atomic<Int>(0)
    private let pending = Mutex(Pending())
    private let rejections = Mutex<[DeviceIOError]>([])
    private let watcher = Mutex<Task<Void, Never>?>(nil)

    /// Prepares the link for every device in `devices` with an `.mqtt(topicBase:)` address; others are ignored.
    /// - Parameters:
    ///   - profiles: profiles by id; every MQTT device's profile must be present, with `transport: mqtt` settings.
    ///   - onRejection: called (on the network thread; must not block) for every rejected message or value.
    /// - Throws: `DeviceIOError.badProfile` for a missing or non-MQTT profile, `.mqtt` for a topic base with
    ///   wildcards or two devices on one state topic.
    public init(
        client: MQTTClient, fleet: FleetState, devices descriptors: [DeviceDescriptor],
        profiles: [String: DeviceProfile],
        options: Options = Options(), onRejection: (@Sendable (DeviceIOError) -> Void)? = nil
    ) throws(DeviceIOError) {
        self.client = client
        self.fleet = fleet
        self.options = options
        self.rejectionHandler = onRejection
        var decoders: [MQTTStateDecoder] = []
        var decoderIndex: [String: Int] = [:]
        var devices: [Device] = []
        var byTopic: [String: Int] = [:]
        var byID: [DeviceID: Int] = [:]
        var topicsByTemplate: [String: [String]] = [:]
        var commandTopics: [String] = []
        var qos = 0
        for d in descriptors {
            guard case .mqtt(let base) = d.address else { continue }
            guard let profile = profiles[d.profile] else {
                throw .badProfile(file: d.profile, point: nil, reason: "profile not found (device \(d.id))")
            }
            guard profile.transport == .mqtt, let mqtt = profile.mqtt else {
                throw .badProfile(file: profile.id, point: nil, reason: "not an MQTT profile (device \(d.id))")
            }
            guard !base.isEmpty, !base.contains("+"), !base.contains("#") else {
                throw .mqtt(reason: "device \(d.id): topic base '\(base)' is empty or contains a wildcard")
            }
            guard byID[d.id] == nil else { throw .mqtt(reason: "device \(d.id) configured twice") }
            let decoder: Int
            if let k = decoderIndex[profile.id] {
                decoder = k
            } else {
                decoders.append(MQTTStateDecoder(profile: profile))
                decoder = decoders.count - 1
                decoderIndex[profile.id] = decoder
            }
            let state = mqtt.stateTopic.replacingOccurrences(of: "{base}", with: base)
            let command = mqtt.commandTopic?.replacingOccurrences(of: "{base}", with: base)
            if let other = byTopic[state] {
                throw .mqtt(reason: "devices \(devices[other].id) and \(d.id) share the state topic '\(state)'")
            }
            byTopic[state] = devices.count
            byID[d.id] = devices.count
            devices.append(
                Device(id: d.id, profile: profile, decoder: decoder, stateTopic: state, commandTopic: command))
            topicsByTemplate[mqtt.stateTopic, default: []].append(state)
            if let command { commandTopics.append(command) }
            qos = max(qos, min(1, max(0, mqtt.qos)))
        }
        var filters: [String] = []
        for (_, topics) in topicsByTemplate.sorted(by: { $0.key < $1.key }) {
            filters += MQTTTopicFilter.plan(
                topics: topics, avoid: commandTopics, exactLimit: options.exactSubscriptionLimit)
        }
        self.decoders = decoders
        self.devices = devices
        self.byTopic = byTopic
        self.byID = byID
        self.subscriptionFilters = Array(Set(filters)).sorted()
        self.subscriptionQoS = qos
    }

    /// The devices this link serves, in configuration order (a copy: O(n)).
    public var deviceIDs: [DeviceID] { devices.map(\.id) }

    /// Whether this link serves `device` (O(1); use this rather than `deviceIDs.contains`).
    public func serves(_ device: DeviceID) -> Bool { byID[device] != nil }

    /// Installs the message handler on the client and subscribes (now or at the next connect). The client may be
    /// started before or after.
    public func start() throws(DeviceIOError) {
        client.setHandler { [self] topic, payload in handle(topic: topic, payload: payload) }
        try client.subscribe(subscriptionFilters, qos: subscriptionQoS)
        guard options.markDownOnDisconnect else { return }
        let states = client.stateChanges()
        let task = Task { [fleet, devices] in
            for await s in states {
                guard case .disconnected(let reason) = s else { continue }
                let now = Date()
                for d in devices { fleet.markDown(d.id, error: "MQTT broker connection: \(reason)", at: now) }
            }
        }
        watcher.withLock { $0 = task }
    }

    /// Removes the handler and subscriptions and fails pending writes. Does not stop the client.
    public func stop() {
        client.setHandler(nil)
        for f in subscriptionFilters { try? client.unsubscribe(f) }
        watcher.withLock { t in
            t?.cancel()
            t = nil
        }
        let waiters = pending.withLock { p in
            defer { p.waiters.removeAll() }
            return Array(p.waiters.values)
        }
        for w in waiters {
            w.continuation.resume(
                returning: .failure(
                    .verifyMismatch(device: w.device, point: w.point, written: w.target, readBack: w.lastSeen)))
        }
    }

    // MARK: Ingest

    /// Counters since creation.
    public var counters: MQTTIngestCounters {
        MQTTIngestCounters(
            received: received.load(ordering: .relaxed), decoded: decoded.load(ordering: .relaxed),
            rejected: rejected.load(ordering: .relaxed), valuesRejected: valuesRejected.load(ordering: .relaxed),
            unmatched: unmatched.load(ordering: .relaxed))
    }

    /// The most recent rejections, oldest first (at most `options.rejectionsKept`).
    public var recentRejections: [DeviceIOError] { rejections.withLock { $0 } }

    /// Handles one message: the client's handler. Public so benchmarks and tests can feed messages directly.
    public func handle(topic: String, payload: UnsafeRawBufferPointer, at time: Date = Date()) {
        received.add(1, ordering: .relaxed)
        guard let idx = byTopic[topic] else {
            unmatched.add(1, ordering: .relaxed)
            return
        }
        let device = devices[idx]
        let result: MQTTStateDecoder.Decoded
        do {
            result = try decoders[device.decoder].decode(payload, device: device.id)
        } catch {
            rejected.add(1, ordering: .relaxed)
            reject(error)
            return
        }
        decoded.add(1, ordering: .relaxed)
        if !result.rejected.isEmpty {
            valuesRejected.add(result.rejected.count, ordering: .relaxed)
            for e in result.rejected { reject(e) }
        }
        if !result.values.isEmpty { fleet.ingest(device.id, values: result.values, at: time) }
        if waiting.load(ordering: .relaxed) > 0 { checkWaiters(device.id, result) }
    }

    private func reject(_ error: DeviceIOError) {
        let keep = options.rejectionsKept
        rejections.withLock { r in
            if r.count >= keep, !r.isEmpty { r.removeFirst(r.count - keep + 1) }
            if keep > 0 { r.append(error) }
        }
        rejectionHandler?(error)
    }

    // MARK: Setpoints

    /// Writes a setpoint and verifies it (DESIGN §8).
    ///
    /// Publishes one JSON command at QoS 1 on the device's command topic with the control's field set to the value
    /// (clamped into the control's `min...max`, divided by the point's scale), every `ControlSpec.with` fixed write,
    /// and the revert timeout (seconds; the profile's `revertTimeoutS` unless given) where the profile has a revert
    /// timeout point. Then waits for a state message whose read-back point (`readBack ?? point`) is within
    /// `tolerance` of the written value, for at most `reactionTimeMs + verifyMarginMs`.
    /// - Throws: `.unknownDevice`, `.unsupportedControl` (no such control, no command topic or no JSON path),
    ///   `.badValue` (non-finite value), `.notConnected`, or `.verifyMismatch` with the last value seen.
    public func write(device: DeviceID, point: CanonicalPoint, value: Double, revertTimeoutS: Int? = nil)
        async throws(DeviceIOError) -> WriteReceipt
    {
        guard let idx = byID[device] else { throw .unknownDevice(device) }
        let d = devices[idx]
        guard let control = d.profile.controls[point], let topic = d.commandTopic,
            let spec = d.profile.points[control.point], let path = spec.mqtt?.jsonPath
        else { throw .unsupportedControl(device: device, point: point.rawValue) }
        guard value.isFinite else { throw .badValue(device: device, point: point.rawValue, reason: "not finite") }
        let readBackName = control.readBack ?? control.point
        guard d.profile.points[readBackName]?.mqtt?.jsonPath != nil else {
            throw .unsupportedControl(device: device, point: point.rawValue)
        }
        let written = min(max(value, control.min), control.max)

        var fields: [(path: String, value: Double)] = []
        for w in control.with {
            guard let p = d.profile.points[w.point], let wp = p.mqtt?.jsonPath else {
                throw .badProfile(file: d.profile.id, point: w.point, reason: "fixed write has no mqtt jsonPath")
            }
            fields.append((wp, w.value / (p.scale == 0 ? 1 : p.scale)))
        }
        if let rtName = control.revertTimeoutPoint {
            guard let p = d.profile.points[rtName], let rp = p.mqtt?.jsonPath else {
                throw .badProfile(
                    file: d.profile.id, point: rtName, reason: "revert timeout point has no mqtt jsonPath")
            }
            let seconds = Double(revertTimeoutS ?? d.profile.timing.revertTimeoutS)
            fields.append((rp, seconds / (p.scale == 0 ? 1 : p.scale)))
        }
        fields.append((path, written / (spec.scale == 0 ? 1 : spec.scale)))
        guard let json = MQTTCommandJSON.encode(fields) else {
            throw .badProfile(file: d.profile.id, point: control.point, reason: "conflicting command JSON paths")
        }

        let timeoutMs = options.verifyTimeoutMs ?? (d.profile.timing.reactionTimeMs + options.verifyMarginMs)
        let token = pending.withLock { p -> UInt64 in
            p.nextToken += 1
            return p.nextToken
        }
        let timer = Task { [weak self] in
            try? await Task.sleep(for: .milliseconds(max(1, timeoutMs)))
            self?.finish(token)
        }
        defer { timer.cancel() }
        let result = await withTaskCancellationHandler {
            await withCheckedContinuation { (c: CheckedContinuation<Result<Double, DeviceIOError>, Never>) in
                let registered = pending.withLock { p -> Bool in
                    if p.cancelledEarly.remove(token) != nil { return false }
                    p.waiters[token] = Waiter(
                        device: device, point: point.rawValue, readBack: readBackName, target: written,
                        tolerance: control.tolerance, lastSeen: nil, continuation: c)
                    return true
                }
                guard registered else {
                    c.resume(
                        returning: .failure(
                            .verifyMismatch(device: device, point: point.rawValue, written: written, readBack: nil)))
                    return
                }
                waiting.add(1, ordering: .relaxed)
                do throws(DeviceIOError) {
                    try client.publish(topic, text: json, qos: 1)
                } catch {
                    finish(token, error: error)
                }
            }
        } onCancel: {
            finish(token, early: true)
        }
        _ = pending.withLock { $0.cancelledEarly.remove(token) }
        let readBack = try result.get()
        return WriteReceipt(
            device: device, point: point, requested: value, written: written, readBack: readBack, at: Date())
    }

    /// Resolves a waiter that timed out, was cancelled or failed to publish (no-op if already resolved).
    private func finish(_ token: UInt64, error: DeviceIOError? = nil, early: Bool = false) {
        let w = pending.withLock { p -> Waiter? in
            if let w = p.waiters.removeValue(forKey: token) { return w }
            if early { p.cancelledEarly.insert(token) }
            return nil
        }
        guard let w else { return }
        waiting.subtract(1, ordering: .relaxed)
        let e = error ?? .verifyMismatch(device: w.device, point: w.point, written: w.target, readBack: w.lastSeen)
        w.continuation.resume(returning: .failure(e))
    }

    private func checkWaiters(_ device: DeviceID, _ decoded: MQTTStateDecoder.Decoded) {
        let done = pending.withLock { p -> [(Waiter, Double)] in
            var done: [(Waiter, Double)] = []
            for (token, w) in p.waiters where w.device == device {
                guard let v = decoded.value(named: w.readBack) else { continue }
                if abs(v - w.target) <= w.tolerance {
                    p.waiters[token] = nil
                    done.append((w, v))
                } else {
                    p.waiters[token]?.lastSeen = v
                }
            }
            return done
        }
        for (w, v) in done {
            waiting.subtract(1, ordering: .relaxed)
            w.continuation.resume(returning: .success(v))
        }
    }
}
