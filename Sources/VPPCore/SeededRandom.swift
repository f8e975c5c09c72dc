/// The project's one seedable random number generator: SplitMix64 (Steele, Lea, Flood 2014).
///
/// Synthetic prices, fleets, forecast noise, simulator noise, benchmarks and property tests draw from it, so a
/// run with the same seed is repeatable across runs and platforms (Swift's `SystemRandomNumberGenerator` cannot
/// be seeded). Tiny state, good statistical quality; not for anything security-related.
public struct SeededRandom: RandomNumberGenerator, Sendable {
    private var state: UInt64

    /// A generator whose sequence is fully determined by `seed`.
    public init(seed: UInt64) { state = seed }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        return Self.mix(state)
    }

    /// The SplitMix64 finaliser: a bijective 64-bit mix, also usable as a stateless hash of `x`.
    @inlinable public static func mix(_ x: UInt64) -> UInt64 {
        var z = x
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A uniform double in the closed `range` (`Double.random(in:using:)` on a closed range).
    public mutating func uniform(_ range: ClosedRange<Double>) -> Double {
        Double.random(in: range, using: &self)
    }

    /// A uniform double in the half-open `a..<b` (`Double.random(in:using:)` on a half-open range; a draw
    /// sequence differs from `uniform(a...b)`).
    public mutating func uniform(_ a: Double, _ b: Double) -> Double { Double.random(in: a..<b, using: &self) }

    /// A uniform double in [0, 1) from the top 53 bits of one draw.
    public mutating func unit() -> Double { Double(next() >> 11) * 0x1.0p-53 }
}
