import Foundation
import VPPCore

/// Proof that a setpoint reached a device: what was asked, what was written after clamping to the control's
/// range, and what the device reported back when verified (DESIGN §8: every setpoint write is read back).
/// Shared by the Modbus and MQTT writers.
public struct WriteReceipt: Sendable, Hashable, Codable {
    public var device: DeviceID
    /// The canonical point set (e.g. `activePowerSetpointKW`).
    public var point: CanonicalPoint
    /// The value the caller asked for, canonical units.
    public var requested: Double
    /// The value written after clamping into the control's `min...max`, canonical units.
    public var written: Double
    /// The value read back from the device (within the control's tolerance of `written`), canonical units.
    public var readBack: Double
    /// When the read-back confirmed the write.
    public var at: Date

    public init(device: DeviceID, point: CanonicalPoint, requested: Double, written: Double, readBack: Double, at: Date)
    {
        self.device = device
        self.point = point
        self.requested = requested
        self.written = written
        self.readBack = readBack
        self.at = at
    }

    /// True when the written value differs from the requested one (clamped to the device's range).
    public var wasClamped: Bool { written != requested }
}
