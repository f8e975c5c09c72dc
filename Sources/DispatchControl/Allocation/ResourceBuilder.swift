import Fleet
import Foundation
import VPPCore

/// Turns what DeviceIO knows about a device into what the allocator needs: its chain of limits resolved into a
/// range, the energy it has in each direction, its V2G departure urgency, its ramp and its merit cost.
///
/// This is the seam between FleetState and the `Allocator`; the dispatch loop calls it once per device per cycle
/// on a frozen snapshot (DESIGN §10: decouple the rates).
public enum ResourceBuilder {
    /// One device's allocation input and the resolution of its chain of limits (for clamping replies and logs).
    public struct Built: Sendable, Hashable {
        public var resource: AllocationResource
        public var limits: LimitResolution

        /// PV: the top of the range when the available power (the sun) set it, else nil (see `DeviceControlInfo`).
        public var uncurtailedAtKW: Double? {
            limits.upperBoundBy == .availablePower ? limits.range.upperKW : nil
        }
        /// PV: the highest output every limit but today's sun allows, kW (rated power, installer limit, curtailment
        /// and stop commands…): what an uncurtailed PV's limit is written as, so a curtailment or a stop holds when
        /// the sun comes up (nil for other kinds).
        public var pvCeilingKW: Double?
    }

    /// Builds one device's resource.
    /// - Parameters:
    ///   - snapshot: the device's latest state; `flexibility` computed from it at `now`.
    ///   - timing: the device profile's timing (ramp); nil = no ramp limit known.
    ///   - limits: the device's command, grid and market limits (the safety stage is added here, first).
    ///   - lastSetpointKW: the setpoint last written and still being followed; the operating point for ramp and
    ///     deadband. nil = the measured power.
    ///   - following: false when the device ignores its setpoints: it is excluded and the others cover its share.
    public static func build(
        snapshot: DeviceSnapshot, flexibility: Flexibility, now: Date, timing: DeviceTiming?,
        limits: [Limit] = [],
        merit: MeritModel, lastSetpointKW: Double? = nil, following: Bool = true,
        efficiency: Double = 0.95
    ) -> Built {
        let d = snapshot.descriptor
        let safety = SafetyLimits.limits(for: snapshot, flexibility: flexibility)
        var chain = LimitChain(safety)
        chain.add(contentsOf: limits)
        let resolution = chain.resolve()
        var ceiling: Double?
        if let outside = DispatchKinds.exogenousCeiling(d.kind)?.exogenousLimit {
            var withoutSun = LimitChain(safety.filter { $0.source != outside })
            withoutSun.add(contentsOf: limits)
            ceiling = withoutSun.resolve().range.upperKW
        }
        let usable = snapshot.health(now: now) == .ok && DispatchKinds.isDispatched(d.kind)
        let measured = snapshot.value(.activePowerKW) ?? 0
        // A stale or down device is assumed to deliver nothing, as FleetSummary counts it; one that is up but not
        // following delivers what it measures.
        let current = usable ? (following ? (lastSetpointKW ?? measured) : measured) : 0
        var up: Double?
        var down: Double?
        var urgency = 0.0
        if let store = DispatchKinds.energyStore(d.kind) {
            if let energy = store.storedEnergy(of: snapshot) {
                up = energy.aboveMinimumKWh
                down = energy.belowMaximumKWh
                urgency =
                    DispatchKinds.departureBound(d.kind)?.departureUrgency(
                        snapshot, energy: energy, now: now, efficiency: efficiency) ?? 0
            } else {
                up = 0
                down = 0
            }
        }
        let resource = AllocationResource(
            id: d.id, kind: d.kind, site: d.site, owner: d.owner, range: resolution.range,
            currentKW: current,
            rampKWPerSecond: timing?.rampKWPerSecond,
            cost: merit.cost(for: d.kind, departureUrgency: urgency),
            energyUpKWh: up, energyDownKWh: down, excluded: !usable || !following)
        return Built(resource: resource, limits: resolution, pvCeilingKW: ceiling)
    }

    /// V2G: the share of the car's remaining charging capability its departure target needs, 0…1 (1 = must charge
    /// flat out from now; 0 = no departure known or already at target).
    public static func departureUrgency(
        _ s: DeviceSnapshot, soc: Double, energy: Double, now: Date, efficiency: Double = 0.95
    ) -> Double {
        guard let dep = s.value(.departureTime) else { return 0 }
        let hi = min(max(s.value(.socMaxPercent) ?? 100, 0), 100)
        let target = min(s.value(.targetSocPercent) ?? hi, hi)
        let need = (target - soc) / 100 * energy
        guard need > 0 else { return 0 }
        let hours = Date(timeIntervalSince1970: dep).timeIntervalSince(now) / 3600
        let charge = s.value(.maxChargeKW) ?? s.descriptor.ratedPowerKW
        let capability = max(0, charge) * min(1, max(0.01, efficiency)) * hours
        guard capability > 0 else { return 1 }
        return min(1, need / capability)
    }
}
