import Foundation

/// A PV inverter: available power follows the clear-sky daylight curve times a slowly drifting seeded cloud
/// factor; output is the available power, capped by the active-power limit while one is set; the limit is
/// dropped when its revert timeout passes without a new write; the export counter integrates output.
public struct PVPhysics: Sendable, Hashable {
    public struct Parameters: Sendable, Hashable {
        /// Rated (WMax) power, kW.
        public var ratedKW: Double
        public var daylight: Daylight
        /// Deepest cloud dip as a fraction of clear-sky power (0 = always clear, 0.6 = down to 40 %).
        public var cloudDepth: Double
        /// Time between cloud knots, seconds: clouds drift over about this period.
        public var cloudPeriodS: Double
        /// Noise seed and per-device key (see `SeededNoise`).
        public var seed: UInt64
        public var key: UInt64

        public init(
            ratedKW: Double, daylight: Daylight = .hangzhou, cloudDepth: Double = 0.5,
            cloudPeriodS: Double = 900,
            seed: UInt64 = 42, key: UInt64 = 0
        ) {
            self.ratedKW = max(0, ratedKW)
            self.daylight = daylight
            self.cloudDepth = min(1, max(0, cloudDepth))
            self.cloudPeriodS = max(1, cloudPeriodS)
            self.seed = seed
            self.key = key
        }
    }

    public let parameters: Parameters
    /// Simulation time the state refers to.
    public private(set) var now: Date
    /// Power the panels could deliver now, kW.
    public private(set) var availableKW: Double = 0
    /// Power delivered now, kW (≥ 0).
    public private(set) var outputKW: Double = 0
    /// Cumulative exported energy, kWh.
    public private(set) var energyExportedKWh: Double = 0
    /// The active limit in percent of rated power, nil when none is in force.
    public private(set) var limit: TimedSetpoint?
    /// Grid connection (SunSpec `Conn`): disconnected inverters deliver nothing.
    public private(set) var connected = true

    public init(parameters: Parameters, start: Date, energyExportedKWh: Double = 0) {
        self.parameters = parameters
        self.now = start
        self.energyExportedKWh = energyExportedKWh
        self.availableKW = available(at: start)
        self.outputKW = output(available: availableKW)
    }

    /// The limit in force, percent of rated power (nil = none).
    public var limitPercent: Double? { limit?.value }

    /// Sets (or refreshes) the active-power limit, clamped to 0…100 % (DESIGN §8); restarts its revert timer.
    public mutating func setLimit(percent: Double, revertS: Double?, at t: Date) {
        advance(to: t)
        guard percent.isFinite else { return }
        limit = TimedSetpoint(value: min(100, max(0, percent)), writtenAt: t, revertS: revertS)
        outputKW = output(available: availableKW)
    }

    /// Removes the limit (enable bit cleared).
    public mutating func clearLimit(at t: Date) {
        advance(to: t)
        limit = nil
        outputKW = output(available: availableKW)
    }

    /// Connects or disconnects the inverter from the grid.
    public mutating func setConnected(_ on: Bool, at t: Date) {
        advance(to: t)
        connected = on
        outputKW = output(available: availableKW)
    }

    /// Integrates up to `t`, splitting at the limit's revert time.
    public mutating func advance(to t: Date) {
        while now < t {
            var end = t
            if let r = limit?.revertAt, r > now, r < end { end = r }
            let dt = end.timeIntervalSince(now)
            let before = outputKW
            availableKW = available(at: end)
            outputKW = output(available: availableKW)
            energyExportedKWh += (before + outputKW) / 2 * dt / 3600
            now = end
            if let l = limit, l.expired(at: now) {
                limit = nil
                outputKW = output(available: availableKW)
            }
        }
    }

    /// Clear-sky power × cloud factor, kW.
    func available(at t: Date) -> Double {
        let clear = parameters.daylight.clearSkyFraction(at: t)
        guard clear > 0 else { return 0 }
        return parameters.ratedKW * clear * cloudFactor(at: t)
    }

    /// 1 − depth × smooth noise, in (1 − depth)…1.
    public func cloudFactor(at t: Date) -> Double {
        let n = SeededNoise.smooth(
            seed: parameters.seed, key: parameters.key, t: t.timeIntervalSince1970,
            period: parameters.cloudPeriodS)
        return 1 - parameters.cloudDepth * n * n
    }

    private func output(available: Double) -> Double {
        guard connected else { return 0 }
        guard let l = limit else { return available }
        return min(available, parameters.ratedKW * l.value / 100)
    }
}
