import Foundation
import VPPCore

/// The daemon configuration: one YAML file (`/etc/vppd/vppd.yaml` under systemd), optionally including
/// generated device lists. `examples/vppd.yaml` documents every key. Load with `VPPConfig.load(path:)`.
///
/// Relative paths in the file (`stateDirectory`, `profilesDirectory`, `api.tokenFile`, `include`, …) are
/// resolved against the directory of the file that names them, and stored here as absolute paths.
public struct VPPConfig: Sendable, Hashable {
    /// The file this was loaded from (absolute), nil when parsed from a string without one.
    public var sourcePath: String?
    /// Where the store, inbox, archive, rejected and outbox directories live (default `/var/lib/vppd`).
    public var stateDirectory: String
    /// Directory of device profile YAML files (default `/usr/share/vppd/DeviceProfiles`).
    public var profilesDirectory: String
    public var market: MarketSettings
    public var api: APISettings
    /// The MQTT broker; required when any device has an MQTT address.
    public var mqtt: MQTTBrokerSettings?
    public var control: ControlSettings
    public var poll: PollSettings
    public var retention: RetentionSettings
    public var inbox: InboxSettings
    /// `trace`, `debug`, `info`, `notice`, `warning`, `error`, `critical` (default `info`).
    public var logLevel: String
    public var sites: [SiteConfig]
    public var devices: [DeviceConfig]

    public init(
        sourcePath: String? = nil, stateDirectory: String = "/var/lib/vppd",
        profilesDirectory: String = "/usr/share/vppd/DeviceProfiles",
        market: MarketSettings = MarketSettings(),
        api: APISettings = APISettings(), mqtt: MQTTBrokerSettings? = nil,
        control: ControlSettings = ControlSettings(),
        poll: PollSettings = PollSettings(), retention: RetentionSettings = RetentionSettings(),
        inbox: InboxSettings = InboxSettings(), logLevel: String = "info", sites: [SiteConfig] = [],
        devices: [DeviceConfig] = []
    ) {
        self.sourcePath = sourcePath
        self.stateDirectory = stateDirectory
        self.profilesDirectory = profilesDirectory
        self.market = market
        self.api = api
        self.mqtt = mqtt
        self.control = control
        self.poll = poll
        self.retention = retention
        self.inbox = inbox
        self.logLevel = logLevel
        self.sites = sites
        self.devices = devices
    }

    /// The state directory as a URL.
    public var stateURL: URL { URL(fileURLWithPath: stateDirectory, isDirectory: true) }
}

/// Which market rule set applies.
public struct MarketSettings: Sendable, Hashable {
    /// Market profile id: a file name without extension under `profilesDirectory` (e.g. `zhejiang`).
    public var profile: String
    /// Directory of market profile files (default `/usr/share/vppd/MarketProfiles`).
    public var profilesDirectory: String
    /// IANA time zone of the market day (default `Asia/Shanghai`).
    public var timeZone: String

    public init(
        profile: String = "default", profilesDirectory: String = "/usr/share/vppd/MarketProfiles",
        timeZone: String = "Asia/Shanghai"
    ) {
        self.profile = profile
        self.profilesDirectory = profilesDirectory
        self.timeZone = timeZone
    }
}

/// The HTTP API listener.
public struct APISettings: Sendable, Hashable {
    /// Listen address (default `127.0.0.1`; use `0.0.0.0` or `::` deliberately).
    public var host: String
    /// TCP port, 1…65535 (default 8080). 0 asks the OS for a free port (tests).
    public var port: Int
    /// File of bearer tokens (hashed), nil = no tokens (every request is unauthenticated → 401).
    public var tokenFile: String?
    /// Largest accepted request body, bytes (default 1 MiB).
    public var maxBodyBytes: Int
    /// Open connections at most (default 16 384; README "API limits"): above a flood of 10 000 idle
    /// connections, so that such a flood is held (and timed out) rather than churned through evictions.
    public var maxConnections: Int = 16_384
    /// Time to the first complete request head of a connection, ms (default 10 000).
    public var headerTimeoutMs: Int = 10_000
    /// Time without HTTP activity before a connection is closed, ms (default 60 000).
    public var idleTimeoutMs: Int = 60_000
    /// Sustained requests per second per token (default 200; 0 = unlimited).
    public var requestsPerSecond: Int = 200
    /// Requests a token may make at once (default 400).
    public var requestBurst: Int = 400
    /// Failed authentications per source address per minute before 429 (default 30; 0 = unlimited).
    public var authFailuresPerMinute: Int = 30

    public init(
        host: String = "127.0.0.1", port: Int = 8080, tokenFile: String? = nil,
        maxBodyBytes: Int = 1 << 20
    ) {
        self.host = host
        self.port = port
        self.tokenFile = tokenFile
        self.maxBodyBytes = maxBodyBytes
    }

    /// The connection limits of these settings.
    public var connectionSettings: ConnectionSettings {
        ConnectionSettings(
            maxConnections: maxConnections, headerTimeout: .milliseconds(headerTimeoutMs),
            idleTimeout: .milliseconds(idleTimeoutMs))
    }

    /// The request limits of these settings.
    public var limits: APILimits {
        APILimits(
            requests: .init(perSecond: Double(requestsPerSecond), burst: Double(requestBurst)),
            authFailures: .init(maxFailures: authFailuresPerMinute, window: .seconds(60)))
    }
}

/// The MQTT broker used for MQTT devices and the northbound interface.
public struct MQTTBrokerSettings: Sendable, Hashable {
    public var host: String
    /// 1…65535 (default 1883, 8883 is usual with TLS).
    public var port: Int
    /// Client id (default `vppd`); must be unique on the broker.
    public var clientID: String
    public var username: String?
    /// File whose first line is the password (keeps secrets out of the config file).
    public var passwordFile: String?
    /// Keep-alive, seconds (default 30).
    public var keepAliveSeconds: Int
    public var tls: MQTTTLSSettings?

    public init(
        host: String = "127.0.0.1", port: Int = 1883, clientID: String = "vppd",
        username: String? = nil,
        passwordFile: String? = nil, keepAliveSeconds: Int = 30, tls: MQTTTLSSettings? = nil
    ) {
        self.host = host
        self.port = port
        self.clientID = clientID
        self.username = username
        self.passwordFile = passwordFile
        self.keepAliveSeconds = keepAliveSeconds
        self.tls = tls
    }
}

/// TLS towards the broker.
public struct MQTTTLSSettings: Sendable, Hashable {
    /// CA certificate file (PEM) used to verify the broker.
    public var caFile: String
    /// Client certificate and key (PEM) for mutual TLS; both or neither.
    public var certFile: String?
    public var keyFile: String?

    public init(caFile: String, certFile: String? = nil, keyFile: String? = nil) {
        self.caFile = caFile
        self.certFile = certFile
        self.keyFile = keyFile
    }
}

/// The dispatch control loop.
public struct ControlSettings: Sendable, Hashable {
    /// Control period, milliseconds, ≥ 100 (default 1000; issue 6).
    public var periodMs: Int
    /// The device (a configured grid-connection meter) whose active power is the measured aggregate the loop
    /// closes on; nil = the sum of the usable devices' power.
    public var gridMeter: DeviceID?
    public init(periodMs: Int = 1000, gridMeter: DeviceID? = nil) {
        self.periodMs = periodMs
        self.gridMeter = gridMeter
    }
}

/// Device polling defaults; a profile's own timing wins where it is slower (DESIGN §10).
public struct PollSettings: Sendable, Hashable {
    /// Default poll period for fast points, milliseconds (default 1000).
    public var intervalMs: Int
    /// A device with no good read for this long is stale, milliseconds (default 5000).
    public var staleAfterMs: Int
    /// Request timeout, milliseconds (default 1000).
    public var timeoutMs: Int
    /// Minimum gap between requests on one Modbus connection or RTU bus, milliseconds (default 0; RTU: 20+).
    public var minGapMs: Int

    public init(
        intervalMs: Int = 1000, staleAfterMs: Int = 5000, timeoutMs: Int = 1000, minGapMs: Int = 0
    ) {
        self.intervalMs = intervalMs
        self.staleAfterMs = staleAfterMs
        self.timeoutMs = timeoutMs
        self.minGapMs = minGapMs
    }
}

/// What the store keeps and for how long.
public struct RetentionSettings: Sendable, Hashable {
    /// Store raw samples at poll rate (default false: roll-ups only, DESIGN §5).
    public var rawSamples: Bool
    /// Raw samples are deleted after this many days (default 2).
    public var rawSampleDays: Double
    /// Setpoint log rows are deleted after this many days (default 90).
    public var setpointLogDays: Double
    /// Telemetry roll-ups are deleted after this many days; nil keeps them (default nil: settlement needs them).
    public var telemetryDays: Double?

    public init(
        rawSamples: Bool = false, rawSampleDays: Double = 2, setpointLogDays: Double = 90,
        telemetryDays: Double? = nil
    ) {
        self.rawSamples = rawSamples
        self.rawSampleDays = rawSampleDays
        self.setpointLogDays = setpointLogDays
        self.telemetryDays = telemetryDays
    }
}

/// The file inbox (see `Inbox`).
public struct InboxSettings: Sendable, Hashable {
    /// How often the inbox directory is scanned, milliseconds (default 500).
    public var pollIntervalMs: Int
    /// Files larger than this are rejected unread, bytes (default 10 MiB).
    public var maxFileBytes: Int

    public init(pollIntervalMs: Int = 500, maxFileBytes: Int = 10 << 20) {
        self.pollIntervalMs = pollIntervalMs
        self.maxFileBytes = maxFileBytes
    }
}

/// A site (station): devices behind one grid connection point.
public struct SiteConfig: Sendable, Hashable {
    public var id: SiteID
    public var name: String
    /// Grid connection limit, kW (> 0): the site's aggregate never exceeds it in either direction.
    public var connectionLimitKW: Double
    /// Location in degrees (WGS84), used for PV forecasts.
    public var latitude: Double?
    public var longitude: Double?

    public init(
        id: SiteID, name: String, connectionLimitKW: Double, latitude: Double? = nil,
        longitude: Double? = nil
    ) {
        self.id = id
        self.name = name
        self.connectionLimitKW = connectionLimitKW
        self.latitude = latitude
        self.longitude = longitude
    }
}

/// One configured device, before its profile is known. `VPPConfig.deviceDescriptors(profiles:)` turns the list
/// into `DeviceDescriptor`s once DeviceIO has loaded the profiles.
public struct DeviceConfig: Sendable, Hashable {
    public var id: DeviceID
    /// Device profile id (file name without extension in `profilesDirectory`).
    public var profile: String
    public var site: SiteID
    public var owner: OwnerID
    /// Rated active power as installed, kW (> 0).
    public var ratedPowerKW: Double
    /// Usable energy, kWh (storage and V2G).
    public var ratedEnergyKWh: Double?
    public var address: DeviceAddress
    /// Export limit the installer set, kW; vppd never commands above it.
    public var installerLimitKW: Double?
    /// Key path of this entry (`devices[3]` or `devices.yaml: devices[3]`), for later errors.
    public var origin: String

    public init(
        id: DeviceID, profile: String, site: SiteID, owner: OwnerID, ratedPowerKW: Double,
        ratedEnergyKWh: Double? = nil,
        address: DeviceAddress, installerLimitKW: Double? = nil, origin: String = ""
    ) {
        self.id = id
        self.profile = profile
        self.site = site
        self.owner = owner
        self.ratedPowerKW = ratedPowerKW
        self.ratedEnergyKWh = ratedEnergyKWh
        self.address = address
        self.installerLimitKW = installerLimitKW
        self.origin = origin
    }
}
