import DeviceIO
import DispatchControl
import Foundation
import Synchronization
import VPPCore

/// The device layer currently running, swapped on reload (`VPPDaemon.reload`); nil when no devices are configured.
public final class RuntimeBox: Sendable {
    private let current: Mutex<FleetRuntime?>
    public init(_ runtime: FleetRuntime?) { current = Mutex(runtime) }
    public var runtime: FleetRuntime? { current.withLock { $0 } }
    public func set(_ runtime: FleetRuntime?) { current.withLock { $0 = runtime } }
}

/// How the dispatch loop reaches devices: one verified write (write, then read back; DESIGN §8). The daemon writes
/// through the running `FleetRuntime`; nothing else in vppd writes setpoints (DESIGN §1).
public struct SetpointWriter: Sendable {
    public let write: @Sendable (PlannedWrite) async throws -> WriteReceipt

    public init(_ write: @escaping @Sendable (PlannedWrite) async throws -> WriteReceipt) { self.write = write }

    /// Writes through whatever runtime `box` holds at the time of the write.
    public static func runtime(_ box: RuntimeBox) -> SetpointWriter {
        SetpointWriter { w in
            guard let r = box.runtime else { throw DeviceIOError.unknownDevice(w.device) }
            return try await r.write(w.device, point: w.point, value: w.value, revertTimeoutS: w.revertTimeoutS)
        }
    }

    /// Writes through one runtime.
    public static func runtime(_ runtime: FleetRuntime) -> SetpointWriter {
        SetpointWriter { w in
            try await runtime.write(w.device, point: w.point, value: w.value, revertTimeoutS: w.revertTimeoutS)
        }
    }
}
