import DeviceIO
import Foundation
import VPPCore

/// Where every point of a Modbus profile lives in a simulated device's registers, and which registers the
/// simulator owns (telemetry, rendered every tick) versus the client (controls, written by vppd).
///
/// SunSpec profiles get the `SunS` marker at the first candidate base (40000 by default), their declared model
/// chain (`ID`, `L`, then `L` registers each) and the `0xFFFF` end marker. Points with a `model` are placed
/// relative to their model's data start.
struct BankLayout: Sendable {
    /// A point with its resolved address and role.
    struct Slot: Sendable {
        var resolved: ResolvedModbusPoint
        var spec: PointSpec
        /// The canonical point it carries, if its name is canonical.
        var canonical: CanonicalPoint?
    }

    let profile: DeviceProfile
    let sunspec: SunSpecModelMap?
    let holding: Range<Int>
    let input: Range<Int>
    /// Every Modbus point by name.
    let slots: [String: Slot]
    /// Points rendered from physics each tick: canonical, not written by clients, not scale factors.
    let rendered: [Slot]
    /// Names of the points clients write (control points, their `with` points and revert timers).
    let clientOwned: Set<String>

    init(profile: DeviceProfile) throws(SimulatorError) {
        guard let mb = profile.modbus else {
            throw .unsupportedProfile(profile: profile.id, reason: "not a Modbus profile")
        }
        self.profile = profile
        var map: SunSpecModelMap?
        if mb.sunspec {
            guard !mb.sunspecModels.isEmpty else {
                throw .unsupportedProfile(
                    profile: profile.id, reason: "SunSpec profile declares no sunspecModels")
            }
            map = SunSpecModelMap.layout(base: mb.sunspecBases.first ?? 40000, models: mb.sunspecModels)
        }
        sunspec = map
        var slots: [String: Slot] = [:]
        for (name, spec) in profile.points {
            guard let m = spec.modbus else { continue }
            var start: Int?
            if let model = m.model {
                guard let s = map?.start(of: model) else {
                    throw .unsupportedProfile(
                        profile: profile.id,
                        reason: "point \(name) refers to SunSpec model \(model), not in the chain")
                }
                start = s
            }
            do {
                let r = try ResolvedModbusPoint(spec, modelStart: start, defaultWordOrder: mb.wordOrder)
                slots[name] = Slot(resolved: r, spec: spec, canonical: CanonicalPoint(rawValue: name))
            } catch {
                throw .unsupportedProfile(profile: profile.id, reason: "point \(name): \(error)")
            }
        }
        guard !slots.isEmpty else {
            throw .unsupportedProfile(profile: profile.id, reason: "no Modbus points")
        }
        self.slots = slots

        var owned = Set<String>()
        for (_, c) in profile.controls {
            owned.insert(c.point)
            for w in c.with { owned.insert(w.point) }
            if let r = c.revertTimeoutPoint { owned.insert(r) }
            if let d = c.direction {
                owned.insert(d.point)
                if let n = d.negativeMagnitudePoint { owned.insert(n) }
            }
        }
        // A point sharing registers with a client-owned point (an alias such as activePowerLimitPercent over
        // WMaxLimPct) is client-owned too: rendering it would overwrite what the client wrote.
        let ownedRanges = owned.compactMap { slots[$0] }.map {
            ($0.resolved.table, $0.resolved.address..<$0.resolved.end)
        }
        for (name, slot) in slots where !owned.contains(name) {
            let r = slot.resolved.address..<slot.resolved.end
            if ownedRanges.contains(where: { $0.0 == slot.resolved.table && $0.1.overlaps(r) }) {
                owned.insert(name)
            }
        }
        clientOwned = owned
        rendered = slots.values.filter { s in
            s.canonical != nil && !owned.contains(s.spec.name) && s.resolved.type != .sunssf
                && s.resolved.type != .string
        }.sorted { $0.resolved.address < $1.resolved.address }

        func span(_ table: RegisterTable) -> Range<Int> {
            var lo = Int.max
            var hi = Int.min
            for s in slots.values where s.resolved.table == table {
                lo = min(lo, s.resolved.address)
                hi = max(hi, s.resolved.end)
            }
            if table == .holding, let map {
                lo = min(lo, map.base)
                hi = max(hi, map.endMarkerAddress + 2)
            }
            return lo <= hi ? lo..<hi : 0..<0
        }
        holding = span(.holding)
        input = span(.input)
        for s in slots.values {
            let r = s.resolved.table == .holding ? holding : input
            guard s.resolved.address >= 0, s.resolved.end <= 65536, r.contains(s.resolved.address) else {
                throw .unsupportedProfile(
                    profile: profile.id, reason: "point \(s.spec.name) lies outside 0...65535")
            }
        }
    }

    /// The `with` points of a control that switch it on (`WSetEna`, `WMaxLim_Ena`, `setpointEnable`): the device
    /// clears these when the setpoint reverts. Mode selectors (`WSetMod`) and revert options stay as written.
    static func enablePoints(of control: ControlSpec) -> [String] {
        let enables = control.with.map(\.point).filter { name in
            let n = name.lowercased()
            return n.hasSuffix("ena") || n.hasSuffix("enable") || n.hasSuffix("enabled")
        }
        return enables.isEmpty ? control.with.map(\.point) : enables
    }

    /// The "not implemented" encoding of a register type (DOMAIN §8).
    static func sentinel(_ type: RegisterType, count: Int, wordOrder: WordOrder) -> [UInt16] {
        switch type {
        case .int16, .sunssf: return [0x8000]
        case .uint16, .enum16, .bitfield16: return [0xFFFF]
        case .int32: return wordOrder == .big ? [0x8000, 0] : [0, 0x8000]
        case .uint32, .enum32, .bitfield32: return [0xFFFF, 0xFFFF]
        case .acc32: return [0, 0]
        case .float32: return wordOrder == .big ? [0x7FC0, 0] : [0, 0x7FC0]
        case .string: return [UInt16](repeating: 0, count: count)
        }
    }
}
