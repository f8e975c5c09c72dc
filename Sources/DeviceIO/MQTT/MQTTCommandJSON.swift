/// Builds the JSON object of an MQTT command from (dotted path, number) pairs: `[("ev.setpoint", 5), ("ttl", 60)]`
/// → `{"ev":{"setpoint":5},"ttl":60}`. Keys keep their first-seen order; integral values are written without a
/// fraction (devices often parse integers strictly); a later value for the same path replaces the earlier one.
public enum MQTTCommandJSON {
    private indirect enum Node {
        case number(Double)
        case object([(String, Node)])
    }

    /// The JSON text, or nil when two paths conflict (one is a prefix of the other) or a value is not finite.
    public static func encode(_ fields: [(path: String, value: Double)]) -> String? {
        var root: [(String, Node)] = []
        for (path, value) in fields {
            guard value.isFinite else { return nil }
            let segments = path.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
            guard !segments.isEmpty, !segments.contains(where: \.isEmpty) else { return nil }
            guard insert(&root, segments[...], value) else { return nil }
        }
        var out = ""
        write(root, to: &out)
        return out
    }

    private static func insert(_ obj: inout [(String, Node)], _ path: ArraySlice<String>, _ value: Double) -> Bool {
        guard let key = path.first else { return false }
        let rest = path.dropFirst()
        let idx = obj.firstIndex { $0.0 == key }
        if rest.isEmpty {
            if let idx {
                guard case .number = obj[idx].1 else { return false }
                obj[idx].1 = .number(value)
            } else {
                obj.append((key, .number(value)))
            }
            return true
        }
        if let idx {
            guard case .object(var children) = obj[idx].1 else { return false }
            guard insert(&children, rest, value) else { return false }
            obj[idx].1 = .object(children)
            return true
        }
        var children: [(String, Node)] = []
        guard insert(&children, rest, value) else { return false }
        obj.append((key, .object(children)))
        return true
    }

    private static func write(_ obj: [(String, Node)], to out: inout String) {
        out += "{"
        for (k, (key, node)) in obj.enumerated() {
            if k > 0 { out += "," }
            writeString(key, to: &out)
            out += ":"
            switch node {
            case .number(let v): out += format(v)
            case .object(let children): write(children, to: &out)
            }
        }
        out += "}"
    }

    /// Shortest round-tripping text; integral values up to 2^53 without a fraction.
    static func format(_ v: Double) -> String {
        if v == v.rounded(), abs(v) < 9_007_199_254_740_992 { return String(Int64(v)) }
        return "\(v)"
    }

    private static func writeString(_ s: String, to out: inout String) {
        out += "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if u.value < 0x20 {
                    let hex = String(u.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(u)
                }
            }
        }
        out += "\""
    }
}
