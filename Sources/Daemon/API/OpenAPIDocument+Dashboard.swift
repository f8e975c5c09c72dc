/// The dashboard part of the OpenAPI document (README "Dashboard"), merged into `OpenAPIDocument.paths` and
/// `schemas`: the page's static files, the live stream and the small read routes the page needs.
extension OpenAPIDocument {
    static let dashboardPaths: [String: JSONTree] = [
        "/": ["get": page("The operator's page (HTML, strict Content-Security-Policy)", "text/html", params: [])],
        "/ui/{file}": [
            "get": page(
                "One static file of the page (HTML, JS module, CSS, SVG, PNG)", "*/*",
                params: [
                    [
                        "name": "file", "in": "path", "required": true, "description": "A file name of the page",
                        "schema": ["type": "string", "pattern": "^[A-Za-z0-9_-][A-Za-z0-9._-]{0,63}$"],
                    ]
                ])
        ],
        "/v1/session": [
            "get": op("The caller's token name, role and what the role allows", role: "viewer", ok: (200, "Session"))
        ],
        "/v1/stream": [
            "get": stream()
        ],
        "/v1/alerts": [
            "get": op(
                "What needs attention now: devices not ok, missed bid gates, rejected inbox files, failed setpoint "
                    + "writes of the last hour (lists bounded, counts complete)",
                role: "viewer", ok: (200, "Alerts"), errors: [503])
        ],
        "/v1/market/calendar": [
            "get": op(
                "The bid gate closures from yesterday to the day after tomorrow, with each day's bid versions, "
                    + "submitted version and clearing version",
                role: "viewer", ok: (200, "MarketCalendar"), errors: [503])
        ],
        "/v1/devices/{id}/setpoints": [
            "get": op(
                "A device's recent setpoint writes, newest first", role: "viewer", ok: (200, "SetpointList"),
                params: [pathID("device"), queryInt("limit", "Entries at most (default 50)", 1...500)],
                errors: [404, 503])
        ],
    ]

    /// An unauthenticated static file: 200 with `type`, 404 (unknown file) and 503 (page not installed) as JSON.
    static func page(_ summary: String, _ type: String, params: [JSONTree]) -> JSONTree {
        guard case .object(var o) = op(summary, role: nil, ok: (200, "Error"), params: params, errors: [404, 503]),
            case .object(var responses)? = o["responses"]
        else { return [:] }
        responses["200"] = ["description": "The file", "content": [type: ["schema": ["type": "string"]]]]
        o["responses"] = .object(responses)
        return .object(o)
    }

    /// `GET /v1/stream`: Server-Sent Events for `seconds` (1…30, default 25).
    static func stream() -> JSONTree {
        guard
            case .object(var o) = op(
                "Live state as Server-Sent Events (fleet, devices, commands; only changes after the first events), "
                    + "for `seconds`, then an `end` event; the page reconnects",
                role: "viewer", ok: (200, "Error"),
                params: [
                    queryInt(
                        "seconds", "How long the stream stays open, s (default \(LiveStream.defaultSeconds))",
                        LiveStream.secondsRange)
                ]),
            case .object(var responses)? = o["responses"]
        else { return [:] }
        // Each event as a Server-Sent Events object (how Schemathesis reads `text/event-stream`): its name, an
        // increasing id and one line of JSON data (`FleetView`, `LiveDevicesEvent`, `CommandListView`,
        // `LiveAlertsEvent`, `{}`).
        let event = object(
            [
                "event": enumeration(["fleet", "devices", "commands", "alerts", "end"]),
                "id": ["type": "string", "pattern": "^[0-9]+$"],
                "data": ["type": "string", "minLength": 2],
            ], required: ["event", "id", "data"])
        responses["200"] = [
            "description": "An event stream", "content": ["text/event-stream": ["schema": event]],
        ]
        o["responses"] = .object(responses)
        return .object(o)
    }

    static let setpointProperties: [String: JSONTree] = [
        "device": string, "point": string, "value": number, "written": boolean, "readBack": number, "ok": boolean,
        "error": string, "commandID": string, "at": dateTime,
    ]

    static let dashboardSchemas: [String: JSONTree] = [
        "Session": object(
            [
                "name": string, "role": enumeration(["viewer", "trader", "operator", "admin"]),
                "allows": array(enumeration(["read", "market", "dispatch", "admin"])),
            ], required: ["name", "role", "allows"]),
        "Setpoint": object(
            setpointProperties, required: ["device", "point", "value", "written", "ok", "at"]),
        "SetpointList": object(
            ["device": string, "count": integer, "setpoints": array(ref("Setpoint"))],
            required: ["device", "count", "setpoints"]),
        "MarketCalendar": object(
            [
                "profile": string, "deviationTolerancePercent": number, "timeZone": string, "now": dateTime,
                "gates": array(
                    object(
                        [
                            "day": ["type": "string", "format": "date"], "gateClosure": dateTime, "closed": boolean,
                            "submittedVersion": integer, "bidVersions": array(integer), "clearingVersion": integer,
                        ], required: ["day", "gateClosure", "closed", "bidVersions"])),
            ], required: ["profile", "deviationTolerancePercent", "timeZone", "now", "gates"]),
        "Alerts": object(
            [
                "at": dateTime, "counts": map(integer),
                "devices": array(
                    object(
                        ["id": string, "health": string, "lastSeen": dateTime, "lastError": string],
                        required: ["id", "health"])),
                "missedGates": array(
                    object(
                        ["day": ["type": "string", "format": "date"], "gateClosure": dateTime],
                        required: ["day", "gateClosure"])),
                "rejectedFiles": array(
                    object(["name": string, "at": dateTime, "reason": string], required: ["name", "at", "reason"])),
                "failedWrites": array(ref("Setpoint")),
            ], required: ["at", "counts", "devices", "missedGates", "rejectedFiles", "failedWrites"]),
    ]
}
