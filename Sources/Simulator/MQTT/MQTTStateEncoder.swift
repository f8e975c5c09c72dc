import DeviceIO
import Foundation
import VPPCore

/// Renders a device's state as the JSON its MQTT profile describes: every point with an MQTT `jsonPath` becomes a
/// (possibly nested, for dotted paths) field. Canonical points carry physics values in the device unit
/// (canonical ÷ `scale`); auxiliary points echo the last command value. Absent values are left out.
///
/// The JSON is written by hand into a byte buffer: 10,000 devices publish every second, and this is a few times
/// cheaper than `JSONSerialization`.
struct MQTTStateEncoder: Sendable {
    indirect enum Node: Sendable {
        case leaf(key: [UInt8], point: String, canonical: CanonicalPoint?, scale: Double, boolean: Bool)
        case object(key: [UInt8], children: [Node])
    }

    let root: [Node]

    init(profile: DeviceProfile) {
        // Build a tree of dotted paths, keys sorted for stable output.
        final class Tree {
            var children: [String: Tree] = [:]
            var leaf: (point: String, canonical: CanonicalPoint?, scale: Double, boolean: Bool)?
        }
        let tree = Tree()
        for (name, spec) in profile.points {
            guard let path = spec.mqtt?.jsonPath, !path.isEmpty else { continue }
            var node = tree
            for part in path.split(separator: ".").map(String.init) {
                if let next = node.children[part] {
                    node = next
                } else {
                    let next = Tree()
                    node.children[part] = next
                    node = next
                }
            }
            // Flags documented as true/false (plugged, gridConnected) are sent as JSON booleans.
            let boolean = name == CanonicalPoint.connected.rawValue && (spec.unit ?? "").contains("true")
            node.leaf = (name, CanonicalPoint(rawValue: name), spec.scale == 0 ? 1 : spec.scale, boolean)
        }
        func build(_ t: Tree) -> [Node] {
            t.children.keys.sorted().compactMap { key -> Node? in
                guard let child = t.children[key] else { return nil }
                if let l = child.leaf, child.children.isEmpty {
                    return .leaf(
                        key: Self.keyBytes(key), point: l.point, canonical: l.canonical, scale: l.scale,
                        boolean: l.boolean)
                }
                return .object(key: Self.keyBytes(key), children: build(child))
            }
        }
        root = build(tree)
    }

    /// The JSON bytes for `telemetry`. With `garble`, numbers are replaced by nonsense from `rng`.
    func encode(
        telemetry: Telemetry, echo: [String: Double], garble: Bool = false,
        rng: inout SeededRandom
    ) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(256)
        writeObject(root, telemetry, echo, garble, &rng, &out)
        return out
    }

    private func writeObject(
        _ nodes: [Node], _ t: Telemetry, _ echo: [String: Double], _ garble: Bool,
        _ rng: inout SeededRandom, _ out: inout [UInt8]
    ) {
        out.append(UInt8(ascii: "{"))
        var first = true
        for n in nodes {
            switch n {
            case .leaf(let key, let point, let canonical, let scale, let boolean):
                let v: Double?
                if let c = canonical { v = t[c].map { $0 / scale } } else { v = echo[point] }
                guard var value = v else { continue }
                if garble { value = Self.nonsense(&rng) }
                if !first { out.append(UInt8(ascii: ",")) }
                first = false
                out.append(contentsOf: key)
                if boolean && !garble {
                    out.append(contentsOf: (value != 0 ? "true" : "false").utf8)
                } else {
                    Self.appendNumber(value, &out)
                }
            case .object(let key, let children):
                if !first { out.append(UInt8(ascii: ",")) }
                first = false
                out.append(contentsOf: key)
                writeObject(children, t, echo, garble, &rng, &out)
            }
        }
        out.append(UInt8(ascii: "}"))
    }

    /// `"key":` as bytes, built once per profile.
    static func keyBytes(_ key: String) -> [UInt8] { Array("\"\(key)\":".utf8) }

    static func appendKey(_ key: String, _ out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        out.append(contentsOf: key.utf8)
        out.append(contentsOf: "\":".utf8)
    }

    /// Numbers with at most 3 decimals; integers without a fraction.
    static func appendNumber(_ v: Double, _ out: inout [UInt8]) {
        guard v.isFinite else {
            out.append(contentsOf: "null".utf8)
            return
        }
        let r = (v * 1000).rounded() / 1000
        if r == r.rounded(), abs(r) < 1e15 {
            appendInteger(Int64(r), &out)
        } else {
            out.append(contentsOf: String(r).utf8)
        }
    }

    /// Implausible values a broken device might send.
    static func nonsense(_ rng: inout SeededRandom) -> Double {
        switch rng.next() % 4 {
        case 0: return 1e12
        case 1: return -99_999
        case 2: return Double(rng.next() % 1_000_000) - 500_000
        default: return 6.02e23
        }
    }

    /// Decimal digits of `n` without an intermediate String.
    static func appendInteger(_ n: Int64, _ out: inout [UInt8]) {
        if n == 0 {
            out.append(UInt8(ascii: "0"))
            return
        }
        if n < 0 { out.append(UInt8(ascii: "-")) }
        var m = n.magnitude
        var digits:
            (
                UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8
            ) =
                (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var count = 0
        withUnsafeMutableBytes(of: &digits) { buf in
            while m > 0 {
                buf[count] = UInt8(ascii: "0") + UInt8(m % 10)
                m /= 10
                count += 1
            }
            for k in stride(from: count - 1, through: 0, by: -1) { out.append(buf[k]) }
        }
    }
}
