/// The settlement part of the OpenAPI document (issue 7 §5), merged into `OpenAPIDocument.paths`/`schemas`.
extension OpenAPIDocument {
    static let settlementPaths: [String: JSONTree] = [
        "/v1/settlement/{day}": [
            "post": op(
                "Settle a market day now: DR events (baseline, response, band, compensation and penalty per "
                    + "interval), spot revenue and deviation from the tracking records, allocation to every owner "
                    + "in fen; stored as the day's next version before the reply (201)",
                role: "trader", ok: (201, "Settlement"), params: [pathDay()], body: "SettleRequest",
                bodyRequired: false, errors: [400, 413, 422, 503]),
            "get": op(
                "The latest stored settlement of a market day", role: "viewer", ok: (200, "Settlement"),
                params: [pathDay()], errors: [400, 404, 422, 503]),
        ],
        "/v1/statements/{owner}": [
            "get": op(
                "An owner's statement for a month or a day (JSON, or CSV with format=csv: owner,day,source,event,"
                    + "contribution_kwh,amount_fen,amount_yuan and a TOTAL row); sums exactly to the owner's "
                    + "share of the aggregate",
                role: "viewer", ok: (200, "OwnerStatement"), csv: true,
                params: [
                    pathID("owner", name: "owner"),
                    query(
                        "month", "Month YYYY-MM (give exactly one of month and day)",
                        pattern: "^[0-9]{4}-(0[1-9]|1[0-2])$"),
                    query("day", "Day YYYY-MM-DD (give exactly one of month and day)", format: "date"),
                    query("format", "json (default) or csv", values: ["json", "csv"]),
                ],
                errors: [400, 404, 422, 503])
        ],
    ]

    static let settlementSchemas: [String: JSONTree] = [
        "SettleRequest": object(
            ["atypicalDays": array(["type": "string", "format": "date"])], required: []),
        "Settlement": object(
            [
                "day": ["type": "string", "format": "date"], "version": integer, "createdAt": dateTime,
                "source": string, "settlement": ref("DaySettlement"),
            ],
            required: ["day", "version", "createdAt", "source", "settlement"]),
        "DaySettlement": object(
            [
                "day": ["type": "string", "format": "date"], "profile": string, "settledAt": dateTime,
                "aggregatorSharePercent": number, "drEvents": array(ref("DREventSettlement")),
                "spot": ref("SpotDaySettlement"), "owners": array(ref("OwnerDayAmount")), "aggregateFen": integer,
                "aggregatorFen": integer, "ownersFen": integer, "unallocatedFen": integer, "notes": array(string),
            ],
            required: [
                "day", "profile", "settledAt", "drEvents", "owners", "aggregateFen", "aggregatorFen", "ownersFen",
                "unallocatedFen",
            ]),
        "DREventSettlement": object(
            [
                "id": string, "day": ["type": "string", "format": "date"],
                "direction": enumeration(["peakShaving", "valleyFilling"]),
                "baselineMethod": enumeration(["similarDays", "highestLoadDays", "lastWorkingDays", "preControl"]),
                "baselineDays": array(string), "baselineNotes": array(string),
                "intervals": array(ref("DRIntervalSettlement")), "compensationFen": integer, "penaltyFen": integer,
                "netFen": integer, "responseKWh": map(array(number)), "unsettledResources": map(string),
            ],
            required: ["id", "day", "direction", "baselineMethod", "intervals", "netFen"]),
        "DRIntervalSettlement": object(
            [
                "index": integer, "awardedMW": number, "priceYuanPerMWh": number, "invoked": boolean,
                "baselineMW": number, "measuredMW": number, "responseMW": number, "ratePercent": number,
                "band": enumeration(["none", "penalised", "paid", "capped", "cancelled", "notInvoked", "noAward"]),
                "creditedMWh": number, "compensationFen": integer, "penaltyFen": integer, "netFen": integer,
            ],
            required: ["index", "awardedMW", "band", "compensationFen", "penaltyFen", "netFen"]),
        "SpotDaySettlement": object(
            [
                "intervals": array(ref("SpotIntervalSettlement")), "revenueFen": integer, "deviationFen": integer,
                "penaltyFen": integer, "netFen": integer, "deviationPenaltyFactor": number,
            ],
            required: ["intervals", "revenueFen", "deviationFen", "penaltyFen", "netFen"]),
        "SpotIntervalSettlement": object(
            [
                "index": integer, "clearedMWh": number, "executedMWh": number, "deviationMWh": number,
                "deviationPercent": number, "outsideToleranceMWh": number, "revenueFen": integer,
                "deviationFen": integer, "penaltyFen": integer, "netFen": integer,
            ],
            required: ["index", "clearedMWh", "executedMWh", "netFen"]),
        "OwnerDayAmount": object(
            ["owner": string, "lines": array(ref("OwnerLine")), "totalFen": integer],
            required: ["owner", "lines", "totalFen"]),
        "OwnerLine": object(
            [
                "source": enumeration(["dr", "spot"]), "event": string, "contributionKWh": number,
                "amountFen": integer,
            ],
            required: ["source", "contributionKWh", "amountFen"]),
        "OwnerStatement": object(
            [
                "owner": string, "period": string, "days": array(string), "lines": array(ref("StatementLine")),
                "totalFen": integer, "totalYuan": string,
            ],
            required: ["owner", "period", "days", "lines", "totalFen", "totalYuan"]),
        "StatementLine": object(
            [
                "day": ["type": "string", "format": "date"], "source": enumeration(["dr", "spot"]), "event": string,
                "contributionKWh": number, "amountFen": integer, "amountYuan": string,
            ],
            required: ["day", "source", "contributionKWh", "amountFen", "amountYuan"]),
    ]
}
