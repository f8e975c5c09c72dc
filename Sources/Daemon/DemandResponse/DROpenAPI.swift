/// The DR part of the OpenAPI document (issue 7 §1–§3), merged into `OpenAPIDocument.paths`/`schemas`.
extension OpenAPIDocument {
    static let demandResponsePaths: [String: JSONTree] = [
        "/v1/dr/invitations": [
            "post": op(
                "Take a DR invitation (the platform's JSON or CSV document, README \"Demand response\"); stored "
                    + "before the reply (201); the same invitation again returns the stored event",
                role: "trader", ok: (201, "DREvent"), body: "DRInvitationDocument", errors: [400, 409, 413, 422, 503])
        ],
        "/v1/dr/events": [
            "get": op(
                "DR events by day then id", role: "viewer", ok: (200, "DREventList"),
                params: [
                    query("day", "Market day YYYY-MM-DD", format: "date"),
                    query("status", "invited, offered, cleared, cancelled, executed or settled", values: drStatuses),
                ], errors: [400, 503])
        ],
        "/v1/dr/events/{id}": [
            "get": op(
                "One DR event: invitation, offer versions, award, cancellation, status history", role: "viewer",
                ok: (200, "DREvent"), params: [pathID("DR event")], errors: [400, 404, 503])
        ],
        "/v1/dr/events/{id}/offer": [
            "post": op(
                "Estimate what the fleet can really deliver and record it as the next offer version; written to "
                    + "the outbox as JSON and CSV (201); 409 after the deadline or once cleared",
                role: "trader", ok: (201, "DROfferReceipt"), params: [pathID("DR event")],
                errors: [400, 404, 409, 422, 503])
        ],
        "/v1/dr/events/{id}/award": [
            "post": op(
                "Take the DR clearing (award) for the event, checked against the offer; its intervals become "
                    + "obligations", role: "trader", ok: (200, "DREvent"), params: [pathID("DR event")],
                body: "DRAwardDocument", errors: [400, 404, 409, 413, 422, 503])
        ],
        "/v1/dr/events/{id}/cancel": [
            "post": op(
                "Record the grid's early cancellation (settled on the invited plan)", role: "trader",
                ok: (200, "DREvent"), params: [pathID("DR event")], body: "DRCancelRequest", bodyRequired: false,
                errors: [400, 404, 409, 413, 422, 503])
        ],
    ]

    static let demandResponseSchemas: [String: JSONTree] = [
        "DRProduct": object(
            [
                "direction": enumeration(["peakShaving", "valleyFilling"]),
                "timing": enumeration(["dayAhead", "intraday"]),
            ],
            required: ["direction", "timing"]),
        "DRInvitationDocument": object(
            [
                "kind": string, "id": string, "direction": enumeration(["peakShaving", "valleyFilling"]),
                "timing": enumeration(["dayAhead", "intraday"]), "day": ["type": "string", "format": "date"],
                "priceCapYuanPerMWh": number, "fixedPriceYuanPerMWh": number, "deadline": dateTime, "issuer": string,
                "intervalLabelling": enumeration(["start", "end"]),
                "intervals": array(
                    object(["index": integer, "time": string, "requestedMW": number], required: ["requestedMW"])),
            ], required: ["id", "direction", "timing", "day", "deadline", "intervals"]),
        "DRAwardDocument": object(
            [
                "eventID": string, "day": ["type": "string", "format": "date"], "offerVersion": integer,
                "clearedAt": dateTime, "intervalLabelling": enumeration(["start", "end"]),
                "intervals": array(
                    object(
                        ["index": integer, "time": string, "awardedMW": number, "priceYuanPerMWh": number],
                        required: ["awardedMW", "priceYuanPerMWh"])),
            ], required: ["eventID", "day", "intervals"]),
        "DRCancelRequest": object(["at": dateTime, "reason": string], required: []),
        "DRInvitation": object(
            [
                "id": string, "product": ref("DRProduct"), "day": ["type": "string", "format": "date"],
                "intervals": array(
                    object(["index": integer, "requestedMW": number], required: ["index", "requestedMW"])),
                "pricing": object(
                    [
                        "cap": object(["yuanPerMWh": number], required: ["yuanPerMWh"]),
                        "fixed": object(["yuanPerMWh": number], required: ["yuanPerMWh"]),
                    ], required: []),
                "deadline": dateTime, "issuer": string,
            ], required: ["id", "product", "day", "intervals", "pricing", "deadline"]),
        "DROffer": object(
            [
                "eventID": string, "day": ["type": "string", "format": "date"], "product": ref("DRProduct"),
                "version": integer, "createdAt": dateTime, "basis": string,
                "intervals": array(
                    object(
                        [
                            "index": integer, "offeredMW": number, "priceYuanPerMWh": number, "requestedMW": number,
                            "capabilityMW": number,
                        ], required: ["index", "offeredMW", "priceYuanPerMWh", "requestedMW", "capabilityMW"])),
            ], required: ["eventID", "day", "product", "version", "createdAt", "intervals", "basis"]),
        "DRAward": object(
            [
                "eventID": string, "day": ["type": "string", "format": "date"], "offerVersion": integer,
                "clearedAt": dateTime,
                "intervals": array(
                    object(
                        ["index": integer, "awardedMW": number, "priceYuanPerMWh": number],
                        required: ["index", "awardedMW", "priceYuanPerMWh"])),
            ], required: ["eventID", "day", "intervals"]),
        "DREvent": object(
            [
                "invitation": ref("DRInvitation"), "status": enumeration(drStatuses), "offers": array(ref("DROffer")),
                "award": ref("DRAward"),
                "cancellation": object(
                    ["eventID": string, "at": dateTime, "reason": string], required: ["eventID", "at"]),
                "history": array(
                    object(
                        ["status": enumeration(drStatuses), "at": dateTime, "note": string],
                        required: ["status", "at", "note"])),
            ], required: ["invitation", "status", "offers", "history"]),
        "DREventList": object(
            [
                "count": integer,
                "events": array(
                    object(
                        [
                            "id": string, "day": ["type": "string", "format": "date"],
                            "status": enumeration(drStatuses),
                            "direction": string, "timing": string, "deadline": dateTime, "intervals": array(integer),
                            "requestedMWh": number, "offeredMWh": number, "awardedMWh": number,
                            "cancelledAt": dateTime,
                        ],
                        required: [
                            "id", "day", "status", "direction", "timing", "deadline", "intervals", "requestedMWh",
                        ])),
            ], required: ["count", "events"]),
        "DROfferReceipt": object(["offer": ref("DROffer"), "files": array(string)], required: ["offer", "files"]),
    ]

    static let drStatuses = ["invited", "offered", "cleared", "cancelled", "executed", "settled"]
}
