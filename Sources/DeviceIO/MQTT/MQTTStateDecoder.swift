import VPPCore

/// Decodes the JSON state messages of one MQTT device profile into canonical values (DESIGN §4).
///
/// Compiled once per profile: the JSON paths of every point that has an `mqtt.jsonPath` go into one
/// `JSONFieldExtractor`. Each field found is converted to canonical units (`× scale`; booleans → 1/0 for the flag
/// points `connected` and `fault` and auxiliary points only, garbage for a quantity;
/// `departureTime` also accepts an ISO 8601 string and becomes epoch seconds) and checked: non-finite, wrong type
/// or outside `validMin...validMax` is garbage, reported as `DeviceIOError.badValue` and left out. `null` and
/// absent fields are simply absent (devices send partial messages).
public struct MQTTStateDecoder: Sendable {
    /// One decodable point.
    struct Field: Sendable {
        var name: String
        var canonical: CanonicalPoint?
        var scale: Double
        var validMin: Double?
        var validMax: Double?

        /// Whether a JSON boolean is read as 1/0: for the flag points (`connected`, `fault`) and auxiliary points,
        /// never for a quantity.
        var acceptsBoolean: Bool { canonical == nil || canonical == .connected || canonical == .fault }
    }

    /// The result of decoding one message.
    public struct Decoded: Sendable {
        /// Good canonical values, canonical units.
        public var values: [CanonicalPoint: Double] = [:]
        /// Good values of auxiliary (non-canonical) points by point name, e.g. a read-back echo point.
        public var auxiliary: [String: Double] = [:]
        /// Values rejected as garbage.
        public var rejected: [DeviceIOError] = []

        /// The good value of a point by name, canonical or auxiliary.
        public func value(named name: String) -> Double? {
            if let c = CanonicalPoint(rawValue: name) { return values[c] }
            return auxiliary[name]
        }
    }

    public let profileID: String
    let extractor: JSONFieldExtractor
    let fields: [Field]

    public init(profile: DeviceProfile) {
        profileID = profile.id
        var fields: [Field] = []
        var paths: [String] = []
        for (name, spec) in profile.points.sorted(by: { $0.key < $1.key }) {
            guard let path = spec.mqtt?.jsonPath, !path.isEmpty else { continue }
            paths.append(path)
            fields.append(
                Field(
                    name: name, canonical: CanonicalPoint(rawValue: name), scale: spec.scale,
                    validMin: spec.validMin, validMax: spec.validMax))
        }
        extractor = JSONFieldExtractor(paths: paths)
        self.fields = fields
    }

    /// Names of the points this decoder reads.
    public var pointNames: [String] { fields.map(\.name) }

    /// Decodes one message of `device`.
    /// - Throws: `DeviceIOError.badValue(point: "(message)")` when the payload is not a valid JSON object.
    public func decode(_ payload: UnsafeRawBufferPointer, device: DeviceID) throws(DeviceIOError) -> Decoded {
        var raw = [JSONValue?](repeating: nil, count: fields.count)
        do {
            try extractor.extract(payload, into: &raw)
        } catch {
            throw .badValue(device: device, point: "(message)", reason: error.description)
        }
        var out = Decoded()
        for (k, field) in fields.enumerated() {
            guard let v = raw[k] else { continue }
            let value: Double
            switch v {
            case .null: continue
            case .number(let d): value = d * field.scale
            case .bool(let b):
                // A boolean is a number only for the 1/0 points; `"activePowerKW": true` is garbage, not 1 kW.
                guard field.acceptsBoolean else {
                    out.rejected.append(
                        .badValue(device: device, point: field.name, reason: "expected a number, got a boolean"))
                    continue
                }
                value = b ? 1 : 0
            case .string(let s):
                guard field.canonical == .departureTime, let t = ISO8601Time.epochSeconds(s) else {
                    out.rejected.append(
                        .badValue(
                            device: device, point: field.name,
                            reason: "expected a number, got string \"\(BoundedText.value(s))\""))
                    continue
                }
                value = t
            case .array, .object:
                out.rejected.append(
                    .badValue(
                        device: device, point: field.name,
                        reason: "expected a number, got a JSON \(v == .array ? "array" : "object")"))
                continue
            }
            guard value.isFinite else {
                out.rejected.append(.badValue(device: device, point: field.name, reason: "not a finite number"))
                continue
            }
            if let lo = field.validMin, value < lo {
                out.rejected.append(
                    .badValue(device: device, point: field.name, reason: "\(value) below valid minimum \(lo)"))
                continue
            }
            if let hi = field.validMax, value > hi {
                out.rejected.append(
                    .badValue(device: device, point: field.name, reason: "\(value) above valid maximum \(hi)"))
                continue
            }
            if let c = field.canonical { out.values[c] = value } else { out.auxiliary[field.name] = value }
        }
        return out
    }

    /// Decodes bytes (tests, tools).
    public func decode(_ payload: [UInt8], device: DeviceID) throws(DeviceIOError) -> Decoded {
        let r = payload.withUnsafeBytes { b in Result { () throws(DeviceIOError) in try decode(b, device: device) } }
        return try r.get()
    }
}
