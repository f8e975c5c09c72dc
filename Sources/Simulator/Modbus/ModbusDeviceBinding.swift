import DeviceIO
import Foundation
import Synchronization
import VPPCore

/// Connects one simulated device to its register bank: builds the static image (SunSpec chain, common-model
/// strings, scale factors), renders the physics' canonical values into the bank each tick through the
/// `RegisterCodec`, and turns client writes (setpoints, enable bits, revert timers) into `SimCommand`s.
final class ModbusDeviceBinding: Sendable {
    let device: SimulatedDevice
    let layout: BankLayout
    let bank: ModbusRegisterBank
    let unit: Int
    /// Fixed scale factor of every `sunssf` point, by point name.
    let scaleFactors: [String: Int]

    private struct SyncState {
        /// Controls whose setpoint the physics currently holds (so a device-side revert can clear the enable bits).
        var active: Set<CanonicalPoint> = []
        /// Value last rendered per `layout.rendered` slot (NaN = sentinel, nil = not yet): unchanged values
        /// are not re-encoded. Reset by any client write, which might have overwritten a telemetry register.
        var last: [Double?] = []
    }
    private let sync = Mutex(SyncState())

    init(device: SimulatedDevice, layout: BankLayout, unit: Int) throws(SimulatorError) {
        self.device = device
        self.layout = layout
        self.unit = unit
        do {
            bank = try ModbusRegisterBank(holding: layout.holding, input: layout.input)
        } catch {
            throw .bank(device: device.id, point: "*", reason: error.description)
        }
        scaleFactors = ScaleFactors.choose(layout: layout, spec: device.spec)
        try writeStaticImage()
        render(device.read().telemetry)
    }

    // MARK: Static image

    private func writeStaticImage() throws(SimulatorError) {
        var batch: [(table: RegisterTable, address: Int, values: [UInt16])] = []
        // Every declared point starts as "not implemented".
        for s in layout.slots.values {
            batch.append(
                (
                    s.resolved.table, s.resolved.address,
                    BankLayout.sentinel(
                        s.resolved.type, count: s.resolved.count, wordOrder: s.resolved.wordOrder)
                ))
        }
        if let map = layout.sunspec {
            for (addr, values) in map.skeletonRegisters { batch.append((.holding, addr, values)) }
            // Common model 1: Mn, Md, Opt, Vr, SN (strings) and DA (device address), SunSpec layout.
            if let c = map.byID[1] {
                let fields: [(Int, Int, String)] = [
                    (0, 16, "vppsim"), (16, 16, layout.profile.id), (32, 8, ""), (40, 8, "1.0"),
                    (48, 16, device.id.rawValue),
                ]
                for (off, words, text) in fields where off + words <= c.length {
                    batch.append((.holding, c.start + off, Self.string(text, words: words)))
                }
                if c.length > 64 {
                    batch.append((.holding, c.start + 64, [UInt16(truncatingIfNeeded: unit)]))
                }
            }
        }
        for (name, sf) in scaleFactors {
            guard let s = layout.slots[name] else { continue }
            batch.append((s.resolved.table, s.resolved.address, [UInt16(bitPattern: Int16(sf))]))
        }
        // Signature points hold what identifies the model (`SignatureCheck.sample`), so that a scan recognises
        // the simulated device as the profile it serves.
        var samples: [String: RegisterValue] = [:]
        for check in layout.profile.signature where samples[check.point] == nil {
            samples[check.point] = check.sample
        }
        for s in layout.slots.values where s.resolved.type == .string {
            let text = samples[s.spec.name]?.text ?? stringValue(s.spec.name)
            batch.append((s.resolved.table, s.resolved.address, Self.string(text, words: s.resolved.count)))
        }
        for (name, value) in samples {
            guard let s = layout.slots[name], s.resolved.type != .string, let v = value.number,
                let regs = encode(v, s)
            else { continue }
            batch.append((s.resolved.table, s.resolved.address, regs))
        }
        // Client-owned points start at their idle values; auxiliary nameplate points get physics values.
        let telemetry = device.read().telemetry
        for s in layout.slots.values where s.resolved.type != .sunssf && s.resolved.type != .string {
            guard s.canonical == nil || layout.clientOwned.contains(s.spec.name) else { continue }
            guard let v = initialValue(s, telemetry: telemetry) else { continue }
            if let regs = encode(v, s) { batch.append((s.resolved.table, s.resolved.address, regs)) }
        }
        do { try bank.write(batch: batch) } catch {
            throw .bank(device: device.id, point: "*", reason: error.description)
        }
    }

    private func stringValue(_ name: String) -> String {
        let n = name.lowercased()
        if n == "mn" || n.contains("manufacturer") || n.contains("vendor") { return "vppsim" }
        if n == "md" || n.contains("model") { return layout.profile.id }
        if n == "sn" || n.contains("serial") { return device.id.rawValue }
        if n == "vr" || n.contains("version") { return "1.0" }
        return device.id.rawValue
    }

    private func initialValue(_ s: BankLayout.Slot, telemetry: Telemetry) -> Double? {
        let name = s.spec.name
        for (point, c) in layout.profile.controls {
            if c.point == name {
                if let t = telemetry[point], point != .activePowerSetpointKW { return t }
                return point == .activePowerLimitPercent ? 100 : 0
            }
            if c.with.contains(where: { $0.point == name }) { return 0 }
            if c.revertTimeoutPoint == name { return 0 }
            if let d = c.direction, d.point == name { return d.zero }
            if c.direction?.negativeMagnitudePoint == name { return 0 }
        }
        if let c = s.canonical { return telemetry[c] }
        // Well-known SunSpec nameplate/settings names carry ratings.
        let rated = device.spec.ratedPowerKW
        switch name {
        case "WMax", "WRtg", "VARtg", "WMaxRtg", "VAMax", "WChaMax", "WDisChaMax", "MaxChaRte",
            "MaxDisChaRte",
            "WChaRteMax", "WDisChaRteMax":
            return rated
        case "WHRtg", "AhrRtg", "WHAvail":
            return device.spec.ratedEnergyKWh
        default:
            return nil
        }
    }

    private static func string(_ text: String, words: Int) -> [UInt16] {
        var bytes = Array(text.utf8.prefix(words * 2))
        while bytes.count < words * 2 { bytes.append(0) }
        return (0..<words).map { UInt16(bytes[2 * $0]) << 8 | UInt16(bytes[2 * $0 + 1]) }
    }

    private func encode(_ value: Double, _ s: BankLayout.Slot) -> [UInt16]? {
        let sf = s.resolved.scaleFactor.flatMap { scaleFactors[$0] }
        if let regs = try? RegisterCodec.encode(value, for: s.resolved, scaleFactor: sf) { return regs }
        // Out of range: saturate rather than leave a stale value.
        guard let range = RegisterCodec.integerRange(s.resolved.type) else { return nil }
        let raw = RegisterCodec.removeScale(value, scaleFactor: sf, scale: s.resolved.scale)
        let clamped = min(range.upperBound, max(range.lowerBound, raw))
        return try? RegisterCodec.encodeRaw(
            clamped, type: s.resolved.type, wordOrder: s.resolved.wordOrder)
    }

    private func decode(_ name: String) -> Double? {
        guard let s = layout.slots[name] else { return nil }
        guard
            let regs = try? bank.read(
                s.resolved.table, address: s.resolved.address, count: s.resolved.count)
        else { return nil }
        let sf = s.resolved.scaleFactor.flatMap { scaleFactors[$0] }
        let v = try? RegisterCodec.decode(
            s.resolved, block: regs, blockStart: s.resolved.address, scaleFactor: sf)
        return v?.number
    }

    // MARK: Tick

    /// Turns client writes since the last call into commands on the device, at simulation time `now`.
    func pullClientWrites(now: Date) {
        let writes = bank.takeClientWrites()
        guard !writes.isEmpty else { return }
        sync.withLock { $0.last = [] }
        for (point, control) in layout.profile.controls.sorted(by: { $0.key.rawValue < $1.key.rawValue }
        ) {
            var names = [control.point] + control.with.map(\.point)
            if let r = control.revertTimeoutPoint { names.append(r) }
            if let d = control.direction { names += [d.point] + d.magnitudePoints(primary: control.point) }
            let touched = names.contains { name in
                guard let s = layout.slots[name] else { return false }
                let r = s.resolved.address..<s.resolved.end
                return s.resolved.table == .holding && writes.contains { $0.range.overlaps(r) }
            }
            guard touched else { continue }
            let enabled = control.with.allSatisfy { w in
                guard let v = decode(w.point) else { return false }
                return abs(v - w.value) < 1e-6
            }
            var value = decode(control.point)
            if let d = control.direction {
                // Magnitude plus command: an unknown command holds no setpoint.
                value = decode(d.point).flatMap { command in
                    d.signedValue(command: command, primary: control.point) { decode($0) }
                }
            }
            let revert = control.revertTimeoutPoint.flatMap { decode($0) }
            let command: SimCommand
            switch point {
            case .activePowerLimitPercent:
                command = .limitPercent(enabled ? value : nil, revertS: revert)
            case .activePowerSetpointKW:
                command = .setpointKW(enabled ? value : nil, revertS: revert)
            case .connected:
                guard let value else { continue }
                command = .connect(value != 0)
            default:
                continue
            }
            let ok = device.apply(command, at: now)
            sync.withLock { s in
                switch command {
                case .limitPercent(let v, _), .setpointKW(let v, _):
                    if ok && v != nil { s.active.insert(point) } else { s.active.remove(point) }
                case .connect: break
                }
            }
        }
    }

    /// Writes the device's canonical values into the bank (unless frozen), and clears enable bits of setpoints
    /// the device dropped on its own (revert timeout).
    func render(_ telemetry: Telemetry, faults: FaultSet = FaultSet()) {
        var batch: [(table: RegisterTable, address: Int, values: [UInt16])] = []
        if !faults.frozen {
            sync.withLock { st in
                if st.last.count != layout.rendered.count {
                    st.last = Array(repeating: nil, count: layout.rendered.count)
                }
                for (k, s) in layout.rendered.enumerated() {
                    let v = s.canonical.flatMap { telemetry[$0] } ?? .nan
                    if let prev = st.last[k], prev == v || (prev.isNaN && v.isNaN) { continue }
                    st.last[k] = v
                    let regs: [UInt16]
                    if !v.isNaN, let e = encode(v, s) {
                        regs = e
                    } else {
                        regs = BankLayout.sentinel(
                            s.resolved.type, count: s.resolved.count, wordOrder: s.resolved.wordOrder)
                    }
                    batch.append((s.resolved.table, s.resolved.address, regs))
                }
            }
        }
        let reverted = revertedControls()
        for point in reverted {
            guard let control = layout.profile.controls[point] else { continue }
            if let d = control.direction, let s = layout.slots[d.point], let regs = encode(d.zero, s) {
                batch.append((s.resolved.table, s.resolved.address, regs))
            }
            if control.with.isEmpty {
                // No enable bit: show the idle value in the setpoint register.
                if let s = layout.slots[control.point],
                    let regs = encode(point == .activePowerLimitPercent ? 100 : 0, s)
                {
                    batch.append((s.resolved.table, s.resolved.address, regs))
                }
            } else {
                for name in BankLayout.enablePoints(of: control) {
                    if let s = layout.slots[name], let regs = encode(0, s) {
                        batch.append((s.resolved.table, s.resolved.address, regs))
                    }
                }
            }
        }
        guard !batch.isEmpty else { return }
        try? bank.write(batch: batch)
    }

    /// Controls that were active but whose setpoint the physics no longer holds; marks them inactive.
    private func revertedControls() -> [CanonicalPoint] {
        let active = sync.withLock { $0.active }
        guard !active.isEmpty else { return [] }
        let held = device.heldSetpoints()
        var out: [CanonicalPoint] = []
        for p in active {
            switch p {
            case .activePowerLimitPercent where held.limitPercent == nil: out.append(p)
            case .activePowerSetpointKW where held.setpointKW == nil: out.append(p)
            default: break
            }
        }
        if !out.isEmpty { sync.withLock { s in for p in out { s.active.remove(p) } } }
        return out
    }

    /// Pushes the device's fault settings to the bank (reply delay, exception, garbled reads, silence).
    func applyFaults(_ f: FaultSet, gateway: Bool) {
        var mf = ModbusFaults()
        mf.replyDelayMs = f.delayMs
        if let c = f.exceptionCode {
            mf.exception = ModbusExceptionCode(rawValue: c) ?? .serverDeviceFailure
        }
        mf.garbleReads = f.garbled
        // Behind a gateway one unit cannot close the shared socket: it falls silent instead.
        mf.silent = gateway && (f.dropped || f.refusing)
        bank.faults = mf
    }
}
