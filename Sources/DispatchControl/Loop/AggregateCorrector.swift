/// Closes the loop on the measured aggregate (issue 6 §3). The allocator assumes every included device delivers
/// its setpoint; the measured aggregate (sum of device power, or the grid-connection meter) tells how far reality
/// is off — devices that deliver a little less than asked, loads behind a meter, losses. The corrector estimates
/// that offset and asks the allocator for `target + offset`, so the measured aggregate lands on the target.
///
/// **Expected vs. measured.** Each cycle the loop supplies `expected`: last cycle's setpoints of the devices
/// still included plus the assumed contribution of the devices excluded now. A device that dropped out is handled
/// by the allocator (its share moves to the others in the same cycle); comparing against `expected` instead of the
/// target keeps the corrector from counting that loss a second time and overshooting on the next cycle.
///
/// Choices:
/// - **A filtered estimate, not a bare integral.** `offset ← offset + gain × ((expected − measured) − offset)`:
///   the offset converges to the real one (a device delivering 97 % of its setpoint, a constant load behind the
///   meter) and cannot wind up while the fleet sits at its envelope, because it tracks a measurement rather than
///   accumulating an error the fleet cannot remove.
/// - **Gain < 1.** Devices take their reaction time to follow; the loop moves a fraction of the way per cycle
///   (DESIGN §10: don't make the loop faster than the devices).
/// - **Bounded** by `maxCorrectionKW`, so a broken meter cannot drive the fleet to its limits.
public struct AggregateCorrector: Sendable, Hashable {
    /// Fraction of the newly observed offset taken per cycle (0…1].
    public var gain: Double
    /// Largest correction, kW.
    public var maxCorrectionKW: Double
    /// Current estimate of the offset between what devices are asked and what the aggregate measures, kW.
    public private(set) var correctionKW: Double = 0

    public init(gain: Double = 0.5, maxCorrectionKW: Double) {
        self.gain = min(1, max(0.01, gain.isFinite ? gain : 0.5))
        self.maxCorrectionKW = max(0, maxCorrectionKW.isFinite ? maxCorrectionKW : 0)
    }

    /// Feeds one cycle: the target, what the aggregate should have measured and what it did (kW; nil before the
    /// first allocation or without a measurement). Returns what to ask the allocator for, kW.
    public mutating func update(targetKW: Double, expectedKW: Double?, measuredKW: Double?) -> Double {
        guard targetKW.isFinite else { return targetKW }
        if let m = measuredKW, m.isFinite, let e = expectedKW, e.isFinite {
            let observed = e - m
            correctionKW = min(
                maxCorrectionKW, max(-maxCorrectionKW, correctionKW + gain * (observed - correctionKW)))
        }
        return targetKW + correctionKW
    }

    /// Starts afresh (after a restart, or when a stop pauses the loop).
    public mutating func reset() { correctionKW = 0 }
}
