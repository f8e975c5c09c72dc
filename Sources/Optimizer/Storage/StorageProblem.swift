/// One storage scheduling question: a battery, where it stands now, the prices ahead and the site around it.
///
/// The horizon is `pricesYuanPerMWh.count` intervals of `intervalHours` each (96 × 0.25 h for a market day,
/// DOMAIN §2). Prices may be zero or negative (DOMAIN §3, DESIGN §10).
public struct StorageProblem: Sendable {
    /// The grid connection shared by the battery and whatever else sits behind the same meter.
    public struct SiteConnection: Sendable, Equatable {
        /// Largest net injection into the grid, MW (≥ 0).
        public var exportLimitMW: Double
        /// Largest net withdrawal from the grid, MW (≥ 0).
        public var importLimitMW: Double
        /// Net injection of everything else at the site per interval, MW (PV positive, load negative);
        /// empty means nothing else. Must have one value per interval when not empty.
        public var otherNetInjectionMW: [Double]
        /// Penalty per MWh by which the limit is exceeded, yuan/MWh. Far above any price cap, so the limit
        /// is only exceeded when nothing the battery can do avoids it.
        public var violationPenaltyYuanPerMWh: Double

        public init(
            exportLimitMW: Double, importLimitMW: Double, otherNetInjectionMW: [Double] = [],
            violationPenaltyYuanPerMWh: Double = 1_000_000
        ) {
            self.exportLimitMW = exportLimitMW
            self.importLimitMW = importLimitMW
            self.otherNetInjectionMW = otherNetInjectionMW
            self.violationPenaltyYuanPerMWh = violationPenaltyYuanPerMWh
        }
    }

    /// A soft target for the SOC at the end of the horizon (e.g. keep energy for the next day).
    public struct FinalSOCTarget: Sendable, Equatable {
        /// Minimum SOC at the end of the last interval, percent.
        public var minimumPercent: Double
        /// Penalty per MWh of shortfall, yuan/MWh. The default is above every provincial price cap
        /// (DOMAIN §3: the widest floor-cap spread is 5,206 yuan/MWh), so the target is missed only when it
        /// cannot physically be reached.
        public var shortfallPenaltyYuanPerMWh: Double

        public init(minimumPercent: Double, shortfallPenaltyYuanPerMWh: Double = 10_000) {
            self.minimumPercent = minimumPercent
            self.shortfallPenaltyYuanPerMWh = shortfallPenaltyYuanPerMWh
        }
    }

    /// Per-interval limits that tighten the static ones: availability (V2G clusters charge and discharge only
    /// while plugged in), energy floors and ceilings (departure requirements) and net-injection obligations (DR
    /// awards, pre-check flags). Every array is either empty (no limit) or has one entry per interval; `nil`
    /// entries mean "no limit in this interval". Power caps are hard (the device cannot exceed them), and so
    /// are energy floors at or below the starting energy and ceilings at or above it (idling meets them, and
    /// a car's SOC window is physical); the other energy bounds (a departure SOC above the start) and the
    /// obligations are soft with the penalties below, so the plan always exists and says what it missed.
    public struct Envelope: Sendable, Equatable {
        /// Charging power cap per interval, MW (≥ 0).
        public var chargeMaxMW: [Double?] = []
        /// Discharging power cap per interval, MW (≥ 0).
        public var dischargeMaxMW: [Double?] = []
        /// Minimum stored energy at the end of each interval, MWh.
        public var energyMinMWh: [Double?] = []
        /// Maximum stored energy at the end of each interval, MWh.
        public var energyMaxMWh: [Double?] = []
        /// Minimum net injection (positive = into the grid) per interval, MW.
        public var netInjectionMinMW: [Double?] = []
        /// Maximum net injection per interval, MW.
        public var netInjectionMaxMW: [Double?] = []
        /// Penalty per MWh of missed energy bound, yuan/MWh.
        public var energyPenaltyYuanPerMWh: Double = 10_000
        /// Penalty per MWh of missed obligation, yuan/MWh.
        public var obligationPenaltyYuanPerMWh: Double = 20_000

        public init(
            chargeMaxMW: [Double?] = [], dischargeMaxMW: [Double?] = [], energyMinMWh: [Double?] = [],
            energyMaxMWh: [Double?] = [], netInjectionMinMW: [Double?] = [],
            netInjectionMaxMW: [Double?] = []
        ) {
            self.chargeMaxMW = chargeMaxMW
            self.dischargeMaxMW = dischargeMaxMW
            self.energyMinMWh = energyMinMWh
            self.energyMaxMWh = energyMaxMWh
            self.netInjectionMinMW = netInjectionMinMW
            self.netInjectionMaxMW = netInjectionMaxMW
        }
    }

    public var storage: StorageParameters
    /// Measured SOC now, percent (clamped into the SOC window if outside, and reported).
    public var initialSOCPercent: Double
    /// Price per interval, yuan/MWh.
    public var pricesYuanPerMWh: [Double]
    /// Interval length, hours (0.25 for 15-minute market intervals).
    public var intervalHours: Double
    public var finalSOC: FinalSOCTarget?
    public var connection: SiteConnection?
    public var envelope: Envelope?

    public init(
        storage: StorageParameters, initialSOCPercent: Double, pricesYuanPerMWh: [Double],
        intervalHours: Double = 0.25, finalSOC: FinalSOCTarget? = nil,
        connection: SiteConnection? = nil,
        envelope: Envelope? = nil
    ) {
        self.storage = storage
        self.initialSOCPercent = initialSOCPercent
        self.pricesYuanPerMWh = pricesYuanPerMWh
        self.intervalHours = intervalHours
        self.finalSOC = finalSOC
        self.connection = connection
        self.envelope = envelope
    }
}
