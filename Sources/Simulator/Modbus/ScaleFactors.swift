import DeviceIO
import Foundation
import VPPCore

/// Chooses a fixed value for every SunSpec scale-factor register of a simulated device: the finest power of ten
/// (from −3 up) at which the largest value any point using it can take still fits its register type. So a 10 kW
/// inverter reports W with sf 0, percentages get sf −2, a 500 kW meter gets sf 1.
enum ScaleFactors {
    static func choose(layout: BankLayout, spec: SimDeviceSpec) -> [String: Int] {
        var bound: [String: Double] = [:]
        var capacity: [String: Double] = [:]
        for slot in layout.slots.values {
            guard let sf = slot.resolved.scaleFactor else { continue }
            let scale = abs(slot.resolved.scale) > 0 ? abs(slot.resolved.scale) : 1
            let b = canonicalBound(slot, layout: layout, spec: spec) / scale
            bound[sf] = max(bound[sf] ?? 0, b)
            let cap = typeCapacity(slot.resolved.type)
            capacity[sf] = min(capacity[sf] ?? .infinity, cap)
        }
        var out: [String: Int] = [:]
        for (name, b) in bound {
            let cap = capacity[name] ?? 32767
            var s = -3
            while s < 10, b / pow(10, Double(s)) > cap { s += 1 }
            out[name] = s
        }
        return out
    }

    /// Largest magnitude a point can take, canonical units.
    static func canonicalBound(_ slot: BankLayout.Slot, layout: BankLayout, spec: SimDeviceSpec)
        -> Double
    {
        let power = max(1, spec.ratedPowerKW) * 1.5
        let meterPower = max(1000, spec.ratedPowerKW * 1.5)
        let name = slot.spec.name
        if let c = slot.canonical {
            switch c {
            case .activePowerKW, .reactivePowerKVAr:
                return SimulatorKinds.metersOthers(layout.profile.kind) ? meterPower : power
            case .ratedPowerKW, .maxChargeKW, .maxDischargeKW, .minChargeKW, .minDischargeKW,
                .activePowerSetpointKW:
                return power
            case .ratedEnergyKWh: return max(1, spec.ratedEnergyKWh ?? 100) * 1.5
            case .socPercent, .socMinPercent, .socMaxPercent, .activePowerLimitPercent, .targetSocPercent:
                return 100
            case .connected: return 1
            case .departureTime: return 4_000_000_000
            case .energyExportedKWh, .energyImportedKWh: return 10_000_000
            case .frequencyHz: return 100
            case .voltageV: return 1000
            case .fault, .operatingState: return 65534
            }
        }
        let lower = name.lowercased()
        if lower.contains("pct") || lower.contains("percent") || lower.contains("soc") { return 100 }
        if lower.contains("tms") || lower.contains("revert") || lower.contains("timeout") {
            return 3600
        }
        if lower.contains("wh") { return max(1, spec.ratedEnergyKWh ?? 100) * 1.5 }
        return power
    }

    /// Largest raw magnitude a type carries.
    static func typeCapacity(_ t: RegisterType) -> Double {
        switch t {
        case .int16, .sunssf: return 32767
        case .uint16, .enum16, .bitfield16: return 65534
        case .int32: return 2_147_483_647
        case .uint32, .enum32, .bitfield32, .acc32: return 4_294_967_294
        case .float32: return 1e30
        case .string: return 0
        }
    }
}
