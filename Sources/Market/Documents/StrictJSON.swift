import Foundation

/// JSON read so that a boolean is never a number (README "Files: inbox and outbox").
///
/// Why not `JSONSerialization`: it hands back `NSNumber`s, and on this platform a JSON `true` casts to
/// `Double` 1 (`as? Double`, `as? NSNumber`) while a JSON `1` passes `is Bool` — so `"price": true` was read
/// as 1 yuan/MWh and `"offerVersion": true` as version 1. `JSONDecoder`'s typed decoding keeps the JSON types
/// apart; this reads a document with it into plain Swift values the market readers can cast safely:
/// `NSNull`, `JSONBoolean`, `Double` (finite), `String`, `[Any]`, `[String: Any]`. A number too large for
/// `Double` (`1e400`) becomes `JSONUnrepresentableNumber`, so the reader names the field instead of failing
/// the whole document.
public enum StrictJSON {
    /// The top-level object of `data`, or a `DocumentError` when it is not JSON or not an object.
    public static func object(_ data: Data) throws(DocumentError) -> [String: Any] {
        guard let value = try? JSONDecoder().decode(Value.self, from: data), case .object(let o) = value else {
            throw DocumentError("", "not a JSON object")
        }
        return o.mapValues(\.plain)
    }

    /// A parsed JSON value (internal: decoding order bool → number → string → array → object).
    enum Value: Decodable {
        case null
        case bool(Bool)
        case number(Double)
        case unrepresentable
        case string(String)
        case array([Value])
        case object([String: Value])

        init(from decoder: any Decoder) throws {
            let c = try decoder.singleValueContainer()
            if c.decodeNil() {
                self = .null
            } else if let b = try? c.decode(Bool.self) {
                self = .bool(b)
            } else if let d = try? c.decode(Double.self) {
                self = d.isFinite ? .number(d) : .unrepresentable
            } else if let s = try? c.decode(String.self) {
                self = .string(s)
            } else if let a = try? c.decode([Value].self) {
                self = .array(a)
            } else if let o = try? c.decode([String: Value].self) {
                self = .object(o)
            } else {
                // Only a number literal outside Double's range reaches here (JSON has no other scalar).
                self = .unrepresentable
            }
        }

        var plain: Any {
            switch self {
            case .null: return NSNull()
            case .bool(let b): return JSONBoolean(value: b)
            case .number(let d): return d
            case .unrepresentable: return JSONUnrepresentableNumber()
            case .string(let s): return s
            case .array(let a): return a.map(\.plain)
            case .object(let o): return o.mapValues(\.plain)
            }
        }
    }
}

/// A JSON `true`/`false` as read by `StrictJSON`: not castable to any number type.
public struct JSONBoolean: Sendable, Equatable, CustomStringConvertible {
    public var value: Bool
    public var description: String { value ? "true" : "false" }
}

/// A JSON number literal outside the range of `Double` (e.g. `1e400`), as read by `StrictJSON`.
public struct JSONUnrepresentableNumber: Sendable, Equatable, CustomStringConvertible {
    public var description: String { "a number out of range" }
}
