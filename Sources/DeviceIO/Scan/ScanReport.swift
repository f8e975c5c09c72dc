/// What a scan found (README "vppctl scan"): per unit, every request sent and what came back, the SunSpec chain if
/// there is one, the profiles whose signature matched and the values read to check them. Codable: `--json` prints
/// it as is. All text in it that came from the device is sanitized (`ScanText.printable`).
public struct ScanReport: Sendable, Hashable, Codable {
    /// `host:port` or the serial device.
    public var endpoint: String
    /// Set when the endpoint could not be reached at all (nothing else was tried).
    public var connectError: String?
    public var units: [UnitScan]
    /// Requests sent in total.
    public var requests: Int
    /// Wall-clock duration of the scan, seconds.
    public var seconds: Double
    /// Set when a total bound (time or requests) stopped the scan before every unit was tried.
    public var stoppedBy: String?

    public init(
        endpoint: String, connectError: String? = nil, units: [UnitScan] = [], requests: Int = 0, seconds: Double = 0,
        stoppedBy: String? = nil
    ) {
        self.endpoint = endpoint
        self.connectError = connectError
        self.units = units
        self.requests = requests
        self.seconds = seconds
        self.stoppedBy = stoppedBy
    }
}

/// One unit id's outcome.
public struct UnitScan: Sendable, Hashable, Codable {
    /// - `identified`: exactly one best profile matched and its values are plausible (`profile` set).
    /// - `ambiguous`: several profiles matched equally well; listed in `candidates`, none chosen.
    /// - `unknown`: the unit answered but no profile matched (or none passed the value check).
    /// - `silent`: the unit never answered.
    public enum Status: String, Sendable, Hashable, Codable {
        case identified, ambiguous, unknown, silent
    }

    public var unit: Int
    public var status: Status
    /// The identified profile id.
    public var profile: String?
    /// Every profile that matched, best first.
    public var candidates: [Candidate]
    /// The SunSpec chain, when a `SunS` marker answered.
    public var sunspec: SunSpecChain?
    /// Rated power read from the identified profile's `ratedPowerKW` point, kW.
    public var ratedPowerKW: Double?
    /// Usable energy read from its `ratedEnergyKWh` point, kWh.
    public var ratedEnergyKWh: Double?
    /// Every request sent to this unit and its outcome, in order: "what answered where".
    public var probes: [Probe]
    /// Why the unit's scan ended early (a bound reached), if it did.
    public var stoppedBy: String?

    public init(unit: Int, status: Status = .unknown) {
        self.unit = unit
        self.status = status
        self.candidates = []
        self.probes = []
    }
}

/// The SunSpec chain found at `base`.
public struct SunSpecChain: Sendable, Hashable, Codable {
    public var base: Int
    /// Models in chain order.
    public var models: [Model]
    /// Set when the chain did not end with the 0xFFFF marker (exception, timeout, bound), saying why.
    public var incomplete: String?

    public struct Model: Sendable, Hashable, Codable {
        public var id: Int
        /// Block length L as the device reports it.
        public var length: Int
        /// Address of the block's ID register.
        public var address: Int
    }
}

/// A profile that matched a unit, with the evidence.
public struct Candidate: Sendable, Hashable, Codable {
    public var profile: String
    public var name: String
    /// How it matched: `sunspec` (declared models found in the chain), `signature`, or both.
    public var matchedBy: [String]
    /// Matched checks plus matched SunSpec models: the more specific profile wins.
    public var score: Int
    /// Signature points as read, e.g. `modelName = "SUN2000-10KTL-M1"`.
    public var evidence: [ReadValue]
    /// The plausibility reads.
    public var checks: [ReadValue]
    /// True when every plausibility read answered and lay in the profile's range (at least one did).
    public var plausible: Bool
}

/// One point read during a scan.
public struct ReadValue: Sendable, Hashable, Codable {
    public var point: String
    /// The decoded value as text (numbers unscaled to the canonical unit, strings sanitized), nil if none.
    public var value: String?
    /// `ok`, `out of range …`, `not implemented`, or the error.
    public var verdict: String
    public var ok: Bool
}

/// One request and what came back.
public struct Probe: Sendable, Hashable, Codable {
    public var table: String
    public var address: Int
    public var count: Int
    /// Why it was sent (`SunSpec marker`, `signature huawei-sun2000.modelName`, `check activePowerKW` …).
    public var purpose: String
    /// `answered`, `exception`, `timeout` or `error`.
    public var outcome: String
    /// The exception code or error text.
    public var detail: String?
    /// Milliseconds until the reply (or the timeout).
    public var ms: Int
    /// The first registers of an answer (at most 8), so an unknown device's report shows what it holds.
    public var registers: [Int]?
}
