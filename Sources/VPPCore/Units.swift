/// Physical and market quantities as types (DESIGN §12): a kW never meets a MW by accident.
/// Sign convention (DOMAIN §7): positive power = injection into the grid (generation or discharge),
/// negative = withdrawal (charging or load).

/// Power in kilowatts, the device-level unit.
public struct Kilowatts: Hashable, Comparable, Codable, Sendable, CustomStringConvertible,
    ExpressibleByFloatLiteral, ExpressibleByIntegerLiteral, AdditiveArithmetic
{
    public var value: Double
    public init(_ value: Double) { self.value = value }
    public init(floatLiteral value: Double) { self.value = value }
    public init(integerLiteral value: Int) { self.value = Double(value) }
    public init(from decoder: any Decoder) throws { value = try decoder.singleValueContainer().decode(Double.self) }
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(value)
    }
    public static var zero: Kilowatts { Kilowatts(0) }
    public static func + (a: Self, b: Self) -> Self { Self(a.value + b.value) }
    public static func - (a: Self, b: Self) -> Self { Self(a.value - b.value) }
    public static prefix func - (a: Self) -> Self { Self(-a.value) }
    public static func * (a: Self, k: Double) -> Self { Self(a.value * k) }
    public static func < (a: Self, b: Self) -> Bool { a.value < b.value }
    public var megawatts: Megawatts { Megawatts(value / 1000) }
    public var description: String { "\(value) kW" }
}

/// Power in megawatts, the market-level unit.
public struct Megawatts: Hashable, Comparable, Codable, Sendable, CustomStringConvertible,
    ExpressibleByFloatLiteral, ExpressibleByIntegerLiteral, AdditiveArithmetic
{
    public var value: Double
    public init(_ value: Double) { self.value = value }
    public init(floatLiteral value: Double) { self.value = value }
    public init(integerLiteral value: Int) { self.value = Double(value) }
    public init(from decoder: any Decoder) throws { value = try decoder.singleValueContainer().decode(Double.self) }
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(value)
    }
    public static var zero: Megawatts { Megawatts(0) }
    public static func + (a: Self, b: Self) -> Self { Self(a.value + b.value) }
    public static func - (a: Self, b: Self) -> Self { Self(a.value - b.value) }
    public static func < (a: Self, b: Self) -> Bool { a.value < b.value }
    public var kilowatts: Kilowatts { Kilowatts(value * 1000) }
    public var description: String { "\(value) MW" }
}

/// Energy in kilowatt-hours.
public struct KilowattHours: Hashable, Comparable, Codable, Sendable, CustomStringConvertible,
    ExpressibleByFloatLiteral, ExpressibleByIntegerLiteral, AdditiveArithmetic
{
    public var value: Double
    public init(_ value: Double) { self.value = value }
    public init(floatLiteral value: Double) { self.value = value }
    public init(integerLiteral value: Int) { self.value = Double(value) }
    public init(from decoder: any Decoder) throws { value = try decoder.singleValueContainer().decode(Double.self) }
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(value)
    }
    public static var zero: KilowattHours { KilowattHours(0) }
    public static func + (a: Self, b: Self) -> Self { Self(a.value + b.value) }
    public static func - (a: Self, b: Self) -> Self { Self(a.value - b.value) }
    public static func < (a: Self, b: Self) -> Bool { a.value < b.value }
    public var description: String { "\(value) kWh" }
}

/// A state of charge or a ratio expressed in percent (0…100).
public struct Percent: Hashable, Comparable, Codable, Sendable, CustomStringConvertible,
    ExpressibleByFloatLiteral, ExpressibleByIntegerLiteral
{
    public var value: Double
    public init(_ value: Double) { self.value = value }
    public init(floatLiteral value: Double) { self.value = value }
    public init(integerLiteral value: Int) { self.value = Double(value) }
    public init(from decoder: any Decoder) throws { value = try decoder.singleValueContainer().decode(Double.self) }
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(value)
    }
    public static func < (a: Self, b: Self) -> Bool { a.value < b.value }
    public var description: String { "\(value) %" }
}
