import DeviceIO
import Foundation
import VPPCore

/// Turns a JSON command message into `SimCommand`s, using the profile's controls: the control point's
/// `jsonPath` names the value field (canonical units after `scale`), its `with` points name enable fields
/// (a mismatching value disables the control), and its revert point names the revert timeout in seconds.
/// A message that holds only enable fields set to something else than their `with` value disables the control.
struct MQTTCommandDecoder: Sendable {
    struct Field: Sendable {
        var path: [String]
        var scale: Double
    }
    struct Control: Sendable {
        var point: CanonicalPoint
        var value: Field
        var valueName: String
        var with: [(field: Field, name: String, value: Double)]
        var revert: (field: Field, name: String)?
    }

    let controls: [Control]

    init(profile: DeviceProfile) {
        func field(_ name: String) -> Field {
            let spec = profile.points[name]
            let path = spec?.mqtt?.jsonPath ?? name
            let scale = spec?.scale ?? 1
            return Field(path: path.split(separator: ".").map(String.init), scale: scale == 0 ? 1 : scale)
        }
        controls = profile.controls.sorted { $0.key.rawValue < $1.key.rawValue }.map { point, c in
            Control(
                point: point, value: field(c.point), valueName: c.point,
                with: c.with.map { (field($0.point), $0.point, $0.value) },
                revert: c.revertTimeoutPoint.map { (field($0), $0) })
        }
    }

    /// The commands in `payload`, with the auxiliary field values to echo in the state. Malformed JSON or a
    /// message without any known field gives no commands.
    func decode(_ payload: UnsafeRawBufferPointer) -> [(SimCommand, echo: [String: Double])] {
        guard
            let obj = try? JSONSerialization.jsonObject(with: Data(payload), options: [])
                as? [String: Any]
        else { return [] }
        var out: [(SimCommand, echo: [String: Double])] = []
        for c in controls {
            let value = Self.number(obj, c.value.path).map { $0 * c.value.scale }
            var echo: [String: Double] = [:]
            var enabled = true
            var sawEnable = false
            for w in c.with {
                guard let v = Self.number(obj, w.field.path) else { continue }
                sawEnable = true
                echo[w.name] = v
                if abs(v * w.field.scale - w.value) > 1e-6 { enabled = false }
            }
            var revert: Double?
            if let r = c.revert, let v = Self.number(obj, r.field.path) {
                revert = v * r.field.scale
                echo[r.name] = v
            }
            guard value != nil || sawEnable else { continue }
            if let value, c.valueName != c.point.rawValue { echo[c.valueName] = value / c.value.scale }
            let cmd: SimCommand
            switch c.point {
            case .activePowerLimitPercent: cmd = .limitPercent(enabled ? value : nil, revertS: revert)
            case .activePowerSetpointKW: cmd = .setpointKW(enabled ? value : nil, revertS: revert)
            case .connected:
                guard let value else { continue }
                cmd = .connect(value != 0)
            default: continue
            }
            if enabled && value == nil {
                // Only enable fields, set to their enabling value: nothing to apply.
                continue
            }
            out.append((cmd, echo))
        }
        return out
    }

    static func number(_ obj: [String: Any], _ path: [String]) -> Double? {
        var cur: Any? = obj
        for p in path { cur = (cur as? [String: Any])?[p] }
        switch cur {
        case let n as NSNumber: return n.doubleValue.isFinite ? n.doubleValue : nil
        case let s as String: return DecimalText.double(s)  // plain decimal only: no "0x1F4", "nan", "inf"
        case let b as Bool: return b ? 1 : 0
        default: return nil
        }
    }
}
