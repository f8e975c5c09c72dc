import Foundation

/// A bidirectional (V2G) charger with the cars that visit it.
///
/// - Unplugged: power is 0 and setpoints are rejected (counted in `rejectedSetpoints`).
/// - Plugged, no setpoint: charges at the maximum until the target SOC.
/// - Plugged with a setpoint (positive = discharge): clamped to the charge/discharge limits; magnitudes inside
///   the minimum-power dead band (ISO 15118-20 min charge/discharge power) give 0; the SOC window stops it.
/// - Departure guard (DOMAIN §6, §8): when the time left is only just enough to reach the target at full
///   charge power (plus `departureMarginS`), the charger ignores the setpoint and charges at full power until
///   the target is reached; the guard latches so it does not flap.
/// - A setpoint reverts (back to default charging) when its revert timeout passes without a new write.
public struct V2GPhysics: Sendable, Hashable {
    public struct Parameters: Sendable, Hashable {
        /// Car battery usable capacity, kWh.
        public var capacityKWh: Double
        /// Charger limits, kW (positive numbers).
        public var maxChargeKW: Double
        public var maxDischargeKW: Double
        /// Minimum non-zero power in each direction, kW (dead band around 0).
        public var minChargeKW: Double
        public var minDischargeKW: Double
        /// The car's V2X SOC window, percent.
        public var socMinPercent: Double
        public var socMaxPercent: Double
        /// SOC the driver wants at departure, percent.
        public var targetSocPercent: Double
        public var chargeEfficiency: Double
        public var dischargeEfficiency: Double
        /// Ramp rate, kW per second.
        public var rampKWPerSecond: Double
        /// Safety margin before departure for the departure guard, seconds.
        public var departureMarginS: Double
        public var schedule: V2GSchedule

        public init(
            capacityKWh: Double = 70, maxChargeKW: Double = 7, maxDischargeKW: Double? = nil,
            minChargeKW: Double = 1.4, minDischargeKW: Double = 1.4, socMinPercent: Double = 20,
            socMaxPercent: Double = 90, targetSocPercent: Double = 90, chargeEfficiency: Double = 0.95,
            dischargeEfficiency: Double = 0.95, rampKWPerSecond: Double? = nil,
            departureMarginS: Double = 900,
            schedule: V2GSchedule = V2GSchedule()
        ) {
            self.capacityKWh = max(0.001, capacityKWh)
            self.maxChargeKW = max(0.001, maxChargeKW)
            self.maxDischargeKW = max(0, maxDischargeKW ?? maxChargeKW)
            self.minChargeKW = min(self.maxChargeKW, max(0, minChargeKW))
            self.minDischargeKW = min(self.maxDischargeKW, max(0, minDischargeKW))
            self.socMinPercent = min(100, max(0, socMinPercent))
            self.socMaxPercent = min(100, max(self.socMinPercent, socMaxPercent))
            self.targetSocPercent = min(self.socMaxPercent, max(self.socMinPercent, targetSocPercent))
            self.chargeEfficiency = min(1, max(0.01, chargeEfficiency))
            self.dischargeEfficiency = min(1, max(0.01, dischargeEfficiency))
            self.rampKWPerSecond = max(0.001, rampKWPerSecond ?? self.maxChargeKW / 2)
            self.departureMarginS = max(0, departureMarginS)
            self.schedule = schedule
        }
    }

    public let parameters: Parameters
    public private(set) var now: Date
    /// The current plug-in session, nil when no car is plugged in.
    public private(set) var session: V2GSchedule.Session?
    private var window = V2GSessionWindow()
    /// SOC of the plugged car, percent (last known value when unplugged).
    public private(set) var socPercent: Double
    /// Power at the charger now, kW, positive = discharge to the grid.
    public private(set) var powerKW: Double = 0
    public private(set) var setpoint: TimedSetpoint?
    /// The departure guard is forcing full charge.
    public private(set) var departureGuardActive = false
    public private(set) var energyExportedKWh: Double = 0
    public private(set) var energyImportedKWh: Double = 0
    /// Setpoints written while no car was plugged in.
    public private(set) var rejectedSetpoints = 0

    public init(parameters: Parameters, start: Date) {
        self.parameters = parameters
        self.now = start
        self.socPercent = parameters.schedule.arrivalSocMin
        syncPlug()
    }

    public var plugged: Bool { session != nil }

    /// Charge power accepted now, kW (0 when unplugged or full).
    public var maxChargeNowKW: Double {
        guard plugged, socPercent < chargeTop - 1e-9 else { return 0 }
        return parameters.maxChargeKW
    }

    /// Discharge power available now, kW (0 when unplugged, at the SOC floor, or while the guard charges).
    public var maxDischargeNowKW: Double {
        guard plugged, !departureGuardActive, socPercent > parameters.socMinPercent + 1e-9 else {
            return 0
        }
        return parameters.maxDischargeKW
    }

    /// Writes a setpoint (kW, positive = discharge). Returns false, and changes nothing, when no car is plugged.
    @discardableResult
    public mutating func setSetpoint(kw: Double, revertS: Double?, at t: Date) -> Bool {
        advance(to: t)
        guard plugged, kw.isFinite else {
            rejectedSetpoints += 1
            return false
        }
        let v = min(parameters.maxDischargeKW, max(-parameters.maxChargeKW, kw))
        setpoint = TimedSetpoint(value: v, writtenAt: t, revertS: revertS)
        return true
    }

    public mutating func clearSetpoint(at t: Date) {
        advance(to: t)
        setpoint = nil
    }

    public mutating func advance(to t: Date) {
        while now < t {
            syncPlug()
            var end = t
            window.refresh(parameters.schedule, for: now)
            if let e = window.nextEvent(after: now), e < end { end = e }
            if let r = setpoint?.revertAt, r > now, r < end { end = r }
            updateGuard()
            if let g = guardTime(), g > now, g < end { end = g }
            let target = self.target()
            if powerKW != target {
                end = min(end, now.addingTimeInterval(1))
            } else if target != 0 {
                // Re-evaluate the SOC window and departure guard at least every minute.
                end = min(end, now.addingTimeInterval(60))
                if let edge = secondsToEdge(at: target), edge > 1e-6 {
                    end = min(end, now.addingTimeInterval(edge))
                }
            }
            let dt = end.timeIntervalSince(now)
            let step = parameters.rampKWPerSecond * dt
            var p = powerKW + min(step, max(-step, target - powerKW))
            if !plugged { p = 0 }
            p = clampToWindow(p, dt: dt)
            integrate(p, dt: dt)
            powerKW = p
            now = end
            if let s = setpoint, s.expired(at: now) { setpoint = nil }
        }
        syncPlug()
    }

    /// Plugs the scheduled car in or out at `now`.
    private mutating func syncPlug() {
        window.refresh(parameters.schedule, for: now)
        let s = window.session(at: now)
        guard s != session else { return }
        session = s
        setpoint = nil
        powerKW = 0
        departureGuardActive = false
        if let s { socPercent = min(parameters.socMaxPercent, max(0, s.arrivalSocPercent)) }
    }

    /// Grid energy still needed to reach the departure target, kWh.
    private var needKWh: Double {
        max(0, parameters.targetSocPercent - socPercent) / 100 * parameters.capacityKWh
            / parameters.chargeEfficiency
    }

    /// When the guard would latch if SOC stayed as it is now; nil when unplugged or already latched.
    private func guardTime() -> Date? {
        guard let s = session, !departureGuardActive else { return nil }
        return s.departure.addingTimeInterval(
            -parameters.departureMarginS - needKWh / parameters.maxChargeKW * 3600)
    }

    /// Latches the guard when full-power charging only just reaches the target by departure (minus the margin).
    /// Once latched it stays on until the car leaves: no more discharging, charge to the target.
    private mutating func updateGuard() {
        guard let s = session else {
            departureGuardActive = false
            return
        }
        if departureGuardActive { return }
        let hoursNeeded = needKWh / parameters.maxChargeKW
        let hoursLeft = (s.departure.timeIntervalSince(now) - parameters.departureMarginS) / 3600
        if hoursNeeded >= hoursLeft { departureGuardActive = true }
    }

    private func target() -> Double {
        guard plugged else { return 0 }
        if departureGuardActive { return -maxChargeNowKW }
        guard let sp = setpoint else {
            return socPercent < parameters.targetSocPercent - 1e-9 ? -maxChargeNowKW : 0
        }
        var v = sp.value
        if v > 0 && v < parameters.minDischargeKW { v = 0 }
        if v < 0 && -v < parameters.minChargeKW { v = 0 }
        return min(maxDischargeNowKW, max(-maxChargeNowKW, v))
    }

    /// The SOC charging stops at: the departure target for default and guard charging, else the window top.
    private var chargeTop: Double {
        setpoint == nil || departureGuardActive ? parameters.targetSocPercent : parameters.socMaxPercent
    }

    private func secondsToEdge(at p: Double) -> Double? {
        let cap = parameters.capacityKWh
        if p > 0 {
            return max(0, socPercent - parameters.socMinPercent) / 100 * cap
                * parameters.dischargeEfficiency / p * 3600
        } else if p < 0 {
            return max(0, chargeTop - socPercent) / 100 * cap / parameters.chargeEfficiency / -p * 3600
        }
        return nil
    }

    private func clampToWindow(_ p: Double, dt: Double) -> Double {
        guard dt > 0 else { return p }
        let cap = parameters.capacityKWh
        if p > 0 {
            let avail = max(0, socPercent - parameters.socMinPercent) / 100 * cap
            return min(p, avail * parameters.dischargeEfficiency / (dt / 3600))
        } else if p < 0 {
            let room = max(0, chargeTop - socPercent) / 100 * cap
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
        // The window is enforced by `clampToWindow`; a car may arrive below the floor and charge up.
        socPercent = min(100, max(0, socPercent))
        for edge in [parameters.socMinPercent, parameters.socMaxPercent, parameters.targetSocPercent]
        where abs(socPercent - edge) < 1e-7 {
            socPercent = edge
        }
    }
}
