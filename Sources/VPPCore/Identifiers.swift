/// Identifiers used across vppd. They are distinct types so that a site id never meets a device id by accident;
/// the shared behaviour (string literal, single-value Codable, ordering, printing) comes from `StringIdentifier`.

/// A string-backed identifier type: conform with `rawValue` and `init(rawValue:)`, get the rest.
public protocol StringIdentifier: RawRepresentable, Hashable, Comparable, Codable, Sendable,
    CustomStringConvertible, ExpressibleByStringLiteral
where RawValue == String {
    init(rawValue: String)
}

extension StringIdentifier {
    public init(_ value: String) { self.init(rawValue: value) }
    public init(stringLiteral value: String) { self.init(rawValue: value) }
    public init(from decoder: any Decoder) throws {
        self.init(rawValue: try decoder.singleValueContainer().decode(String.self))
    }
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(rawValue)
    }
    public var description: String { rawValue }
    public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }
}

/// A configured device, unique within one vppd instance (e.g. `pv-hz-001`).
public struct DeviceID: StringIdentifier {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
}

/// A site (station): a set of devices behind one grid connection point.
public struct SiteID: StringIdentifier {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
}

/// The owner of a resource: the household or business that revenue is allocated back to (结算到户).
public struct OwnerID: StringIdentifier {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
}
