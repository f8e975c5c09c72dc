/// MQTT protocol revision spoken to the broker.
public enum MQTTProtocolVersion: String, Sendable, Hashable, Codable {
    /// MQTT 3.1.1 (protocol level 4).
    case v311
    /// MQTT 5.0 (protocol level 5).
    case v5
}

/// A message the client asks the broker to publish on its behalf: the last will (published by the broker when
/// the client vanishes without a DISCONNECT) or the "online" announcement the client publishes after every
/// connect. Together they give the daemon's own status topic (retained `online` / `offline`).
public struct MQTTStatusMessage: Sendable, Hashable {
    public var topic: String
    public var payload: [UInt8]
    /// 0 or 1.
    public var qos: Int
    public var retain: Bool

    public init(topic: String, payload: [UInt8], qos: Int = 1, retain: Bool = true) {
        self.topic = topic
        self.payload = payload
        self.qos = qos
        self.retain = retain
    }

    public init(topic: String, text: String, qos: Int = 1, retain: Bool = true) {
        self.init(topic: topic, payload: Array(text.utf8), qos: qos, retain: retain)
    }
}

/// TLS settings, passed to `mosquitto_tls_set` / `mosquitto_tls_insecure_set`. Files are PEM.
public struct MQTTTLSOptions: Sendable, Hashable {
    /// File with trusted CA certificates. One of `caFile` or `caPath` is required.
    public var caFile: String?
    /// Directory of hashed CA certificates (`openssl rehash`).
    public var caPath: String?
    /// Client certificate for mutual TLS; requires `keyFile`.
    public var certFile: String?
    /// Unencrypted private key of `certFile`.
    public var keyFile: String?
    /// Skip the check that the broker certificate names the host. Only for tests and lab set-ups.
    public var insecure: Bool

    public init(
        caFile: String? = nil, caPath: String? = nil, certFile: String? = nil, keyFile: String? = nil,
        insecure: Bool = false
    ) {
        self.caFile = caFile
        self.caPath = caPath
        self.certFile = certFile
        self.keyFile = keyFile
        self.insecure = insecure
    }
}

/// Everything `MQTTClient` needs to reach a broker.
public struct MQTTClientOptions: Sendable, Hashable {
    public var host: String
    /// TCP port (1883 plain, 8883 TLS by convention).
    public var port: Int
    /// Client identifier; must be unique per broker (the broker drops the older connection on a clash).
    public var clientID: String
    /// Clean session (3.1.1) / clean start (5): no broker-side session survives a disconnect. The client
    /// re-subscribes after every connect either way. With MQTT 5 a session never outlives the connection here
    /// (no session-expiry property is sent), so `false` only affects 3.1.1.
    public var cleanSession: Bool
    public var protocolVersion: MQTTProtocolVersion
    /// Keep-alive interval, seconds. The broker declares the client dead after 1.5× this without traffic.
    public var keepAliveS: Int
    public var username: String?
    public var password: String?
    public var tls: MQTTTLSOptions?
    /// Published by the broker when this client disappears without a clean DISCONNECT.
    public var will: MQTTStatusMessage?
    /// Published by the client after every successful connect (e.g. retained `online` on the will's topic).
    public var online: MQTTStatusMessage?
    /// First reconnect delay, seconds; doubles after each failed attempt up to `reconnectDelayMaxS`, and starts
    /// again from here after a successful connect (`MQTTNetworkLoop`).
    public var reconnectDelayS: Int
    /// Longest reconnect delay, seconds.
    public var reconnectDelayMaxS: Int
    /// Maximum QoS 1 messages in flight (unacknowledged) from this client. libmosquitto's default of 20 caps
    /// QoS 1 throughput on loopback far below the broker's capacity (DESIGN §11).
    public var sendMaximum: Int

    public init(
        host: String = "127.0.0.1", port: Int = 1883, clientID: String, cleanSession: Bool = true,
        protocolVersion: MQTTProtocolVersion = .v311, keepAliveS: Int = 30, username: String? = nil,
        password: String? = nil, tls: MQTTTLSOptions? = nil, will: MQTTStatusMessage? = nil,
        online: MQTTStatusMessage? = nil, reconnectDelayS: Int = 1, reconnectDelayMaxS: Int = 30,
        sendMaximum: Int = 1000
    ) {
        self.host = host
        self.port = port
        self.clientID = clientID
        self.cleanSession = cleanSession
        self.protocolVersion = protocolVersion
        self.keepAliveS = keepAliveS
        self.username = username
        self.password = password
        self.tls = tls
        self.will = will
        self.online = online
        self.reconnectDelayS = reconnectDelayS
        self.reconnectDelayMaxS = reconnectDelayMaxS
        self.sendMaximum = sendMaximum
    }

    /// `host:port`, used in error messages.
    public var endpoint: String { "\(host):\(port)" }
}
