import Fleet
import StrictYAML
import VPPCore

/// Second pass of profile loading: checks that need the whole profile — references between points, register
/// ranges and overlaps, SunSpec model bounds, controls and capabilities. Points are checked in name order so
/// that the first error reported is deterministic.
struct ProfileValidator {
    let file: String
    let profile: DeviceProfile
    /// Line of each point (`name`) and control (`controls.name`) in the file.
    var lines: [String: Int] = [:]

    private func fail(_ point: String?, _ reason: String) -> DeviceIOError {
        .badProfile(
            file: file, point: point, reason: reason + YAMLReadError.lineText(point.flatMap { lines[$0] }))
    }

    private var sortedPoints: [PointSpec] { profile.points.values.sorted { $0.name < $1.name } }

    func validate() throws(DeviceIOError) {
        try validateTiming()
        switch profile.transport {
        case .modbus: try validateModbus()
        case .mqtt: try validateMQTT()
        }
        try validatePointRanges()
        try validateAliases()
        try validateControls()
        try validateCapabilities()
        try validateSignature()
    }

    // MARK: signature

    /// Signature checks (`DeviceScanner`) read Modbus points by name: each must exist, be readable, be read on its
    /// own (no scale factor, no value map: identification compares what the register holds) and have the kind of
    /// value its check compares (text for `prefix`, a number otherwise).
    private func validateSignature() throws(DeviceIOError) {
        for (i, check) in profile.signature.enumerated() {
            let location = "signature[\(i)]"
            guard profile.transport == .modbus else {
                throw fail(location, "a signature identifies Modbus devices; an MQTT profile cannot have one")
            }
            guard let p = profile.points[check.point], let mp = p.modbus else {
                let hint =
                    KeySuggestion.closest(to: check.point, in: profile.points.keys.sorted())
                    .map { " (did you mean '\($0)'?)" } ?? ""
                throw fail(location, "signature point '\(check.point)' names no point of this profile\(hint)")
            }
            if p.access == .write {
                throw fail(location, "signature point '\(check.point)' is write-only; it must be readable")
            }
            if mp.scaleFactor != nil || mp.valueMap != nil {
                throw fail(
                    location,
                    "signature point '\(check.point)' has a scaleFactor or valueMap; identification compares the "
                        + "register itself, use a plain point")
            }
            switch check.expect {
            case .prefix(let texts):
                guard mp.type == .string else {
                    throw fail(
                        location,
                        "'prefix' compares text, but '\(check.point)' is \(mp.type.rawValue); use 'oneOf' or "
                            + "'min'/'max' for numbers")
                }
                let capacity = 2 * mp.registerCount
                if let long = texts.first(where: { $0.utf8.count > capacity }) {
                    throw fail(
                        location,
                        "prefix \"\(long)\" is longer than the \(capacity) characters '\(check.point)' holds")
                }
            case .oneOf, .range:
                if mp.type == .string {
                    throw fail(
                        location, "'\(check.point)' is a string; compare it with 'prefix', not a number")
                }
            }
        }
    }

    // MARK: timing

    private func validateTiming() throws(DeviceIOError) {
        let t = profile.timing
        if t.staleAfterMs <= t.fastPollMs {
            throw fail(
                "timing.staleAfterMs",
                "staleAfterMs (\(t.staleAfterMs) ms) must be longer than fastPollMs (\(t.fastPollMs) ms), "
                    + "or the device is stale between two polls")
        }
        if t.slowPollMs < t.fastPollMs {
            throw fail(
                "timing.slowPollMs",
                "slowPollMs (\(t.slowPollMs) ms) must not be shorter than fastPollMs (\(t.fastPollMs) ms)")
        }
        // The dispatch loop refreshes a setpoint at most every minUpdateIntervalMs; a revert timeout shorter than
        // two such intervals would make the device fall back between two refreshes and oscillate.
        if t.revertTimeoutS * 1000 < 2 * t.minUpdateIntervalMs {
            throw fail(
                "timing.revertTimeoutS",
                "revertTimeoutS (\(t.revertTimeoutS) s) must be at least twice minUpdateIntervalMs "
                    + "(\(t.minUpdateIntervalMs) ms), or the device reverts between two setpoint refreshes")
        }
    }

    // MARK: Modbus

    private func validateModbus() throws(DeviceIOError) {
        guard let settings = profile.modbus else {
            throw fail("modbus", "transport is modbus but 'modbus' is missing")
        }
        var models: [Int: Int] = [:]
        for (i, m) in settings.sunspecModels.enumerated() {
            if models[m.id] != nil {
                throw fail("modbus.sunspecModels[\(i)]", "SunSpec model \(m.id) is declared twice")
            }
            models[m.id] = m.length
        }
        if settings.sunspec {
            guard let first = settings.sunspecModels.first else {
                throw fail("modbus.sunspecModels", "sunspec is true but no SunSpec models are declared")
            }
            if first.id != 1 {
                throw fail(
                    "modbus.sunspecModels[0]",
                    "a SunSpec chain starts with the common model 1, not model \(first.id)")
            }
            if !(65...66).contains(first.length) {
                throw fail(
                    "modbus.sunspecModels[0]",
                    "the common model 1 is 65 or 66 registers long, not \(first.length)")
            }
        } else if !settings.sunspecModels.isEmpty {
            throw fail("modbus.sunspecModels", "SunSpec models are declared but 'sunspec' is not true")
        }

        for p in sortedPoints {
            guard let mp = p.modbus else { throw fail(p.name, "Modbus point without address and type") }
            let count = mp.registerCount
            if mp.type == .string {
                guard let w = mp.words else {
                    throw fail(p.name, "type string needs 'words' (its length in registers)")
                }
                if w < 1 || w > 125 { throw fail(p.name, "string 'words' must be 1…125, got \(w)") }
            } else if let w = mp.words {
                throw fail(
                    p.name,
                    "'words' (\(w)) applies to strings only; type \(mp.type.rawValue) has a fixed size")
            }
            if count > settings.maxBlockRegisters {
                throw fail(
                    p.name,
                    "occupies \(count) registers, more than maxBlockRegisters (\(settings.maxBlockRegisters))"
                )
            }
            // Bounded before any `address + count` below, which would overflow (trap) for a huge address.
            guard (0...65535).contains(mp.address) else {
                throw fail(p.name, "address must be 0…65535, got \(mp.address)")
            }
            if mp.table == .input && p.access != .read {
                throw fail(
                    p.name, "input registers are read-only; access must be r, not \(p.access.rawValue)")
            }
            if p.name == CanonicalPoint.departureTime.rawValue
                && ![RegisterType.uint32, .int32, .acc32].contains(mp.type)
            {
                throw fail(
                    p.name,
                    "departureTime holds seconds since 1970 and needs a 32-bit integer (uint32 or int32), not "
                        + "\(mp.type.rawValue)")
            }
            if let map = mp.valueMap {
                guard let range = RegisterCodec.integerRange(mp.type), mp.type != .sunssf else {
                    throw fail(p.name, "valueMap needs an integer register type, not \(mp.type.rawValue)")
                }
                if mp.scaleFactor != nil || p.scale != 1 {
                    throw fail(p.name, "valueMap replaces scaling: drop 'scale' and 'scaleFactor'")
                }
                if let bad = map.keys.sorted().first(where: { !range.contains($0) }) {
                    throw fail(p.name, "valueMap code \(bad) does not fit \(mp.type.rawValue)")
                }
            }
            if mp.type == .sunssf {
                if p.access != .read { throw fail(p.name, "a sunssf scale factor is read-only (access r)") }
                if mp.scaleFactor != nil {
                    throw fail(p.name, "a sunssf scale factor cannot itself have a scaleFactor")
                }
            }
            if let model = mp.model {
                guard settings.sunspec else {
                    throw fail(
                        p.name,
                        "'model: \(model)' is set but the profile is not a SunSpec profile (sunspec: true)")
                }
                guard let length = models[model] else {
                    let declared = settings.sunspecModels.map { String($0.id) }.joined(separator: ", ")
                    throw fail(
                        p.name,
                        "SunSpec model \(model) is not declared in modbus.sunspecModels (declared: \(declared))"
                    )
                }
                if mp.table != .holding { throw fail(p.name, "SunSpec points live in holding registers") }
                if mp.address + count > length {
                    throw fail(
                        p.name,
                        "offset \(mp.address) + \(count) register(s) lies outside model \(model), whose length is "
                            + "\(length) (offsets count from the first register after ID and L)")
                }
            } else {
                let last = mp.address + count - 1
                if last > 65535 {
                    throw fail(
                        p.name, "address \(mp.address) + \(count) register(s) ends at \(last), beyond 65535")
                }
            }
            if let sf = mp.scaleFactor {
                guard let target = profile.points[sf] else {
                    throw fail(p.name, "scaleFactor '\(sf)' names no point of this profile")
                }
                guard target.modbus?.type == .sunssf else {
                    throw fail(
                        p.name,
                        "scaleFactor '\(sf)' must be a point of type sunssf, not \(target.modbus?.type.rawValue ?? "?")"
                    )
                }
                if target.modbus?.model != mp.model {
                    throw fail(
                        p.name, "scaleFactor '\(sf)' lies in a different SunSpec model block than the point")
                }
            }
        }
        try validateModbusOverlaps()
    }

    /// Two points whose registers intersect are almost always a copy-paste typo; only declared aliases with
    /// the same encoding may share registers (checked in `validateAliases`).
    private func validateModbusOverlaps() throws(DeviceIOError) {
        struct Span {
            let name: String
            let space: String
            let start: Int
            let end: Int
        }
        var spans: [Span] = []
        for p in sortedPoints where p.aliasOf == nil {
            guard let mp = p.modbus else { continue }
            let space = mp.model.map { "model \($0)" } ?? "\(mp.table.rawValue) registers"
            spans.append(
                Span(name: p.name, space: space, start: mp.address, end: mp.address + mp.registerCount))
        }
        spans.sort { ($0.space, $0.start, $0.name) < ($1.space, $1.start, $1.name) }
        for i in spans.indices.dropFirst() {
            let a = spans[i - 1]
            let b = spans[i]
            if a.space == b.space && b.start < a.end {
                let (first, second) = a.name < b.name ? (a, b) : (b, a)
                throw fail(
                    second.name,
                    "registers \(b.start)…\(b.end - 1) in \(b.space) overlap point '\(first.name)' "
                        + "(\(a.start)…\(a.end - 1)); declare 'aliasOf: \(first.name)' if the overlap is deliberate"
                )
            }
        }
    }

    // MARK: MQTT

    private func validateMQTT() throws(DeviceIOError) {
        guard let settings = profile.mqtt else {
            throw fail("mqtt", "transport is mqtt but 'mqtt' is missing")
        }
        if !settings.stateTopic.contains("{base}") {
            throw fail(
                "mqtt.stateTopic", "topic template '\(settings.stateTopic)' does not contain {base}")
        }
        if let c = settings.commandTopic {
            if !c.contains("{base}") {
                throw fail("mqtt.commandTopic", "topic template '\(c)' does not contain {base}")
            }
            if c == settings.stateTopic {
                throw fail("mqtt.commandTopic", "the command topic must differ from the state topic")
            }
        }
        for t in [settings.stateTopic, settings.commandTopic].compactMap({ $0 })
        where t.contains("#") || t.contains("+") {
            throw fail("mqtt", "topic template '\(t)' must not contain MQTT wildcards")
        }
        if !profile.controls.isEmpty && settings.commandTopic == nil {
            throw fail(
                "mqtt.commandTopic", "the profile has controls but no commandTopic to send them on")
        }
        var seen: [String: String] = [:]
        for p in sortedPoints {
            guard let path = p.mqtt?.jsonPath else { throw fail(p.name, "MQTT point without jsonPath") }
            if path.split(separator: ".", omittingEmptySubsequences: false).contains(where: \.isEmpty) {
                throw fail(p.name, "jsonPath '\(path)' has an empty segment")
            }
            if p.aliasOf == nil {
                if let other = seen[path] {
                    throw fail(
                        p.name,
                        "jsonPath '\(path)' is already used by point '\(other)'; declare 'aliasOf: \(other)' "
                            + "if that is deliberate")
                }
                seen[path] = p.name
            }
        }
        // A JSON field is either a value or an object: `ac` and `ac.power` cannot both be points.
        for (path, name) in seen.sorted(by: { $0.key < $1.key }) {
            if let (_, other) = seen.first(where: { $0.key.hasPrefix(path + ".") }) {
                throw fail(
                    other,
                    "jsonPath '\(profile.points[other]?.mqtt?.jsonPath ?? "")' lies inside '\(path)', which point "
                        + "'\(name)' reads as a value")
            }
        }
    }

    // MARK: points

    private func validatePointRanges() throws(DeviceIOError) {
        let canonicalNames = CanonicalPoint.allCases.map(\.rawValue)
        for p in sortedPoints {
            // A misspelt canonical name would silently become an auxiliary point and its telemetry would vanish.
            if CanonicalPoint(rawValue: p.name) == nil,
                let near = canonicalNames.first(where: {
                    $0.lowercased() == p.name.lowercased()
                        || KeySuggestion.editDistance(Array($0.lowercased()), Array(p.name.lowercased())) <= 2
                })
            {
                throw fail(
                    p.name,
                    "'\(p.name)' is not a canonical point name (did you mean '\(near)'?); auxiliary points must not "
                        + "look like canonical ones")
            }
            if let lo = p.validMin, let hi = p.validMax, lo > hi {
                throw fail(p.name, "validMin (\(lo)) is greater than validMax (\(hi))")
            }
        }
    }

    private func validateAliases() throws(DeviceIOError) {
        for p in sortedPoints {
            guard let target = p.aliasOf else { continue }
            guard let t = profile.points[target] else {
                throw fail(p.name, "aliasOf '\(target)' names no point of this profile")
            }
            if t.aliasOf != nil {
                throw fail(p.name, "aliasOf '\(target)' is itself an alias; alias the original")
            }
            if p.modbus != t.modbus || p.mqtt != t.mqtt || p.scale != t.scale {
                throw fail(p.name, "an alias must have exactly the same encoding and scale as '\(target)'")
            }
        }
    }

    // MARK: controls

    private func validateControls() throws(DeviceIOError) {
        for (canonical, c) in profile.controls.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
            let where_ = "controls.\(canonical.rawValue)"
            guard let target = profile.points[c.point] else {
                throw fail(where_, "control point '\(c.point)' names no point of this profile")
            }
            if target.access == .read {
                throw fail(where_, "control point '\(c.point)' is read-only (access r); it must be w or rw")
            }
            if let rb = c.readBack {
                guard let r = profile.points[rb] else {
                    throw fail(where_, "readBack '\(rb)' names no point of this profile")
                }
                if r.access == .write {
                    throw fail(where_, "readBack '\(rb)' is write-only; it must be readable")
                }
            } else if target.access == .write {
                throw fail(
                    where_,
                    "control point '\(c.point)' is write-only, so it needs a readBack point to verify writes")
            }
            for w in c.with {
                guard let p = profile.points[w.point] else {
                    throw fail(where_, "fixed write '\(w.point)' names no point of this profile")
                }
                if p.access == .read {
                    throw fail(where_, "fixed write '\(w.point)' is read-only (access r)")
                }
            }
            if let rt = c.revertTimeoutPoint {
                guard let p = profile.points[rt] else {
                    throw fail(where_, "revertTimeoutPoint '\(rt)' names no point of this profile")
                }
                if p.access == .read {
                    throw fail(where_, "revertTimeoutPoint '\(rt)' is read-only (access r)")
                }
            }
            if let rt = c.revertTimeoutPoint, c.revert == RevertMechanism.none {
                throw fail(
                    where_,
                    "revert is 'none' but revertTimeoutPoint '\(rt)' is set; a device with a revert timer "
                        + "reverts by 'timer'")
            }
            if let r = c.revert, r != .none, c.revertTimeoutPoint == nil {
                throw fail(
                    where_, "revert is '\(r.rawValue)' but the control names no revertTimeoutPoint to write it to")
            }
            if c.min > c.max { throw fail(where_, "min (\(c.min)) is greater than max (\(c.max))") }
            if let d = c.direction {
                try validateDirection(d, control: c, target: target, location: where_)
            } else {
                if let lo = target.validMin, c.min < lo {
                    throw fail(where_, "min (\(c.min)) is below the point's validMin (\(lo))")
                }
                if let hi = target.validMax, c.max > hi {
                    throw fail(where_, "max (\(c.max)) is above the point's validMax (\(hi))")
                }
            }
            if canonical == .activePowerLimitPercent && (c.min < 0 || c.max > 100) {
                throw fail(
                    where_, "a power limit is a percentage: min and max must lie within 0…100 (DESIGN §8)")
            }
            if canonical == .connected && (c.min != 0 || c.max != 1) {
                throw fail(where_, "the connected control switches 0/1: min must be 0 and max 1")
            }
        }
    }

    /// A magnitude-plus-direction setpoint (`SetpointDirection`): the direction register must be a readable,
    /// writable Modbus point of its own, its three commands distinct, and the magnitude point must hold the largest
    /// magnitude the range allows.
    private func validateDirection(
        _ d: SetpointDirection, control c: ControlSpec, target: PointSpec, location: String
    ) throws(DeviceIOError) {
        guard profile.transport == .modbus else {
            throw fail(location, "'direction' is for Modbus profiles; an MQTT command carries the signed value")
        }
        guard let p = profile.points[d.point] else {
            throw fail(location, "direction point '\(d.point)' names no point of this profile")
        }
        if p.access != .readWrite {
            throw fail(
                location,
                "direction point '\(d.point)' must be rw: it is written with the setpoint and read back to "
                    + "verify it, not \(p.access.rawValue)")
        }
        let others =
            [c.point, c.readBack ?? c.point] + c.with.map(\.point) + (c.revertTimeoutPoint.map { [$0] } ?? [])
        if others.contains(d.point) || d.negativeMagnitudePoint == d.point {
            throw fail(location, "direction point '\(d.point)' must differ from the control's other points")
        }
        if let n = d.negativeMagnitudePoint {
            guard let np = profile.points[n] else {
                throw fail(location, "negativeMagnitudePoint '\(n)' names no point of this profile")
            }
            if np.access != .readWrite {
                throw fail(
                    location,
                    "negativeMagnitudePoint '\(n)' must be rw (written, then read back), not \(np.access.rawValue)")
            }
            if others.contains(n) {
                throw fail(location, "negativeMagnitudePoint '\(n)' must differ from the control's other points")
            }
            if let lo = np.validMin, lo > 0 {
                throw fail(location, "negativeMagnitudePoint '\(n)': validMin (\(lo)) must allow 0")
            }
            if let hi = np.validMax, abs(c.min) > hi {
                throw fail(
                    location, "the range needs charge magnitudes up to \(abs(c.min)), above '\(n)' validMax (\(hi))")
            }
        }
        if Set([d.positive, d.negative, d.zero]).count != 3 {
            throw fail(
                location,
                "direction commands must differ (positive \(d.positive), negative \(d.negative), zero \(d.zero)), "
                    + "or the sign cannot be read back")
        }
        if let lo = target.validMin, lo > 0 {
            throw fail(location, "the magnitude point's validMin (\(lo)) must allow 0 (the stop command writes 0)")
        }
        let largest = d.negativeMagnitudePoint == nil ? max(abs(c.min), abs(c.max)) : c.max
        if let hi = target.validMax, largest > hi {
            throw fail(
                location, "the range needs magnitudes up to \(largest), above the point's validMax (\(hi))")
        }
    }

    // MARK: capabilities

    /// The four capabilities (四可, DOMAIN §1) must match what the points and controls offer: a profile may not
    /// claim to be adjustable without a control, nor hide a control behind a missing capability.
    private func validateCapabilities() throws(DeviceIOError) {
        let caps = profile.capabilities
        let readable = profile.canonicalPoints.filter { $0.value.access != .write }
        if !caps.contains(.observe) {
            throw fail(
                "capabilities", "every profile must offer 'observe' (telemetry is what vppd aggregates)")
        }
        if readable.isEmpty {
            throw fail("capabilities", "'observe' needs at least one readable canonical point")
        }
        if readable[.activePowerKW] == nil {
            throw fail(
                "points", "every profile needs a readable activePowerKW point (positive = injection)")
        }
        if caps.contains(.measure) {
            let metered: [CanonicalPoint] = [.activePowerKW, .energyExportedKWh, .energyImportedKWh]
            if !metered.contains(where: { readable[$0] != nil }) {
                throw fail("capabilities", "'measure' needs a readable power or energy point")
            }
        }
        if caps.contains(.adjust) && profile.controls.isEmpty {
            throw fail("capabilities", "'adjust' is claimed but the profile declares no controls")
        }
        if caps.contains(.control) {
            let stops = profile.controls.contains { key, c in
                (key == .activePowerLimitPercent || key == .activePowerSetpointKW || key == .connected)
                    && c.min <= 0 && c.max >= 0
            }
            if !stops {
                throw fail(
                    "capabilities",
                    "'control' is claimed but no control can bring the device to zero output (a power limit, "
                        + "a power setpoint or connected with a range including 0)")
            }
        }
        if !profile.controls.isEmpty && !caps.contains(.adjust) && !caps.contains(.control) {
            throw fail(
                "capabilities", "the profile declares controls but claims neither 'adjust' nor 'control'")
        }
        // What the kind itself requires (Fleet's `ProfileRequirements`).
        guard let needs = ResourceKinds.model(for: profile.kind) as? any ProfileRequirements else { return }
        for (point, why) in needs.requiredPoints where readable[point] == nil { throw fail("points", why) }
        if needs.measuresOnly && !profile.controls.isEmpty {
            throw fail("controls", "a \(profile.kind.rawValue) measures only; it cannot have controls")
        }
    }
}
