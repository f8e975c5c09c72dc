import CMosquitto
import Synchronization

/// Synchronous message handler, called on libmosquitto's network thread for every message received.
///
/// It must not block or await: a slow handler stalls the socket and the broker starts dropping QoS 0
/// messages. `payload` is only valid during the call; copy what you keep.
public typealias MQTTMessageHandler =
    @Sendable (_ topic: String, _ payload: UnsafeRawBufferPointer) -> Void

/// The `Sendable` object libmosquitto's callbacks reach through their `userdata` pointer (DESIGN §11).
///
/// All mutable state sits behind one `Mutex` or in atomics; the C callbacks below are capture-free and find
/// this object with `Unmanaged.fromOpaque`. The client retains it for as long as the `mosquitto` handle lives.
final class MQTTClientCore: Sendable {
    struct Shared {
        var state: MQTTConnectionState = .connecting
        /// Every subscription the user asked for, filter → QoS. Re-sent after every connect.
        var subscriptions: [String: Int32] = [:]
        /// SUBSCRIBE message ids not yet acknowledged.
        var pendingSubacks: Set<Int32> = []
        /// SUBACKs that arrived before the caller recorded the message id (the network thread can be faster).
        var earlySubacks: Set<Int32> = []
        /// Reason of the last refused CONNACK, kept so a following socket close does not hide it.
        var lastRefusal: String?
        var handler: MQTTMessageHandler?
        var stateContinuations: [UInt64: AsyncStream<MQTTConnectionState>.Continuation] = [:]
        var messageContinuations: [UInt64: AsyncStream<MQTTMessage>.Continuation] = [:]
        var nextToken: UInt64 = 0
    }

    let options: MQTTClientOptions
    let shared: Mutex<Shared>
    /// Messages received (all topics), for metrics.
    let received = Atomic<Int>(0)
    /// Publishes completed (QoS 0 written to the socket, QoS 1 acknowledged by PUBACK), for metrics and pacing.
    let acknowledged = Atomic<Int>(0)
    /// Publishes accepted by `mosquitto_publish` (queued for sending).
    let queued = Atomic<Int>(0)
    /// Successful connects (CONNACK accepted) since start.
    let connects = Atomic<Int>(0)

    init(options: MQTTClientOptions, handler: MQTTMessageHandler?) {
        self.options = options
        var s = Shared()
        s.handler = handler
        self.shared = Mutex(s)
    }

    func setState(_ new: MQTTConnectionState) {
        let conts = shared.withLock { s -> [AsyncStream<MQTTConnectionState>.Continuation] in
            s.state = new
            return Array(s.stateContinuations.values)
        }
        for c in conts { c.yield(new) }
    }

    /// Called on the network thread when the broker accepted the connection: re-subscribe and announce.
    func didConnect(_ mosq: OpaquePointer) {
        let subs = shared.withLock { s -> [(String, Int32)] in
            s.lastRefusal = nil
            s.pendingSubacks.removeAll()
            s.earlySubacks.removeAll()
            return s.subscriptions.map { ($0.key, $0.value) }
        }
        var mids: [Int32] = []
        mids.reserveCapacity(subs.count)
        for (filter, qos) in subs {
            var mid: Int32 = 0
            if mosquitto_subscribe(mosq, &mid, filter, qos) == Int32(MOSQ_ERR_SUCCESS.rawValue) {
                mids.append(mid)
            }
        }
        shared.withLock { s in
            for m in mids where s.earlySubacks.remove(m) == nil { s.pendingSubacks.insert(m) }
        }
        if let online = options.online {
            let rc = online.payload.withUnsafeBytes { buf in
                mosquitto_publish(
                    mosq, nil, online.topic, Int32(buf.count), buf.baseAddress, Int32(online.qos),
                    online.retain)
            }
            if rc == Int32(MOSQ_ERR_SUCCESS.rawValue) { queued.add(1, ordering: .relaxed) }
        }
        connects.add(1, ordering: .relaxed)
        setState(.connected)
    }

    func didRefuse(code: Int32) {
        // libmosquitto then closes the socket (3.1.1 codes 1–5 and MQTT 5 reason codes ≥ 128 alike) and the
        // network loop reconnects after its back-off.
        let reason = MQTTClientCore.connackReason(code, version: options.protocolVersion)
        shared.withLock { $0.lastRefusal = reason }
        setState(.disconnected(reason: reason))
    }

    /// A (re)connect attempt failed before reaching the broker (refused socket, unreachable host).
    func noteConnectFailure(_ rc: Int32) {
        let reason = shared.withLock { s in s.lastRefusal } ?? "connect: " + String(cString: mosquitto_strerror(rc))
        if case .stopped = shared.withLock({ $0.state }) { return }
        setState(.disconnected(reason: reason))
    }

    func didDisconnect(code: Int32) {
        let refusal = shared.withLock { s -> String? in
            s.pendingSubacks.removeAll()
            s.earlySubacks.removeAll()
            return s.lastRefusal
        }
        if case .stopped = shared.withLock({ $0.state }) { return }
        let reason: String
        if let refusal {
            reason = refusal
        } else if code == 0 {
            reason = "disconnected by client"
        } else {
            reason = "connection lost: " + String(cString: mosquitto_strerror(code))
        }
        setState(.disconnected(reason: reason))
    }

    func didSubscribe(mid: Int32) {
        shared.withLock { s in
            if s.pendingSubacks.remove(mid) == nil { s.earlySubacks.insert(mid) }
        }
    }

    /// Records a SUBSCRIBE sent from a caller's thread.
    func recordSubscribeSent(mid: Int32) {
        shared.withLock { s in
            if s.earlySubacks.remove(mid) == nil { s.pendingSubacks.insert(mid) }
        }
    }

    func deliver(_ message: UnsafePointer<mosquitto_message>) {
        received.add(1, ordering: .relaxed)
        let m = message.pointee
        guard let topicPtr = m.topic else { return }
        let (handler, streams) = shared.withLock { s in
            (s.handler, s.messageContinuations.isEmpty ? nil : Array(s.messageContinuations.values))
        }
        let topic = String(cString: topicPtr)
        let payload = UnsafeRawBufferPointer(start: m.payload, count: Int(max(m.payloadlen, 0)))
        handler?(topic, payload)
        if let streams {
            let copy = MQTTMessage(
                topic: topic, payload: Array(payload), qos: Int(m.qos), retain: m.retain)
            for c in streams { c.yield(copy) }
        }
    }

    /// Human text for a CONNACK code: 3.1.1 return codes (1–5) or MQTT 5 reason codes (≥ 128).
    static func connackReason(_ code: Int32, version: MQTTProtocolVersion) -> String {
        let text: String
        if code >= 128 {
            text = String(cString: mosquitto_reason_string(code))
        } else {
            text = String(cString: mosquitto_connack_string(code))
        }
        return "refused by broker (\(code)): \(text)"
    }
}

// MARK: - C trampolines (capture-free, DESIGN §11)

private func core(_ userdata: UnsafeMutableRawPointer?) -> MQTTClientCore? {
    guard let userdata else { return nil }
    return Unmanaged<MQTTClientCore>.fromOpaque(userdata).takeUnretainedValue()
}

let mqttOnConnect: @convention(c) (OpaquePointer?, UnsafeMutableRawPointer?, Int32) -> Void = {
    mosq, ud, rc in
    guard let c = core(ud), let mosq else { return }
    if rc == 0 { c.didConnect(mosq) } else { c.didRefuse(code: rc) }
}

let mqttOnDisconnect: @convention(c) (OpaquePointer?, UnsafeMutableRawPointer?, Int32) -> Void = {
    _, ud, rc in
    core(ud)?.didDisconnect(code: rc)
}

let mqttOnMessage:
    @convention(c) (OpaquePointer?, UnsafeMutableRawPointer?, UnsafePointer<mosquitto_message>?) ->
        Void = {
            _, ud, msg in
            guard let msg else { return }
            core(ud)?.deliver(msg)
        }

let mqttOnSubscribe:
    @convention(c) (OpaquePointer?, UnsafeMutableRawPointer?, Int32, Int32, UnsafePointer<Int32>?) ->
        Void = {
            _, ud, mid, _, _ in
            core(ud)?.didSubscribe(mid: mid)
        }

let mqttOnPublish: @convention(c) (OpaquePointer?, UnsafeMutableRawPointer?, Int32) -> Void = {
    _, ud, _ in
    core(ud)?.acknowledged.add(1, ordering: .relaxed)
}
