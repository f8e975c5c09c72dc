import Foundation

/// The OpenAPI 3.0 description of the vppd API, served at `GET /v1/openapi.json`.
///
/// Written in Swift (rather than a resource file) so that it ships inside the binary and cannot drift from a
/// file on disk. OpenAPI 3.1 (JSON Schema 2020-12), so that every constraint a handler enforces can be stated:
/// `propertyNames` for keyed maps, numeric `exclusiveMinimum`, `anyOf` for alternatives (README "The HTTP API"). `DaemonTests/APIOpenAPITests` checks that every route of the real router is described here
/// and that real responses match the schemas.
public enum OpenAPIDocument {
    public static let document: JSONTree = [
        "openapi": "3.1.0",
        "info": [
            "title": "vppd API", "version": .string(VPPVersion.current),
            "description": .string(
                "Virtual power plant daemon. Bearer tokens carry a role: viewer (read), trader (market, DR), "
                    + "operator (dispatch commands), admin (everything). Errors are {error, detail}."),
        ],
        "servers": [["url": "/"]],
        "components": [
            "securitySchemes": ["bearer": ["type": "http", "scheme": "bearer"]],
            "schemas": .object(
                schemas.merging(settlementSchemas) { a, _ in a }.merging(demandResponseSchemas) { a, _ in a }
                    .merging(dashboardSchemas) { a, _ in a }),
        ],
        "paths": .object(
            paths.merging(settlementPaths) { a, _ in a }.merging(demandResponsePaths) { a, _ in a }
                .merging(dashboardPaths) { a, _ in a }),
    ]

    /// The document as JSON bytes (computed once).
    public static let jsonBytes: [UInt8] = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        return Array((try? encoder.encode(document)) ?? Data("{}".utf8))
    }()

    // MARK: - Paths

    static let paths: [String: JSONTree] = [
        "/v1/health": ["get": op("Liveness: the process answers", role: nil, ok: (200, "Health"))],
        "/v1/ready": [
            "get": op(
                "Readiness: store open, API listening, configuration loaded", role: nil, ok: (200, "Ready"),
                extra: [503: "Ready"])
        ],
        "/v1/status": [
            "get": op(
                "Version, uptime, configuration summary, fleet totals", role: "viewer", ok: (200, "Status"))
        ],
        "/v1/devices": [
            "get": op(
                "Every configured device with link, staleness and latest values", role: "viewer",
                ok: (200, "DeviceList"))
        ],
        "/v1/devices/{id}": [
            "get": op(
                "One device: telemetry and flexibility", role: "viewer", ok: (200, "Device"),
                params: [pathID("device")],
                errors: [400, 404])
        ],
        "/v1/fleet": [
            "get": op(
                "Fleet aggregates per site and kind, with flexibility", role: "viewer", ok: (200, "Fleet"))
        ],
        "/v1/commands": [
            "get": op(
                "List operator commands, newest first", role: "viewer", ok: (200, "CommandList"),
                params: [
                    query("status", "Comma-separated statuses", pattern: commaList(commandStatuses)),
                    query("kind", "Comma-separated kinds", pattern: commaList(commandKinds)),
                    query("target", "fleet, device:ID or site:ID", pattern: "^(fleet|(device|site):.+)$"),
                    query("from", "ISO 8601 date-time", format: "date-time"),
                    query("to", "ISO 8601 date-time", format: "date-time"),
                    queryInt("limit", "Entries at most (default 100)", 1...1000),
                    queryInt("offset", "Entries to skip", 0...1_000_000),
                ], errors: [400, 503]),
            "post": op(
                "Create an operator command, checked against the live fleet (422 with the reason when "
                    + "infeasible; the reply states any clamping); acknowledged (201) only after it is durably stored",
                role: "operator",
                ok: (201, "CommandReceipt"), body: "CommandRequest", errors: [400, 413, 422, 503]),
        ],
        "/v1/commands/{id}": [
            "get": op(
                "One command", role: "viewer", ok: (200, "Command"), params: [pathID("command")],
                errors: [400, 404, 503]),
            "delete": op(
                "Cancel a pending or active command", role: "operator", ok: (200, "Command"),
                params: [pathID("command"), query("reason", "Why (blank: the default reason)", maxLength: maxText)],
                errors: [400, 404, 409, 422, 503]),
        ],
        "/v1/commands/{id}/cancel": [
            "post": op(
                "Cancel a pending or active command", role: "operator", ok: (200, "Command"),
                params: [pathID("command")],
                body: "CancelRequest", bodyRequired: false, errors: [400, 404, 409, 413, 422, 503])
        ],
        "/v1/schedule": [
            "get": op(
                "The latest schedule (96 intervals) of a market day; empty when none is stored",
                role: "viewer",
                ok: (200, "Schedule"),
                params: [query("day", "Market day YYYY-MM-DD (default today)", format: "date")],
                errors: [400, 503])
        ],
        "/v1/schedule/{day}": [
            "get": op(
                "The latest schedule of a market day with executed energy and deviation per recorded interval",
                role: "viewer", ok: (200, "Schedule"), params: [pathDay()], errors: [400, 503])
        ],
        "/v1/tracking/{day}": [
            "get": op(
                "Tracking records of a market day: cleared vs. executed energy per interval, deviation against "
                    + "the market profile's tolerance; per-device contributions with ?interval=N",
                role: "viewer", ok: (200, "TrackingDay"),
                params: [
                    pathDay(), queryInt("interval", "One interval 1…96, with per-device contributions", 1...96),
                ],
                errors: [400, 503])
        ],
        "/v1/grid-instructions": [
            "post": op(
                "A real-time grid dispatch instruction (aggregate MW target for a window), stored as a "
                    + "gridInstruction command; checked, clamped and cancellable like every command",
                role: "operator", ok: (201, "CommandReceipt"), body: "GridInstructionRequest",
                errors: [400, 413, 422, 503])
        ],
        "/v1/bids": [
            "post": op(
                "Build the next bid version of a market day from the live fleet and a price view; stored, written "
                    + "to outbox/ (JSON and CSV) and acknowledged (201) only after it is durably stored",
                role: "trader", ok: (201, "BidStatus"), body: "BidBuildRequest", errors: [400, 409, 413, 422, 503])
        ],
        "/v1/bids/{day}": [
            "get": op(
                "A bid of a market day (latest, or ?version=N) with its submission state", role: "viewer",
                ok: (200, "BidStatus"), params: [pathDay(), queryInt("version", "Bid version", 1...1_000_000)],
                errors: [400, 404, 422, 503])
        ],
        "/v1/bids/{day}/csv": [
            "get": [
                "summary": "A bid as CSV (one row per interval × segment; README \"Bids and clearing\")",
                "security": [["bearer": []]], "x-required-role": "viewer",
                "parameters": [pathDay(), queryInt("version", "Bid version", 1...1_000_000)],
                "responses": .object(
                    errorResponses([400, 401, 403, 404, 413, 422, 429, 503]).merging([
                        "200": ["description": "CSV", "content": ["text/csv": ["schema": ["type": "string"]]]]
                    ]) { a, _ in a }),
            ]
        ],
        "/v1/bids/{day}/{version}/submit": [
            "post": op(
                "Mark a bid version submitted: the version a clearing must answer", role: "trader",
                ok: (200, "BidStatus"),
                params: [
                    pathDay(),
                    [
                        "name": "version", "in": "path", "required": true, "description": "Bid version",
                        "schema": ["type": "integer", "minimum": 1, "maximum": 1_000_000],
                    ],
                ], errors: [400, 404, 409, 503])
        ],
        "/v1/clearing": [
            "post": op(
                "Post a clearing result (JSON or CSV, README \"Bids and clearing\"); validated against the submitted "
                    + "bid, stored and turned into the day's schedule (201; 200 when it was accepted before). 422 "
                    + "names every problem and changes nothing",
                role: "trader", ok: (201, "ClearingResult"), body: "ClearingDocument",
                errors: [400, 409, 413, 422, 503],
                extra: [200: "ClearingResult"])
        ],
        "/v1/clearing/{day}": [
            "get": op(
                "The accepted clearing of a market day and its schedule", role: "viewer", ok: (200, "ClearingResult"),
                params: [pathDay()], errors: [400, 404, 422, 503])
        ],
        "/v1/forecast/prices/{day}": [
            "get": op(
                "The price view a bid for the day uses: stored forecast, else the similar-day fallback from "
                    + "accepted clearings", role: "viewer", ok: (200, "PriceForecast"), params: [pathDay()],
                errors: [400, 422, 503]),
            "put": op(
                "Store the price forecast of a market day", role: "trader", ok: (200, "PriceForecast"),
                params: [pathDay()], body: "PriceForecastBody", errors: [400, 413, 422, 503]),
        ],
        "/v1/audit": [
            "get": op(
                "Audit log, newest first", role: "operator", ok: (200, "AuditList"),
                params: [
                    query("actor", "Token name"), query("action", "Action, or prefix ending in '.'"),
                    query("target", "Target"),
                    query("since", "ISO 8601", format: "date-time"),
                    query("until", "ISO 8601", format: "date-time"),
                    queryInt("before", "Entries with id below this", 1...maxSafeInteger),
                    queryInt("limit", "Entries at most (default 100)", 1...1000),
                ], errors: [400, 503])
        ],
        "/v1/openapi.json": [
            "get": [
                "summary": "This document", "security": [],
                "responses": [
                    "200": [
                        "description": "OpenAPI document",
                        "content": ["application/json": ["schema": ["type": "object"]]],
                    ]
                ],
            ]
        ],
        "/metrics": [
            "get": [
                "summary": "Prometheus metrics (text exposition format 0.0.4)", "security": [],
                "responses": [
                    "200": [
                        "description": "Metrics", "content": ["text/plain": ["schema": ["type": "string"]]],
                    ]
                ],
            ]
        ],
    ]

    /// One operation: summary, security, parameters, body and responses (the error responses every
    /// authenticated route can give are added automatically).
    /// `csv`: the success response may also be `text/csv` (`format=csv`).
    static func op(
        _ summary: String, role: String?, ok: (Int, String), csv: Bool = false, params: [JSONTree] = [],
        body: String? = nil,
        bodyRequired: Bool = true, errors: [Int] = [], extra: [Int: String] = [:]
    ) -> JSONTree {
        var success = response("Success", ok.1)
        if csv, case .object(var o) = success, case .object(var content)? = o["content"] {
            content["text/csv"] = ["schema": ["type": "string"]]
            o["content"] = .object(content)
            success = .object(o)
        }
        var responses: [String: JSONTree] = [String(ok.0): success]
        for (code, schema) in extra { responses[String(code)] = response("See schema", schema) }
        // Every route can answer 400 (broken HTTP framing) and 413 (a declared body over the limit, on any
        // route); every authenticated one 401, 403 and 429 (README "API limits").
        var errorCodes = Set(errors).union([400, 413])
        if role != nil { errorCodes.formUnion([401, 403, 429]) }
        for (key, value) in errorResponses(errorCodes.sorted()) { responses[key] = value }
        var o: [String: JSONTree] = ["summary": .string(summary), "responses": .object(responses)]
        if let role {
            o["security"] = [["bearer": []]]
            o["x-required-role"] = .string(role)
        } else {
            o["security"] = []
        }
        if !params.isEmpty { o["parameters"] = .array(params) }
        if let body {
            o["requestBody"] = [
                "required": .bool(bodyRequired), "content": ["application/json": ["schema": ref(body)]],
            ]
        }
        return .object(o)
    }

    /// The documented error responses for `codes` (429 and 503 with their `Retry-After` header).
    static func errorResponses(_ codes: [Int]) -> [String: JSONTree] {
        var out: [String: JSONTree] = [:]
        for code in codes {
            var r = response(errorDescription(code), "Error")
            if code == 429, case .object(var o) = r {
                o["headers"] = [
                    "Retry-After": [
                        "description": "Seconds until a retry can succeed", "required": true,
                        "schema": ["type": "integer", "minimum": 1],
                    ]
                ]
                r = .object(o)
            }
            out[String(code)] = r
        }
        return out
    }

    static func response(_ description: String, _ schema: String) -> JSONTree {
        ["description": .string(description), "content": ["application/json": ["schema": ref(schema)]]]
    }

    static func errorDescription(_ code: Int) -> String {
        switch code {
        case 400:
            return "Malformed request (JSON syntax, field type, invalid id); detail names the field"
        case 401: return "Missing or invalid bearer token"
        case 403: return "The token's role does not allow this"
        case 404: return "Not found"
        case 409: return "Conflict with the current state (e.g. cancelling a finished command)"
        case 413: return "Request body too large"
        case 422:
            return "Well formed, but refused by the live state or a rule the schema cannot state (an infeasible "
                + "command, a clearing that does not answer the submitted bid); detail names the field"
        case 429: return "Too many requests for this token, or too many failed authentications from this address"
        case 503: return "The service behind this route is not running (store, market, settlement, DR)"
        default: return "Error"
        }
    }

    static func pathID(_ what: String, name: String = "id") -> JSONTree {
        [
            "name": .string(name), "in": "path", "required": true, "description": .string("The \(what) id"),
            "schema": ["type": "string", "pattern": "^[A-Za-z0-9_:-][A-Za-z0-9._:-]{0,127}$"],
        ]
    }

    static func pathDay() -> JSONTree {
        [
            "name": "day", "in": "path", "required": true, "description": "Market day YYYY-MM-DD",
            "schema": ["type": "string", "format": "date"],
        ]
    }

    static func query(
        _ name: String, _ description: String, type: String = "string", format: String? = nil,
        pattern: String? = nil, maxLength: Int? = nil, values: [String]? = nil
    ) -> JSONTree {
        var schema: [String: JSONTree] = ["type": .string(type)]
        if let format { schema["format"] = .string(format) }
        if let pattern { schema["pattern"] = .string(pattern) }
        if let maxLength { schema["maxLength"] = .number(Double(maxLength)) }
        if let values { schema["enum"] = .array(values.map { .string($0) }) }
        return [
            "name": .string(name), "in": "query", "required": false, "description": .string(description),
            "schema": .object(schema),
        ]
    }

    /// An integer query parameter with its accepted range.
    static func queryInt(_ name: String, _ description: String, _ range: ClosedRange<Int>) -> JSONTree {
        [
            "name": .string(name), "in": "query", "required": false,
            "description": .string("\(description), \(range.lowerBound)…\(range.upperBound)"),
            "schema": boundedInteger(range),
        ]
    }

    static func boundedInteger(_ range: ClosedRange<Int>) -> JSONTree {
        ["type": "integer", "minimum": .number(Double(range.lowerBound)), "maximum": .number(Double(range.upperBound))]
    }

    /// A pattern for a comma-separated list of `values` (no empty item).
    static func commaList(_ values: [String]) -> String {
        let one = "(" + values.joined(separator: "|") + ")"
        return "^\(one)(,\(one))*$"
    }

    /// A text with at least one non-blank character (handlers trim, then require something).
    static let nonBlank = "\\S"
    /// Longest reason or author text (`CommandBounds.maxTextLength`).
    static let maxText = 1_000
    static let reasonText: JSONTree = [
        "type": "string", "pattern": .string(nonBlank), "maxLength": .number(Double(maxText)),
    ]

    // MARK: - Schemas

    static func ref(_ name: String) -> JSONTree { ["$ref": .string("#/components/schemas/\(name)")] }

    /// An object schema; `required` lists the members always present, the others may be absent.
    static func object(_ properties: [String: JSONTree], required: [String]) -> JSONTree {
        [
            "type": "object", "properties": .object(properties),
            "required": .array(required.map { .string($0) }),
        ]
    }
    static let string: JSONTree = ["type": "string"]
    static let dateTime: JSONTree = ["type": "string", "format": "date-time"]
    static let number: JSONTree = ["type": "number"]
    static let integer: JSONTree = ["type": "integer"]
    static let boolean: JSONTree = ["type": "boolean"]
    static func array(_ items: JSONTree) -> JSONTree { ["type": "array", "items": items] }
    static func map(_ values: JSONTree) -> JSONTree {
        ["type": "object", "additionalProperties": values]
    }
    /// A number in `range` (inclusive).
    static func bounded(_ range: ClosedRange<Double>) -> JSONTree {
        ["type": "number", "minimum": .number(range.lowerBound), "maximum": .number(range.upperBound)]
    }
    /// A command window's length, seconds: 1…`max`.
    static func windowLength(max: Double) -> JSONTree {
        ["type": "number", "minimum": 1, "maximum": .number(max)]
    }
    /// An array of exactly `count` items.
    static func exactly(_ count: Int, _ items: JSONTree) -> JSONTree {
        ["type": "array", "items": items, "minItems": .number(Double(count)), "maxItems": .number(Double(count))]
    }
    /// A map whose keys match `keyPattern`.
    static func keyedMap(_ keyPattern: String, _ values: JSONTree) -> JSONTree {
        ["type": "object", "propertyNames": ["pattern": .string(keyPattern)], "additionalProperties": values]
    }
    static func enumeration(_ values: [String]) -> JSONTree {
        ["type": "string", "enum": .array(values.map { .string($0) })]
    }

    static let schemas: [String: JSONTree] = [
        "Error": object(["error": string, "detail": string], required: ["error", "detail"]),
        "Health": object(["status": string], required: ["status"]),
        "Ready": object(["ready": boolean, "checks": map(boolean)], required: ["ready", "checks"]),
        "Reload": object(
            ["at": dateTime, "ok": boolean, "detail": string], required: ["at", "ok", "detail"]),
        "ConfigSummary": object(
            [
                "path": string, "apiListen": string, "stateDirectory": string, "controlPeriodMs": integer,
                "sites": integer,
                "devices": integer, "tokens": integer, "marketProfile": string, "mqttBroker": string,
            ],
            required: [
                "path", "apiListen", "stateDirectory", "controlPeriodMs", "sites", "devices", "tokens",
            ]),
        "Status": object(
            [
                "version": string, "startedAt": dateTime, "uptimeSeconds": number, "ready": boolean,
                "config": ref("ConfigSummary"), "lastReload": ref("Reload"), "fleet": ref("Aggregate"),
                "controlLoop": ref("ControlLoop"),
            ],
            required: ["version", "startedAt", "uptimeSeconds", "ready", "config", "fleet"]),
        "ControlLoop": object(
            [
                "ticks": integer, "window": integer, "workP50Ms": number, "workP99Ms": number, "workMaxMs": number,
                "lateP99Ms": number, "lateMaxMs": number,
            ],
            required: ["ticks", "window", "workP50Ms", "workP99Ms", "workMaxMs", "lateP99Ms", "lateMaxMs"]),
        "Flexibility": object(
            [
                "powerKW": number, "maxKW": number, "minKW": number, "upKW": number, "downKW": number,
                "constraints": array(string),
            ],
            required: ["powerKW", "maxKW", "minKW", "upKW", "downKW", "constraints"]),
        "PointValue": object(["value": number, "at": dateTime], required: ["value", "at"]),
        "Device": object(
            [
                "id": string, "kind": enumeration(["pv", "storage", "v2g", "meter"]), "site": string,
                "owner": string,
                "profile": string, "transport": enumeration(["modbus", "mqtt"]), "address": string,
                "ratedPowerKW": number,
                "ratedEnergyKWh": number, "installerLimitKW": number,
                "link": enumeration(["unknown", "up", "down"]),
                "health": enumeration(["ok", "stale", "down", "unknown"]), "stale": boolean,
                "staleAfterSeconds": number, "lastSeen": dateTime, "lastError": string,
                "values": map(ref("PointValue")), "flexibility": ref("Flexibility"),
            ],
            required: [
                "id", "kind", "site", "owner", "profile", "transport", "address", "ratedPowerKW", "link",
                "health", "stale",
                "staleAfterSeconds", "values", "flexibility",
            ]),
        "DeviceList": object(
            ["count": integer, "devices": array(ref("Device"))], required: ["count", "devices"]),
        "Aggregate": object(
            [
                "devices": integer, "ok": integer, "stale": integer, "down": integer, "unknown": integer,
                "ratedPowerKW": number, "powerKW": number, "meteredPowerKW": number, "maxKW": number,
                "minKW": number,
                "upKW": number, "downKW": number,
            ],
            required: [
                "devices", "ok", "stale", "down", "unknown", "ratedPowerKW", "powerKW", "meteredPowerKW",
                "maxKW",
                "minKW", "upKW", "downKW",
            ]),
        "Fleet": object(
            ["totals": ref("Aggregate"), "sites": map(ref("Aggregate")), "kinds": map(ref("Aggregate"))],
            required: ["totals", "sites", "kinds"]),
        "CommandTarget": [
            "type": "object",
            "properties": [
                "scope": enumeration(["device", "site", "fleet"]), "id": ["type": "string", "minLength": 1],
            ],
            "required": ["scope"],
            // `fleet` takes no id; `device` and `site` need one.
            "oneOf": [
                ["properties": ["scope": ["const": "fleet"]], "not": ["required": ["id"]]],
                ["properties": ["scope": ["enum": ["device", "site"]]], "required": ["id"]],
            ],
        ],
        "Magnitude": object(
            ["value": number, "unit": enumeration(["kW", "MW", "percent"])], required: ["value", "unit"]),
        "CommandRequest": window(
            examples: [
                [
                    "kind": "curtailPV", "target": ["scope": "fleet"], "magnitude": ["value": 50, "unit": "percent"],
                    "durationSeconds": 900, "reason": "curtail the fleet's PV to 50 % for 15 min",
                ],
                [
                    "kind": "discharge", "target": ["scope": "site", "id": "site-1"],
                    "magnitude": ["value": 5, "unit": "kW"], "durationSeconds": 600, "reason": "evening peak",
                ],
            ],
            object(
                [
                    "kind": enumeration(commandKinds), "target": ref("CommandTarget"),
                    "magnitude": ref("Magnitude"),
                    "start": dateTime, "end": dateTime, "durationSeconds": windowLength(max: maxDuration),
                    "reason": reasonText,
                ],
                required: ["kind", "target", "reason"])),
        "Command": object(commandProperties, required: commandRequired),
        "CommandReceipt": object(
            commandProperties.merging(["feasibility": ref("CommandCheck"), "clamped": ref("Clamp")]) { a, _ in a },
            required: commandRequired + ["feasibility"]),
        "CommandCheck": object(
            [
                "usableDevices": integer, "unavailableDevices": integer, "requestedKW": number,
                "feasibleKW": number, "note": string,
            ],
            required: ["usableDevices", "unavailableDevices"]),
        "Clamp": object(
            ["requestedKW": number, "feasibleKW": number, "reason": string],
            required: ["requestedKW", "feasibleKW", "reason"]),
        "GridInstructionRequest": window(
            examples: [["targetMW": .number(0.01), "durationSeconds": 900, "reason": "dispatch centre instruction"]],
            object(
                [
                    "targetMW": bounded(-maxMW...maxMW), "start": dateTime, "end": dateTime,
                    "durationSeconds": windowLength(max: maxDuration),
                    "reason": reasonText,
                    "reference": ["type": "string", "maxLength": .number(Double(GridInstructionRequest.maxReference))],
                    "site": ["type": "string", "minLength": 1],
                ],
                required: ["targetMW", "reason"])),
        "TrackingDay": object(
            [
                "day": ["type": "string", "format": "date"], "intervals": array(ref("TrackingInterval")),
                "totals": ref("TrackingTotals"),
            ],
            required: ["day", "intervals", "totals"]),
        "TrackingInterval": object(
            [
                "index": integer, "start": dateTime, "end": dateTime, "clearedMWh": number,
                "executedMWh": number, "deviationMWh": number, "deviationPercent": number,
                "tolerancePercent": number, "withinTolerance": boolean, "recordedAt": dateTime,
                "contributions": array(ref("Contribution")),
            ],
            required: [
                "index", "start", "end", "clearedMWh", "executedMWh", "deviationMWh", "tolerancePercent",
                "withinTolerance", "recordedAt",
            ]),
        "Contribution": object(["device": string, "energyMWh": number], required: ["device", "energyMWh"]),
        "TrackingTotals": object(
            [
                "intervals": integer, "withinTolerance": integer, "clearedMWh": number, "executedMWh": number,
                "deviationMWh": number, "absoluteDeviationMWh": number,
            ],
            required: [
                "intervals", "withinTolerance", "clearedMWh", "executedMWh", "deviationMWh",
                "absoluteDeviationMWh",
            ]),
        "CommandList": object(
            ["count": integer, "commands": array(ref("Command"))], required: ["count", "commands"]),
        "CancelRequest": object(["reason": ["type": "string", "maxLength": .number(Double(maxText))]], required: []),
        "ScheduleInterval": object(
            [
                "index": integer, "start": dateTime, "end": dateTime, "targetKW": number, "executedKW": number,
                "deviationMWh": number, "withinTolerance": boolean,
            ],
            required: ["index", "start", "end", "targetKW"]),
        "Schedule": object(
            [
                "day": ["type": "string", "format": "date"], "version": integer, "source": string,
                "createdAt": dateTime,
                "intervals": array(ref("ScheduleInterval")),
            ],
            required: ["day", "intervals"]),
        "MWRange": object(["minMW": number, "maxMW": number], required: []),
        "BidSegment": object(["priceYuanPerMWh": number, "netMW": number], required: ["priceYuanPerMWh", "netMW"]),
        "BidInterval": object(
            [
                "index": integer, "time": string, "baseMW": number, "segments": array(ref("BidSegment")),
                "capability": ref("MWRange"), "flag": enumeration(["tight", "surplus"]),
                "obligation": ref("MWRange"), "expectedMW": number, "forecastPriceYuanPerMWh": number,
            ],
            required: ["index", "time", "baseMW", "segments", "capability"]),
        "BidRelaxation": object(
            ["constraint": string, "interval": integer, "amount": number, "unit": string, "detail": string],
            required: ["constraint", "amount", "unit", "detail"]),
        "BidDocument": object(
            [
                "schema": enumeration(["vppd.bid/1"]), "market": string,
                "marketDay": ["type": "string", "format": "date"],
                "version": integer, "createdAt": dateTime, "quantityUnit": enumeration(["MW"]),
                "priceUnit": enumeration(["yuan/MWh"]), "intervalLabelling": enumeration(["start", "end"]),
                "timeZone": string, "source": string, "intervals": array(ref("BidInterval")),
                "relaxations": array(ref("BidRelaxation")),
            ],
            required: [
                "schema", "market", "marketDay", "version", "createdAt", "quantityUnit", "priceUnit",
                "intervalLabelling", "timeZone", "source", "intervals", "relaxations",
            ]),
        "BidStatus": object(
            [
                "bid": ref("BidDocument"), "latestVersion": integer, "submittedVersion": integer,
                "submitted": boolean, "gateClosure": dateTime, "lateForGateClosure": boolean, "files": array(string),
            ],
            required: ["bid", "latestVersion", "submitted", "gateClosure", "lateForGateClosure", "files"]),
        "BidBuildRequest": object(
            [
                "day": ["type": "string", "format": "date"], "pricesYuanPerMWh": dayPrices,
                "quantiles": quantileSeries,
                "flags": keyedMap(intervalKey, enumeration(["tight", "surplus"])),
            ],
            required: ["day"]),
        "ClearingDocument": object(
            [
                "schema": enumeration(["vppd.clearing/1"]), "marketDay": ["type": "string", "format": "date"],
                "bidVersion": integer, "unit": enumeration(["MW"]), "priceUnit": enumeration(["yuan/MWh"]),
                "intervalLabelling": enumeration(["start", "end"]),
                "intervals": array(
                    object(
                        ["index": integer, "time": string, "clearedQuantity": number, "price": number],
                        required: ["clearedQuantity", "price"])),
            ],
            required: ["marketDay", "bidVersion", "unit", "intervals"]),
        "ClearingInterval": object(
            ["index": integer, "clearedMW": number, "priceYuanPerMWh": number, "targetKW": number],
            required: ["index", "clearedMW", "priceYuanPerMWh", "targetKW"]),
        "ClearingResult": object(
            [
                "day": ["type": "string", "format": "date"], "version": integer, "bidVersion": integer,
                "acceptedAt": dateTime, "source": string, "scheduleVersion": integer, "duplicate": boolean,
                "intervals": array(ref("ClearingInterval")),
            ],
            required: ["day", "version", "bidVersion", "acceptedAt", "source", "duplicate", "intervals"]),
        "PriceForecast": object(
            [
                "day": ["type": "string", "format": "date"],
                "source": enumeration(["file", "given", "similarDay", "noisyActual"]),
                "note": string, "pricesYuanPerMWh": array(number), "quantiles": map(array(number)),
            ],
            required: ["day", "source", "note", "pricesYuanPerMWh", "quantiles"]),
        "PriceForecastBody": object(
            ["pricesYuanPerMWh": dayPrices, "quantiles": quantileSeries], required: ["pricesYuanPerMWh"]),
        "AuditEntry": object(
            [
                "id": integer, "at": dateTime, "actor": string, "role": string, "action": string,
                "target": string,
                "detail": string, "sourceAddress": string,
            ],
            required: ["id", "at", "actor", "role", "action", "target", "detail", "sourceAddress"]),
        "AuditList": object(
            ["count": integer, "entries": array(ref("AuditEntry"))], required: ["count", "entries"]),
    ]

    /// The members of a stored command (`Command`, and the receipt that adds the feasibility check to it).
    static let commandProperties: [String: JSONTree] = [
        "id": string, "kind": enumeration(commandKinds), "target": ref("CommandTarget"),
        "magnitude": ref("Magnitude"),
        "start": dateTime, "end": dateTime, "author": string, "reason": string,
        "status": enumeration(["pending", "active", "completed", "cancelled", "expired", "rejected"]),
        "statusDetail": string, "createdAt": dateTime, "updatedAt": dateTime, "cancelledBy": string,
        "cancelReason": string, "cancelledAt": dateTime,
    ]
    static let commandRequired = [
        "id", "kind", "target", "start", "end", "author", "reason", "status", "createdAt", "updatedAt",
    ]

    /// `end` or `durationSeconds` is required; both may be given when they agree (within 1 s).
    /// `examples` are valid requests (the fuzzer's examples phase sends them).
    static func window(examples: [JSONTree] = [], _ schema: JSONTree) -> JSONTree {
        guard case .object(var o) = schema else { return schema }
        o["anyOf"] = [["required": ["end"]], ["required": ["durationSeconds"]]]
        if !examples.isEmpty { o["examples"] = .array(examples) }
        return .object(o)
    }

    /// Longest command window, seconds (`CommandBounds.maxDurationSeconds`, 7 days).
    static let maxDuration: Double = 7 * 86_400
    /// Largest grid instruction, MW (`CommandBounds.maxAbsPowerKW` / 1000).
    static let maxMW: Double = 1_000

    /// A day's prices: 96 numbers within `priceBounds`.
    static let dayPrices: JSONTree = exactly(96, bounded(priceBounds))
    /// Quantile series keyed by percent 1…99, each a day's prices.
    static let quantileSeries: JSONTree = keyedMap("^([1-9]|[1-9][0-9])$", dayPrices)
    /// An interval number 1…96 as a map key.
    static let intervalKey = "^([1-9]|[1-8][0-9]|9[0-6])$"
    /// Prices the API accepts, yuan/MWh (`PriceBounds.api`): no market profile reaches them, and every one of
    /// them is safe for the optimizer.
    static let priceBounds: ClosedRange<Double> = PriceBounds.api

    /// The largest integer a JSON number holds exactly (2^53 − 1): the bound of ids given in queries.
    public static let maxSafeInteger = 9_007_199_254_740_991

    static let commandStatuses = ["pending", "active", "completed", "cancelled", "expired", "rejected"]

    static let commandKinds = [
        "curtailPV", "charge", "discharge", "hold", "release", "emergencyStop", "overrideSchedule",
        "gridInstruction",
    ]
}
