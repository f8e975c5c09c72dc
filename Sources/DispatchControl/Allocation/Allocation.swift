import VPPCore

/// The outcome of one `Allocator.allocate` call.
public struct Allocation: Sendable, Hashable {
    /// One device's new setpoint.
    public struct Setpoint: Sendable, Hashable {
        public var id: DeviceID
        /// New setpoint, kW (positive = injection).
        public var kW: Double
        /// The operating point it was allocated from (`AllocationResource.currentKW`), kW.
        public var previousKW: Double
        /// Whether it moved by at least the deadband and must be written; false: leave the device alone.
        public var write: Bool

        public init(id: DeviceID, kW: Double, previousKW: Double, write: Bool) {
            self.id = id
            self.kW = kW
            self.previousKW = previousKW
            self.write = write
        }
    }

    /// A setpoint for every resource that was not excluded, in input order.
    public var setpoints: [Setpoint]
    /// Resources that were excluded (stale, not following).
    public var excluded: [DeviceID]
    /// The target asked for, kW.
    public var requestedKW: Double
    /// What the allocation delivers if every device follows: setpoints plus the excluded devices' contribution, kW.
    public var allocatedKW: Double
    /// Assumed contribution of the excluded devices, kW.
    public var excludedKW: Double
    /// The range of aggregate power reachable this period (ramp and site limits applied, excluded devices added), kW.
    public var envelope: PowerRange

    /// `requested − allocated`, kW: positive when the fleet cannot inject as much as asked.
    public var shortfallKW: Double { requestedKW - allocatedKW }

    /// True when the target lies outside the reachable envelope and was clamped to it.
    public var isClamped: Bool { !envelope.contains(requestedKW) }

    /// Setpoints to write (moved by at least the deadband).
    public var writes: [Setpoint] { setpoints.filter(\.write) }

    /// For logs and operator replies: what was asked, what is reachable.
    public var summary: String {
        let a = (allocatedKW * 1000).rounded() / 1000
        if isClamped {
            return "target \(requestedKW) kW clamped to \(a) kW (reachable \(envelope)); "
                + "\(setpoints.count) devices, \(excluded.count) excluded"
        }
        return
            "target \(requestedKW) kW allocated \(a) kW; \(setpoints.count) devices, \(excluded.count) excluded"
    }
}
