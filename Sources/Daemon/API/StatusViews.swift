import Foundation

/// `GET /v1/health`: the process is alive and answering.
public struct HealthView: Codable, Sendable, Hashable {
    public var status: String
}

/// `GET /v1/ready`: whether the daemon is ready to serve (store open, API listening, configuration loaded).
public struct ReadyView: Codable, Sendable, Hashable {
    public var ready: Bool
    public var checks: [String: Bool]
}

/// The outcome of the last configuration reload (SIGHUP).
public struct ReloadView: Codable, Sendable, Hashable {
    public var at: Date
    public var ok: Bool
    /// What was reloaded, or why the reload was refused (the old configuration stays in force).
    public var detail: String
}

/// The parts of the configuration the status shows (never secrets).
public struct ConfigSummaryView: Codable, Sendable, Hashable {
    public var path: String
    public var apiListen: String
    public var stateDirectory: String
    public var controlPeriodMs: Int
    public var sites: Int
    public var devices: Int
    public var tokens: Int
    public var marketProfile: String?
    public var mqttBroker: String?

    public init(
        path: String, apiListen: String, stateDirectory: String, controlPeriodMs: Int, sites: Int,
        devices: Int,
        tokens: Int, marketProfile: String? = nil, mqttBroker: String? = nil
    ) {
        self.path = path
        self.apiListen = apiListen
        self.stateDirectory = stateDirectory
        self.controlPeriodMs = controlPeriodMs
        self.sites = sites
        self.devices = devices
        self.tokens = tokens
        self.marketProfile = marketProfile
        self.mqttBroker = mqttBroker
    }
}

/// `GET /v1/status`.
public struct StatusView: Codable, Sendable, Hashable {
    public var version: String
    public var startedAt: Date
    public var uptimeSeconds: Double
    public var ready: Bool
    public var config: ConfigSummaryView
    public var lastReload: ReloadView?
    public var fleet: AggregateView
    /// The control tick's timing over its recent window (nil before the first tick).
    public var controlLoop: ControlLoopView?
}
