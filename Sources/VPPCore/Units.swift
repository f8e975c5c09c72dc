/// Physical and market quantities as types (DESIGN §12): a kW never meets a MW by accident.
/// Sign convention (DOMAIN §7): positive power = injection into the grid (generation or discharge),
/// negative = withdrawal (charging or load). The shared arithmetic, literals and single-value Codable come from
/// `Quantity`; each type adds only its unit and its conversions.

/// A `Double` with a unit.
public protocol Quantity: Hashable, Comparable, Codable, Sendable, CustomStringConvertible,
    ExpressibleByFloatLiteral, ExpressibleByIntegerLiteral, AdditiveArithmetic
{
    var value: Double { get set }
    init(_ value: Double)
    /// Unit symbol for printing.
    static var unit: String { get }
}

extension Quantity {
    public init(floatLiteral value: Double) { self.init(value) }
    public init(integerLiteral value: Int) { self.init(Double(value)) }
    public init(from decoder: any Decoder) throws { self.init(try decoder.singleValueContainer().decode(Double.self)) }
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(value)
    }
    public static var zero: Self { Self(0) }
    public static func + (a: Self, b: Self) -> Self { Self(a.value + b.value) }
    public static func - (a: Self, b: Self) -> Self { Self(a.value - b.value) }
    public static prefix func - (a: Self) -> Self { Self(-a.value) }
    public static func * (a: Self, k: Double) -> Self { Self(a.value * k) }
    public static func < (a: Self, b: Self) -> Bool { a.value < b.value }
    public var description: String { "\(value) \(Self.unit)" }
}

/// Power in kilowatts, the device-level unit.
public struct Kilowatts: Quantity {
    public var value: Double
    public init(_ value: Double) { self.value = value }
    public static let unit = "kW"
    public var megawatts: Megawatts { Megawatts(value / 1000) }
}

/// Power in megawatts, the market-level unit.
public struct Megawatts: Quantity {
    public var value: Double
    public init(_ value: Double) { self.value = value }
    public static let unit = "MW"
    public var kilowatts: Kilowatts { Kilowatts(value * 1000) }
}

/// Energy in kilowatt-hours.
public struct KilowattHours: Quantity {
    public var value: Double
    public init(_ value: Double) { self.value = value }
    public static let unit = "kWh"
}

/// A state of charge or a ratio expressed in percent (0…100).
public struct Percent: Quantity {
    public var value: Double
    public init(_ value: Double) { self.value = value }
    public static let unit = "%"
}

extension Duration {
    /// This duration in seconds.
    public var seconds: Double { Double(components.seconds) + Double(components.attoseconds) * 1e-18 }
    /// This duration in milliseconds.
    public var milliseconds: Double { Double(components.seconds) * 1000 + Double(components.attoseconds) * 1e-15 }
}
