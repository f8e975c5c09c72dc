import VPPCore

/// Errors raised by the simulator. Each case names the device, profile, file or key concerned.
public enum SimulatorError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A device refers to a profile that was not loaded.
    case unknownProfile(device: DeviceID, profile: String)
    /// Two devices share an id.
    case duplicateDevice(DeviceID)
    /// A fault or query named a device the fleet does not have.
    case unknownDevice(DeviceID)
    /// A device's profile cannot be simulated (e.g. a Modbus profile without points).
    case unsupportedProfile(profile: String, reason: String)
    /// Building a device's register bank failed (a value does not fit its register, …).
    case bank(device: DeviceID, point: String, reason: String)
    /// The fleet file is invalid.
    case badFleetFile(file: String, key: String?, reason: String)
    /// A transport could not be started (port in use, broker unreachable).
    case transport(String)
    /// `start()` was called twice or after `stop()`.
    case lifecycle(String)

    public var description: String {
        switch self {
        case .unknownProfile(let d, let p):
            return "device \(d): profile '\(p)' is not loaded (check --profiles and the file name)"
        case .duplicateDevice(let d): return "device id \(d) appears twice"
        case .unknownDevice(let d): return "no simulated device \(d)"
        case .unsupportedProfile(let p, let r): return "profile \(p) cannot be simulated: \(r)"
        case .bank(let d, let p, let r): return "device \(d) point \(p): \(r)"
        case .badFleetFile(let f, let k, let r):
            return "fleet file \(f)\(k.map { " key \($0)" } ?? ""): \(r)"
        case .transport(let r): return "transport: \(r)"
        case .lifecycle(let r): return "simulator lifecycle: \(r)"
        }
    }
}
