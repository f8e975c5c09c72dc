/// How fast a device can be read and driven, from its profile's `timing` section (DESIGN §10: don't make the
/// loop faster than the devices). A Fleet value because dispatch plans writes by it and snapshots go stale by
/// it, whichever transport fed them.
public struct DeviceTiming: Sendable, Hashable {
    /// Poll period for `PollClass.fast` points, milliseconds.
    public var fastPollMs: Int = 1000
    /// Poll period for `PollClass.slow` points (energy counters, limits), milliseconds.
    public var slowPollMs: Int = 30_000
    /// A device with no successful read for this long is stale and excluded from allocation, milliseconds.
    public var staleAfterMs: Int = 5000
    /// How long the device takes to follow a new setpoint, milliseconds.
    public var reactionTimeMs: Int = 2000
    /// Minimum gap between two setpoint writes to this device, milliseconds.
    public var minUpdateIntervalMs: Int = 1000
    /// Maximum ramp of active power, kW per second (nil = limited only by reaction time).
    public var rampKWPerSecond: Double?
    /// Default revert timeout written with every setpoint, seconds.
    public var revertTimeoutS: Int = 60
    public init() {}
}
