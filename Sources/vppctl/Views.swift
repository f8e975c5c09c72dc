import Foundation

// The parts of the API's answers that the tables show (the full answers: `--json`, or /v1/openapi.json).

struct Flex: Decodable {
    var powerKW: Double
    var maxKW: Double
    var minKW: Double
    var upKW: Double
    var downKW: Double
    var constraints: [String]
}

struct Aggregate: Decodable {
    var devices: Int
    var ok: Int
    var stale: Int
    var down: Int
    var unknown: Int
    var ratedPowerKW: Double
    var powerKW: Double
    var meteredPowerKW: Double
    var upKW: Double
    var downKW: Double
}

struct StatusAnswer: Decodable {
    struct Config: Decodable {
        var path: String
        var apiListen: String
        var stateDirectory: String
        var controlPeriodMs: Int
        var sites: Int
        var devices: Int
        var tokens: Int
    }
    struct Reload: Decodable {
        var at: Date
        var ok: Bool
        var detail: String
    }
    var version: String
    var startedAt: Date
    var uptimeSeconds: Double
    var ready: Bool
    var config: Config
    var lastReload: Reload?
    var fleet: Aggregate
}

struct PointValue: Decodable {
    var value: Double
    var at: Date
}

struct DeviceAnswer: Decodable {
    var id: String
    var kind: String
    var site: String
    var owner: String
    var profile: String
    var address: String
    var ratedPowerKW: Double
    var link: String
    var health: String
    var stale: Bool
    var lastSeen: Date?
    var lastError: String?
    var values: [String: PointValue]
    var flexibility: Flex
}

struct DeviceListAnswer: Decodable {
    var count: Int
    var devices: [DeviceAnswer]
}

struct FleetAnswer: Decodable {
    var totals: Aggregate
    var sites: [String: Aggregate]
    var kinds: [String: Aggregate]
}

struct CommandAnswer: Decodable {
    struct Target: Decodable {
        var scope: String
        var id: String?
        var text: String { id.map { "\(scope):\($0)" } ?? scope }
    }
    struct Magnitude: Decodable {
        var value: Double
        var unit: String
        var text: String { "\(fmt(value, 3)) \(unit == "percent" ? "%" : unit)" }
    }
    var id: String
    var kind: String
    var target: Target
    var magnitude: Magnitude?
    var start: Date
    var end: Date
    var author: String
    var reason: String
    var status: String
    var statusDetail: String?
}

struct CommandListAnswer: Decodable {
    var count: Int
    var commands: [CommandAnswer]
}

struct AuditAnswer: Decodable {
    struct Entry: Decodable {
        var id: Int64?
        var at: Date
        var actor: String
        var role: String
        var action: String
        var target: String
        var detail: String
        var sourceAddress: String
    }
    var count: Int
    var entries: [Entry]
}

struct ScheduleAnswer: Decodable {
    struct Interval: Decodable {
        var index: Int
        var start: Date
        var end: Date
        var targetKW: Double
        var executedKW: Double?
        var deviationMWh: Double?
        var withinTolerance: Bool?
    }
    var day: String
    var version: Int?
    var source: String?
    var intervals: [Interval]
}

/// `2026-01-31T12:00:00Z` for tables.
func iso(_ date: Date?) -> String {
    guard let date else { return "-" }
    return date.formatted(Date.ISO8601FormatStyle())
}
