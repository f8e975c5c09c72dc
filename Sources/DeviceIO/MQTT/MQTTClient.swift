import CMosquitto
import Foundation
import Synchronization

/// libmosquitto must be initialised once per process before any client exists. A global `let` is
/// initialised exactly once, thread-safely, on first use.
private let mosquittoLibraryInit: Int32 = mosquitto_lib_init()

/// The `mosquitto *` handle.
///
/// `@unchecked Sendable` is safe because libmosquitto built with threading (Debian's is) protects its
/// connection state with internal mutexes, and the handle is marked `mosquitto_threaded_set(true)`: then
/// `mosquitto_publish`, `mosquitto_subscribe`, `mosquitto_unsubscribe` and `mosquitto_disconnect` only queue
/// packets and may be called from any thread, while all socket I/O (`mosquitto_loop_read` / `_write` / `_misc`)
/// happens on the one `MQTTNetworkLoop` thread. Option setters and `mosquitto_destroy` are only called before
/// `start()` or after that thread has been joined, which `MQTTClient.lifecycle` serialises.
struct MosquittoHandle: @unchecked Sendable {
    let raw: OpaquePointer
}

/// An MQTT 3.1.1 / 5 client over libmosquitto: the only code in vppd that calls libmosquitto (DESIGN §2, §3).
///
/// One network thread per client (`MQTTNetworkLoop`: libmosquitto's external-loop API under `poll`, because
/// libmosquitto's own `mosquitto_loop_start` thread cannot handle descriptors ≥ 1024). Messages are handed to a
/// synchronous `MQTTMessageHandler` on that thread (high-rate ingest; must not block) and, for low-rate users, to any
/// `messages()` streams. The client reconnects by itself with exponential back-off and re-subscribes every
/// subscription after each connect. QoS 0 and 1 are supported.
///
/// Lifecycle: `init` (validates options) → `start()` → … → `stop()` (clean DISCONNECT, joins the thread).
/// Call `stop()` before dropping the last reference: a handler capturing the client would otherwise keep it alive.
public final class MQTTClient: Sendable {
    private enum Lifecycle { case idle, running, stopped }

    public let options: MQTTClientOptions
    private let mosq: MosquittoHandle
    private let core: MQTTClientCore
    private let lifecycle = Mutex<Lifecycle>(.idle)
    private let loop: MQTTNetworkLoop

    /// Creates a client and applies every option; nothing is sent until `start()`.
    /// - Throws: `DeviceIOError.mqtt` naming the option libmosquitto rejected (bad TLS file, bad will topic, …).
    public init(options: MQTTClientOptions, handler: MQTTMessageHandler? = nil) throws(DeviceIOError) {
        guard mosquittoLibraryInit == Int32(MOSQ_ERR_SUCCESS.rawValue) else {
            throw .mqtt(reason: "mosquitto_lib_init failed (\(mosquittoLibraryInit))")
        }
        let core = MQTTClientCore(options: options, handler: handler)
        let userdata = Unmanaged.passRetained(core).toOpaque()
        guard let raw = mosquitto_new(options.clientID, options.cleanSession, userdata) else {
            Unmanaged<MQTTClientCore>.fromOpaque(userdata).release()
            throw .mqtt(
                reason: "mosquitto_new failed for client id '\(options.clientID)' (errno \(errno))")
        }
        // Configure before every stored property is set: a throwing init then does not run deinit, so the
        // clean-up below is the only one.
        do {
            try Self.configure(raw, options)
        } catch {
            mosquitto_destroy(raw)
            Unmanaged<MQTTClientCore>.fromOpaque(userdata).release()
            throw error
        }
        let loop: MQTTNetworkLoop
        do {
            loop = try MQTTNetworkLoop(mosq: MosquittoHandle(raw: raw), core: core)
        } catch {
            mosquitto_destroy(raw)
            Unmanaged<MQTTClientCore>.fromOpaque(userdata).release()
            throw error
        }
        self.options = options
        self.core = core
        self.mosq = MosquittoHandle(raw: raw)
        self.loop = loop
        // All socket I/O on our own loop thread; other threads only queue (see MQTTNetworkLoop).
        mosquitto_threaded_set(raw, true)
        mosquitto_connect_callback_set(raw, mqttOnConnect)
        mosquitto_disconnect_callback_set(raw, mqttOnDisconnect)
        mosquitto_message_callback_set(raw, mqttOnMessage)
        mosquitto_subscribe_callback_set(raw, mqttOnSubscribe)
        mosquitto_publish_callback_set(raw, mqttOnPublish)
    }

    private static func configure(_ raw: OpaquePointer, _ o: MQTTClientOptions) throws(DeviceIOError) {
        func check(_ rc: Int32, _ what: String) throws(DeviceIOError) {
            guard rc == Int32(MOSQ_ERR_SUCCESS.rawValue) else {
                throw .mqtt(reason: "\(what): \(String(cString: mosquitto_strerror(rc)))")
            }
        }
        let version = o.protocolVersion == .v5 ? MQTT_PROTOCOL_V5 : MQTT_PROTOCOL_V311
        try check(mosquitto_int_option(raw, MOSQ_OPT_PROTOCOL_VERSION, version), "protocol version")
        try check(
            mosquitto_int_option(raw, MOSQ_OPT_SEND_MAXIMUM, Int32(max(1, o.sendMaximum))), "send maximum"
        )
        if o.username != nil || o.password != nil {
            try check(mosquitto_username_pw_set(raw, o.username, o.password), "username/password")
        }
        if let w = o.will {
            guard w.qos == 0 || w.qos == 1 else {
                throw .mqtt(reason: "will qos must be 0 or 1, not \(w.qos)")
            }
            let rc = w.payload.withUnsafeBytes { b in
                mosquitto_will_set(raw, w.topic, Int32(b.count), b.baseAddress, Int32(w.qos), w.retain)
            }
            try check(rc, "last will on topic '\(w.topic)'")
        }
        if let t = o.tls {
            for (name, path) in [("cafile", t.caFile), ("certfile", t.certFile), ("keyfile", t.keyFile)] {
                if let path, !FileManager.default.isReadableFile(atPath: path) {
                    throw .mqtt(reason: "TLS \(name) '\(path)' is not a readable file")
                }
            }
            if let dir = t.caPath {
                var isDir: ObjCBool = false
                guard FileManager.default.fileExists(atPath: dir, isDirectory: &isDir), isDir.boolValue
                else {
                    throw .mqtt(reason: "TLS capath '\(dir)' is not a directory")
                }
            }
            guard t.caFile != nil || t.caPath != nil else {
                throw .mqtt(reason: "TLS needs a cafile or a capath")
            }
            guard (t.certFile == nil) == (t.keyFile == nil) else {
                throw .mqtt(reason: "TLS certfile and keyfile must be given together")
            }
            try check(mosquitto_tls_set(raw, t.caFile, t.caPath, t.certFile, t.keyFile, nil), "TLS files")
            try check(mosquitto_tls_insecure_set(raw, t.insecure), "TLS insecure flag")
        }
    }

    deinit {
        let wasRunning = lifecycle.withLock { $0 == .running }
        if wasRunning {
            _ = mosquitto_disconnect(mosq.raw)
            loop.stopAndJoin()
        }
        mosquitto_destroy(mosq.raw)
        Unmanaged.passUnretained(core).release()
    }

    // MARK: Lifecycle

    /// Starts the network thread and the first connection attempt. Returns at once: a broker that is not up yet
    /// is retried with back-off. Use `waitUntilConnected(timeout:)` to wait for the first CONNACK.
    /// - Throws: `DeviceIOError.mqtt` if already started or stopped; `.connectFailed` if the host name cannot be
    ///   resolved or the options are invalid.
    public func start() throws(DeviceIOError) {
        try lifecycle.withLock { (l: inout Lifecycle) throws(DeviceIOError) in
            guard l == .idle else {
                throw .mqtt(reason: "client \(options.clientID) already started or stopped")
            }
            core.setState(.connecting)
            let rc = mosquitto_connect_async(
                mosq.raw, options.host, Int32(options.port), Int32(max(5, options.keepAliveS)))
            // Refused/unreachable is fine: the network thread retries. Only configuration errors are fatal.
            if rc == Int32(MOSQ_ERR_EAI.rawValue) || rc == Int32(MOSQ_ERR_INVAL.rawValue) {
                throw .connectFailed(
                    endpoint: options.endpoint, reason: String(cString: mosquitto_strerror(rc)))
            }
            if rc != Int32(MOSQ_ERR_SUCCESS.rawValue) {
                core.setState(.disconnected(reason: "connect: " + String(cString: mosquitto_strerror(rc))))
            }
            loop.start(name: "mqtt \(options.clientID)".prefix(15).description)
            l = .running
        }
    }

    /// Sends DISCONNECT (so the broker does not publish the will), stops the network thread and joins it.
    /// Blocks the caller for as long as the join takes (milliseconds). Idempotent. Finishes every stream and
    /// drops the message handler.
    public func stop() {
        let wasRunning = lifecycle.withLock { l -> Bool in
            defer { l = .stopped }
            return l == .running
        }
        if wasRunning {
            _ = mosquitto_disconnect(mosq.raw)
            loop.stopAndJoin()
        }
        let (states, messages) = core.shared.withLock { s in
            s.state = .stopped
            s.handler = nil
            defer {
                s.stateContinuations.removeAll()
                s.messageContinuations.removeAll()
            }
            return (Array(s.stateContinuations.values), Array(s.messageContinuations.values))
        }
        for c in states {
            c.yield(.stopped)
            c.finish()
        }
        for c in messages { c.finish() }
    }

    /// Closes the socket without sending DISCONNECT, as a crash or a network failure would: the broker publishes
    /// the will, and the client reconnects with back-off. For fault injection (vppsim) and tests.
    public func dropConnection() {
        let fd = mosquitto_socket(mosq.raw)
        if fd >= 0 { _ = shutdown(fd, Int32(SHUT_RDWR)) }
    }

    // MARK: State

    /// The current connection state.
    public var state: MQTTConnectionState { core.shared.withLock { $0.state } }

    /// True when connected and every subscription has been acknowledged by the broker.
    public var isReady: Bool {
        core.shared.withLock { $0.state == .connected && $0.pendingSubacks.isEmpty }
    }

    /// Every state change from now on (the current state first). Finishes when the client stops.
    public func stateChanges() -> AsyncStream<MQTTConnectionState> {
        let (stream, cont) = AsyncStream<MQTTConnectionState>.makeStream(
            bufferingPolicy: .bufferingNewest(64))
        let token = core.shared.withLock { s -> UInt64? in
            if s.state == .stopped { return nil }
            s.nextToken += 1
            s.stateContinuations[s.nextToken] = cont
            cont.yield(s.state)
            return s.nextToken
        }
        guard let token else {
            cont.yield(.stopped)
            cont.finish()
            return stream
        }
        cont.onTermination = { [weak core] _ in
            _ = core?.shared.withLock { $0.stateContinuations.removeValue(forKey: token) }
        }
        return stream
    }

    /// Waits until the client is connected and (by default) every subscription is acknowledged.
    /// - Throws: `DeviceIOError.connectFailed` with the last disconnect reason after `timeout`.
    public func waitUntilConnected(timeout: Duration = .seconds(5), subscribed: Bool = true)
        async throws(DeviceIOError)
    {
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: timeout)
        while true {
            let (state, ready) = core.shared.withLock { ($0.state, $0.pendingSubacks.isEmpty) }
            if state == .connected && (ready || !subscribed) { return }
            if state == .stopped { throw .notConnected(endpoint: options.endpoint) }
            if clock.now >= deadline {
                let reason: String
                if case .disconnected(let r) = state {
                    reason = r
                } else {
                    reason = "no CONNACK/SUBACK within \(timeout)"
                }
                throw .connectFailed(endpoint: options.endpoint, reason: reason)
            }
            do { try await Task.sleep(for: .milliseconds(5)) } catch {
                throw .notConnected(endpoint: options.endpoint)
            }
        }
    }

    /// Messages received (all topics) since creation.
    public var messagesReceived: Int { core.received.load(ordering: .relaxed) }
    /// Publishes completed since creation: QoS 0 handed to the socket, QoS 1 acknowledged (PUBACK).
    public var publishesCompleted: Int { core.acknowledged.load(ordering: .relaxed) }
    /// Publishes queued inside libmosquitto but not yet completed. libmosquitto's queue is unbounded: a
    /// high-rate publisher (the simulator) should pause while this exceeds a few thousand.
    public var publishBacklog: Int {
        max(0, core.queued.load(ordering: .relaxed) - core.acknowledged.load(ordering: .relaxed))
    }
    /// Successful connects since start (1 + reconnects).
    public var connectCount: Int { core.connects.load(ordering: .relaxed) }

    // MARK: Messages

    /// Replaces the synchronous handler (see `MQTTMessageHandler`). Pass nil to stop delivery to it.
    public func setHandler(_ handler: MQTTMessageHandler?) {
        core.shared.withLock { $0.handler = handler }
    }

    /// A stream of every message received from now on, for low-rate users. Keeps the newest `buffer` messages
    /// when the consumer falls behind. Finishes when the client stops.
    public func messages(buffer: Int = 1024) -> AsyncStream<MQTTMessage> {
        let (stream, cont) = AsyncStream<MQTTMessage>.makeStream(
            bufferingPolicy: .bufferingNewest(max(1, buffer)))
        let token = core.shared.withLock { s -> UInt64? in
            if s.state == .stopped { return nil }
            s.nextToken += 1
            s.messageContinuations[s.nextToken] = cont
            return s.nextToken
        }
        guard let token else {
            cont.finish()
            return stream
        }
        cont.onTermination = { [weak core] _ in
            _ = core?.shared.withLock { $0.messageContinuations.removeValue(forKey: token) }
        }
        return stream
    }

    // MARK: Subscribe / publish

    /// Subscribes to a topic filter (wildcards `+` and `#` allowed) now if connected, and after every reconnect.
    /// - Throws: `DeviceIOError.mqtt` for an invalid filter or QoS.
    public func subscribe(_ filter: String, qos: Int = 0) throws(DeviceIOError) {
        try subscribe([filter], qos: qos)
    }

    /// Subscribes to several filters at one QoS.
    public func subscribe(_ filters: [String], qos: Int = 0) throws(DeviceIOError) {
        guard qos == 0 || qos == 1 else {
            throw .mqtt(reason: "subscribe qos must be 0 or 1, not \(qos)")
        }
        for f in filters where mosquitto_sub_topic_check(f) != Int32(MOSQ_ERR_SUCCESS.rawValue) {
            throw .mqtt(reason: "invalid subscription filter '\(f)'")
        }
        let connected = core.shared.withLock { s -> Bool in
            for f in filters { s.subscriptions[f] = Int32(qos) }
            return s.state == .connected
        }
        guard connected else { return }  // the connect callback subscribes
        for f in filters {
            var mid: Int32 = 0
            let rc = mosquitto_subscribe(mosq.raw, &mid, f, Int32(qos))
            if rc == Int32(MOSQ_ERR_SUCCESS.rawValue) {
                core.recordSubscribeSent(mid: mid)
                loop.wake()
            } else if rc != Int32(MOSQ_ERR_NO_CONN.rawValue) {
                throw .mqtt(reason: "subscribe '\(f)': \(String(cString: mosquitto_strerror(rc)))")
            }
        }
    }

    /// Removes a subscription (now and for future reconnects).
    public func unsubscribe(_ filter: String) throws(DeviceIOError) {
        let connected = core.shared.withLock { s -> Bool in
            s.subscriptions[filter] = nil
            return s.state == .connected
        }
        guard connected else { return }
        let rc = mosquitto_unsubscribe(mosq.raw, nil, filter)
        loop.wake()
        if rc != Int32(MOSQ_ERR_SUCCESS.rawValue) && rc != Int32(MOSQ_ERR_NO_CONN.rawValue) {
            throw .mqtt(reason: "unsubscribe '\(filter)': \(String(cString: mosquitto_strerror(rc)))")
        }
    }

    /// The filters the client (re-)subscribes to.
    public var subscriptions: [String: Int] {
        core.shared.withLock { $0.subscriptions.mapValues { Int($0) } }
    }

    /// Publishes a message; libmosquitto copies the payload. Thread-safe, never blocks on the network.
    /// QoS 1 messages beyond `sendMaximum` in flight are queued inside libmosquitto.
    /// - Returns: the message id.
    /// - Throws: `DeviceIOError.notConnected` when the socket is down, `.mqtt` for an invalid topic, QoS or size.
    @discardableResult
    public func publish(
        _ topic: String, payload: UnsafeRawBufferPointer, qos: Int = 0, retain: Bool = false
    )
        throws(DeviceIOError) -> Int32
    {
        guard qos == 0 || qos == 1 else {
            throw .mqtt(reason: "publish qos must be 0 or 1, not \(qos)")
        }
        var mid: Int32 = 0
        let rc = mosquitto_publish(
            mosq.raw, &mid, topic, Int32(payload.count), payload.baseAddress, Int32(qos), retain)
        switch rc {
        case Int32(MOSQ_ERR_SUCCESS.rawValue):
            core.queued.add(1, ordering: .relaxed)
            loop.wake()
            return mid
        case Int32(MOSQ_ERR_NO_CONN.rawValue): throw .notConnected(endpoint: options.endpoint)
        default:
            throw .mqtt(reason: "publish to '\(topic)': \(String(cString: mosquitto_strerror(rc)))")
        }
    }

    /// Publishes bytes. See `publish(_:payload:qos:retain:)`.
    @discardableResult
    public func publish(_ topic: String, bytes: [UInt8], qos: Int = 0, retain: Bool = false)
        throws(DeviceIOError)
        -> Int32
    {
        let result = bytes.withUnsafeBytes { b in
            Result { () throws(DeviceIOError) -> Int32 in
                try publish(topic, payload: b, qos: qos, retain: retain)
            }
        }
        return try result.get()
    }

    /// Publishes UTF-8 text. See `publish(_:payload:qos:retain:)`.
    @discardableResult
    public func publish(_ topic: String, text: String, qos: Int = 0, retain: Bool = false)
        throws(DeviceIOError)
        -> Int32
    {
        try publish(topic, bytes: Array(text.utf8), qos: qos, retain: retain)
    }
}
