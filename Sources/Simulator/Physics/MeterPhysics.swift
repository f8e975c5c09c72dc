import Foundation

/// A grid-connection meter: power at the connection point is the sum of the simulated devices assigned to it
/// minus a base load that wanders with seeded noise. Positive = export to the grid (DOMAIN §7).
public struct MeterPhysics: Sendable, Hashable {
    public struct Parameters: Sendable, Hashable {
        /// Mean site consumption not covered by simulated devices, kW (≥ 0).
        public var baseLoadKW: Double
        /// Relative amplitude of the base-load noise (0.1 = ±10 %).
        public var noiseFraction: Double
        public var seed: UInt64
        public var key: UInt64

        public init(
            baseLoadKW: Double = 5, noiseFraction: Double = 0.1, seed: UInt64 = 42, key: UInt64 = 0
        ) {
            self.baseLoadKW = max(0, baseLoadKW)
            self.noiseFraction = min(1, max(0, noiseFraction))
            self.seed = seed
            self.key = key
        }
    }

    public let parameters: Parameters
    public private(set) var now: Date
    /// Net power at the connection point, kW, positive = export.
    public private(set) var powerKW: Double = 0
    public private(set) var energyExportedKWh: Double = 0
    public private(set) var energyImportedKWh: Double = 0

    public init(parameters: Parameters, start: Date) {
        self.parameters = parameters
        self.now = start
        self.powerKW = -baseLoad(at: start)
    }

    /// The base load at `t`, kW.
    public func baseLoad(at t: Date) -> Double {
        let n = SeededNoise.smooth(
            seed: parameters.seed, key: parameters.key, t: t.timeIntervalSince1970, period: 60)
        return parameters.baseLoadKW * (1 + parameters.noiseFraction * (2 * n - 1))
    }

    /// Integrates to `t` with the assigned devices delivering `devicesKW` in total (positive = injection).
    public mutating func advance(to t: Date, devicesKW: Double) {
        guard t > now else { return }
        let dt = t.timeIntervalSince(now)
        let p = devicesKW - baseLoad(at: t)
        let kwh = (powerKW + p) / 2 * dt / 3600
        if kwh > 0 { energyExportedKWh += kwh } else { energyImportedKWh += -kwh }
        powerKW = p
        now = t
    }
}
