import VPPCore

/// Turns an operator command into the command-stage limits of one device it applies to.
///
/// Only what can be said per device is here: emergency stop (the safe state, 0 kW, which the safety stage may
/// move — a V2G car that must charge to make its departure keeps charging), hold (the power at the time the
/// hold started), PV curtailment in percent, and device-scoped kW commands. Site- and fleet-scoped kW commands
/// (curtail the site to 200 kW, discharge the fleet at 2 MW) are group targets: the `Allocator` splits them and
/// its per-device shares come back here through `limits(for:share:)`.
/// `release`, `overrideSchedule` and `gridInstruction` give no per-device command limit.
public enum CommandLimits {
    /// The limits a command puts on `device`, given the power the device should hold for a `hold`.
    /// Returns [] when the command does not apply to the device's kind or scope, or needs a group split.
    public static func limits(
        for command: OperatorCommand, device: DeviceDescriptor, holdKW: Double
    ) -> [Limit] {
        guard applies(command.target, to: device) else { return [] }
        switch command.kind {
        case .emergencyStop:
            return DispatchKinds.obeys(device.kind, .emergencyStop) ? [.exactly(0, .emergencyStop(command.id))] : []
        case .hold:
            return DispatchKinds.obeys(device.kind, .hold) ? [.exactly(holdKW, .hold(command.id))] : []
        case .curtailPV:
            guard DispatchKinds.obeys(device.kind, .curtailPV), let m = command.magnitude else { return [] }
            if m.unit == .percent {
                return [
                    .atMost(
                        max(0, device.ratedPowerKW) * min(100, max(0, m.value)) / 100, .curtailPV(command.id))
                ]
            }
            guard case .device = command.target, let kw = m.kilowatts else { return [] }
            return [.atMost(max(0, kw.value), .curtailPV(command.id))]
        case .charge, .discharge:
            guard DispatchKinds.obeys(device.kind, command.kind), case .device = command.target,
                let kw = command.magnitude?.kilowatts
            else { return [] }
            return limits(for: command, share: kw.value)
        case .release, .overrideSchedule, .gridInstruction:
            return []
        }
    }

    /// Whether `limits(for:device:holdKW:)` can give `command` any limit on some device: false for group kW
    /// commands (their shares come through `limits(for:share:)`) and for the kinds that set no device limit.
    public static func givesDeviceLimits(_ command: OperatorCommand) -> Bool {
        switch command.kind {
        case .emergencyStop, .hold: return true
        case .curtailPV:
            if command.magnitude?.unit == .percent { return true }
            if case .device = command.target { return true }
            return false
        case .charge, .discharge:
            if case .device = command.target { return true }
            return false
        case .release, .overrideSchedule, .gridInstruction:
            return false
        }
    }

    /// The limit for one device's share of a group command, kW magnitude ≥ 0 as the allocator split it:
    /// a curtailment caps output at the share, charge pins the device at −share, discharge at +share.
    public static func limits(for command: OperatorCommand, share kW: Double) -> [Limit] {
        let k = max(0, kW)
        switch command.kind {
        case .curtailPV: return [.atMost(k, .curtailPV(command.id))]
        case .charge: return [.exactly(-k, .charge(command.id))]
        case .discharge: return [.exactly(k, .discharge(command.id))]
        default: return []
        }
    }

    /// Whether a command target covers a device.
    public static func applies(_ target: CommandTarget, to device: DeviceDescriptor) -> Bool {
        switch target {
        case .fleet: return true
        case .site(let s): return device.site == s
        case .device(let id): return device.id == id
        }
    }
}
