import Foundation

/// A battery storage system: follows its power setpoint (positive = discharge) while one is in force, clamped
/// to the charge/discharge power limits and the SOC window, ramping at the ramp rate; integrates SOC with
/// separate charge and discharge efficiencies; falls back to idle (0 kW) when the setpoint's revert timeout
/// passes without a new write.
public struct StoragePhysics: Sendable, Hashable {
    public struct Parameters: Sendable, Hashable {
        /// Rated power, kW.
        public var ratedKW: Double
        /// Usable capacity, kWh.
        public var capacityKWh: Double
        /// Charge and discharge power limits, kW (positive numbers).
        public var maxChargeKW: Double
        public var maxDischargeKW: Double
        /// SOC window, percent: charging stops at `socMaxPercent`, discharging at `socMinPercent`.
        public var socMinPercent: Double
        public var socMaxPercent: Double
        /// Fraction of grid energy stored when charging, and of stored energy delivered when discharging.
        public var chargeEfficiency: Double
        public var dischargeEfficiency: Double
        /// Ramp rate, kW per second.
        public var rampKWPerSecond: Double

        public init(
            ratedKW: Double, capacityKWh: Double, maxChargeKW: Double? = nil,
            maxDischargeKW: Double? = nil,
            socMinPercent: Double = 10, socMaxPercent: Double = 95, chargeEfficiency: Double = 0.95,
            dischargeEfficiency: Double = 0.95, rampKWPerSecond: Double? = nil
        ) {
            self.ratedKW = max(0, ratedKW)
            self.capacityKWh = max(0.001, capacityKWh)
            self.maxChargeKW = max(0, maxChargeKW ?? ratedKW)
            self.maxDischargeKW = max(0, maxDischargeKW ?? ratedKW)
            self.socMinPercent = min(100, max(0, socMinPercent))
            self.socMaxPercent = min(100, max(self.socMinPercent, socMaxPercent))
            self.chargeEfficiency = min(1, max(0.01, chargeEfficiency))
            self.dischargeEfficiency = min(1, max(0.01, dischargeEfficiency))
            // Default: full power in 2 s.
            self.rampKWPerSecond = max(0.001, rampKWPerSecond ?? max(ratedKW, 0.001) / 2)
        }
    }

    public let parameters: Parameters
    public private(set) var now: Date
    /// State of charge, percent.
    public private(set) var socPercent: Double
    /// Power at the terminals now, kW, positive = discharge.
    public private(set) var powerKW: Double = 0
    /// The setpoint in force (kW, positive = discharge), nil = idle.
    public private(set) var setpoint: TimedSetpoint?
    public private(set) var energyExportedKWh: Double = 0
    public private(set) var energyImportedKWh: Double = 0

    public init(parameters: Parameters, start: Date, socPercent: Double = 50) {
        self.parameters = parameters
        self.now = start
        self.socPercent = min(parameters.socMaxPercent, max(parameters.socMinPercent, socPercent))
    }

    /// Discharge power available now, kW (0 at the bottom of the SOC window).
    public var maxDischargeNowKW: Double {
        socPercent <= parameters.socMinPercent + 1e-9 ? 0 : parameters.maxDischargeKW
    }
    /// Charge power accepted now, kW (0 at the top of the SOC window).
    public var maxChargeNowKW: Double {
        socPercent >= parameters.socMaxPercent - 1e-9 ? 0 : parameters.maxChargeKW
    }

    /// Sets (or refreshes) the setpoint, clamped to the power limits; restarts its revert timer. Returns the
    /// value in force.
    @discardableResult
    public mutating func setSetpoint(kw: Double, revertS: Double?, at t: Date) -> Double {
        advance(to: t)
        guard kw.isFinite else { return setpoint?.value ?? 0 }
        let v = min(parameters.maxDischargeKW, max(-parameters.maxChargeKW, kw))
        setpoint = TimedSetpoint(value: v, writtenAt: t, revertS: revertS)
        return v
    }

    /// Drops the setpoint (enable cleared): the system ramps to idle.
    public mutating func clearSetpoint(at t: Date) {
        advance(to: t)
        setpoint = nil
    }

    /// Integrates up to `t`. Steps are at most 1 s while ramping, split at the revert time, and each step's
    /// energy is clamped so SOC lands exactly on its window edge.
    public mutating func advance(to t: Date) {
        while now < t {
            var end = t
            if let r = setpoint?.revertAt, r > now, r < end { end = r }
            let target = self.target()
            if powerKW != target {
                end = min(end, now.addingTimeInterval(1))
            } else if let edge = secondsToWindowEdge(at: target), edge > 1e-6 {
                end = min(end, now.addingTimeInterval(edge))
            }
            let dt = end.timeIntervalSince(now)
            let step = parameters.rampKWPerSecond * dt
            var p = powerKW + min(step, max(-step, target - powerKW))
            p = clampToWindow(p, dt: dt)
            integrate(p, dt: dt)
            powerKW = p
            now = end
            if let s = setpoint, s.expired(at: now) { setpoint = nil }
        }
    }

    private func target() -> Double {
        let want = setpoint?.value ?? 0
        if want > 0 { return min(want, maxDischargeNowKW) }
        if want < 0 { return max(want, -maxChargeNowKW) }
        return 0
    }

    /// Seconds until constant power `p` reaches the SOC window edge, nil when idle.
    private func secondsToWindowEdge(at p: Double) -> Double? {
        let cap = parameters.capacityKWh
        if p > 0 {
            let kwh =
                max(0, socPercent - parameters.socMinPercent) / 100 * cap * parameters.dischargeEfficiency
            return kwh / p * 3600
        } else if p < 0 {
            let kwh =
                max(0, parameters.socMaxPercent - socPercent) / 100 * cap / parameters.chargeEfficiency
            return kwh / -p * 3600
        }
        return nil
    }

    /// Limits power so that this step does not cross the SOC window.
    private func clampToWindow(_ p: Double, dt: Double) -> Double {
        guard dt > 0 else { return p }
        let cap = parameters.capacityKWh
        if p > 0 {
            let storedAvail = max(0, socPercent - parameters.socMinPercent) / 100 * cap
            return min(p, storedAvail * parameters.dischargeEfficiency / (dt / 3600))
        } else if p < 0 {
            let room = max(0, parameters.socMaxPercent - socPercent) / 100 * cap
            return max(p, -room / parameters.chargeEfficiency / (dt / 3600))
        }
        return 0
    }

    private mutating func integrate(_ p: Double, dt: Double) {
        let gridKWh = p * dt / 3600
        if gridKWh > 0 {
            energyExportedKWh += gridKWh
            socPercent -= gridKWh / parameters.dischargeEfficiency / parameters.capacityKWh * 100
        } else if gridKWh < 0 {
            energyImportedKWh += -gridKWh
            socPercent += -gridKWh * parameters.chargeEfficiency / parameters.capacityKWh * 100
        }
        socPercent = min(parameters.socMaxPercent, max(parameters.socMinPercent, socPercent))
        // Snap float dust onto the window edges so "full" and "empty" are exact.
        if parameters.socMaxPercent - socPercent < 1e-7 { socPercent = parameters.socMaxPercent }
        if socPercent - parameters.socMinPercent < 1e-7 { socPercent = parameters.socMinPercent }
    }
}
