import VPPCore

// Everything random in vppsim (clouds, car schedules, meter noise, garbled values) derives from the fleet seed
// through VPPCore's `SeededRandom` (SplitMix64), so a run with the same `--seed` is repeatable.

/// Stateless seeded noise: pure functions of (seed, key, time slot) built on the SplitMix64 finaliser.
public enum SeededNoise {
    /// The SplitMix64 finaliser (`SeededRandom.mix`).
    @inlinable public static func mix(_ x: UInt64) -> UInt64 { SeededRandom.mix(x) }

    /// A hash of several integers.
    public static func hash(_ parts: UInt64...) -> UInt64 {
        var h: UInt64 = 0x243F_6A88_85A3_08D3
        for p in parts { h = mix(h ^ mix(p &+ 0x9E37_79B9_7F4A_7C15)) }
        return h
    }

    /// A uniform value in [0, 1) from three parts (no array allocation: used on hot paths).
    @inlinable public static func unit(_ a: UInt64, _ b: UInt64, _ c: UInt64) -> Double {
        var h: UInt64 = 0x243F_6A88_85A3_08D3
        h = mix(h ^ mix(a &+ 0x9E37_79B9_7F4A_7C15))
        h = mix(h ^ mix(b &+ 0x9E37_79B9_7F4A_7C15))
        h = mix(h ^ mix(c &+ 0x9E37_79B9_7F4A_7C15))
        return Double(h >> 11) * 0x1.0p-53
    }

    /// A uniform value in [0, 1) from four parts (no array allocation).
    @inlinable public static func unit(_ a: UInt64, _ b: UInt64, _ c: UInt64, _ d: UInt64) -> Double {
        var h: UInt64 = 0x243F_6A88_85A3_08D3
        h = mix(h ^ mix(a &+ 0x9E37_79B9_7F4A_7C15))
        h = mix(h ^ mix(b &+ 0x9E37_79B9_7F4A_7C15))
        h = mix(h ^ mix(c &+ 0x9E37_79B9_7F4A_7C15))
        h = mix(h ^ mix(d &+ 0x9E37_79B9_7F4A_7C15))
        return Double(h >> 11) * 0x1.0p-53
    }

    /// A uniform value in [0, 1) determined by the parts.
    public static func unit(_ parts: UInt64...) -> Double {
        var h: UInt64 = 0x243F_6A88_85A3_08D3
        for p in parts { h = mix(h ^ mix(p &+ 0x9E37_79B9_7F4A_7C15)) }
        return Double(h >> 11) * 0x1.0p-53
    }

    /// Smooth value noise in [0, 1): random knots every `period` seconds, joined by a smoothstep curve, so the
    /// value drifts slowly and is a pure function of `t` (any step size gives the same curve).
    public static func smooth(seed: UInt64, key: UInt64, t: Double, period: Double) -> Double {
        let x = t / period
        let k = x.rounded(.down)
        let f = x - k
        let ki = UInt64(bitPattern: Int64(k))
        let a = unit(seed, key, ki)
        let b = unit(seed, key, ki &+ 1)
        let s = f * f * (3 - 2 * f)
        return a + (b - a) * s
    }

    /// A stable 64-bit key for a device id string (FNV-1a), so noise differs per device but not per run.
    public static func key(_ text: String) -> UInt64 {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325
        for b in text.utf8 { h = (h ^ UInt64(b)) &* 0x100_0000_01B3 }
        return h
    }
}
