/// One limit on a device's active power, kW with the DOMAIN §7 sign (positive = injection). A missing side
/// (`nil`) leaves that side unbounded. `lowerKW ≤ upperKW` is not required: an inconsistent limit is resolved by
/// the chain like any other (its lower side first), and the clamping is recorded.
public struct Limit: Hashable, Sendable, CustomStringConvertible {
    public var source: LimitSource
    /// Lowest power allowed, kW (nil: no lower bound).
    public var lowerKW: Double?
    /// Highest power allowed, kW (nil: no upper bound).
    public var upperKW: Double?

    public init(_ source: LimitSource, lowerKW: Double?, upperKW: Double?) {
        self.source = source
        self.lowerKW = lowerKW
        self.upperKW = upperKW
    }

    public var stage: LimitStage { source.stage }

    /// At most `kW`.
    public static func atMost(_ kW: Double, _ source: LimitSource) -> Limit {
        Limit(source, lowerKW: nil, upperKW: kW)
    }
    /// At least `kW`.
    public static func atLeast(_ kW: Double, _ source: LimitSource) -> Limit {
        Limit(source, lowerKW: kW, upperKW: nil)
    }
    /// Within `lower…upper` kW.
    public static func between(_ lower: Double, _ upper: Double, _ source: LimitSource) -> Limit {
        Limit(source, lowerKW: lower, upperKW: upper)
    }
    /// Exactly `kW` (a setpoint request).
    public static func exactly(_ kW: Double, _ source: LimitSource) -> Limit {
        Limit(source, lowerKW: kW, upperKW: kW)
    }

    public var description: String {
        let lo = lowerKW.map { "\($0)" } ?? "-∞"
        let hi = upperKW.map { "\($0)" } ?? "+∞"
        return "\(source): [\(lo), \(hi)] kW"
    }
}

/// A closed range of active power, kW (positive = injection). Infinite bounds mean "unbounded".
public struct PowerRange: Hashable, Sendable, CustomStringConvertible {
    public var lowerKW: Double
    public var upperKW: Double

    /// `lower…upper` kW; a reversed pair is stored as the single point `lower` (never a negative width).
    public init(lowerKW: Double, upperKW: Double) {
        self.lowerKW = lowerKW
        self.upperKW = Swift.max(lowerKW, upperKW)
    }

    /// No bound on either side.
    public static let unbounded = PowerRange(lowerKW: -.infinity, upperKW: .infinity)

    /// The point of the range closest to `kW`.
    public func clamp(_ kW: Double) -> Double { Swift.min(upperKW, Swift.max(lowerKW, kW)) }

    public func contains(_ kW: Double) -> Bool { lowerKW <= kW && kW <= upperKW }

    /// Width, kW ≥ 0.
    public var widthKW: Double { upperKW - lowerKW }

    public var description: String { "[\(lowerKW), \(upperKW)] kW" }
}
