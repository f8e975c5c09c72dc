import Foundation
import VPPCore

/// The operator commands in force at one instant, with `release` applied: a release ends every earlier hold,
/// curtailment, charge, discharge and override whose target it covers (a fleet release covers everything, a
/// site release that site's and its devices' commands). Emergency stops end only by cancellation or their end
/// time — a release is not a way out of a stop.
public struct ActiveCommands: Sendable, Hashable {
    /// Commands in force, oldest start first (ties by id), releases removed.
    public private(set) var commands: [OperatorCommand]
    /// Those of `commands` that can put a limit on a single device (`CommandLimits.givesDeviceLimits`), so that
    /// `limits(for:holdKW:)` does not weigh every group command against every device.
    private var deviceLimiting: [OperatorCommand]

    /// Commands of `all` that are pending or active, whose window covers `now`, and that no later release ended.
    /// `siteOf` maps each device to its site, so a site release covers device-scoped commands there.
    public init(_ all: [OperatorCommand], now: Date, siteOf: [DeviceID: SiteID] = [:]) {
        let live = all.filter { $0.isInForce(at: now) }.sorted {
            $0.start != $1.start ? $0.start < $1.start : $0.id < $1.id
        }
        let releases = live.filter { $0.kind == .release }
        commands = live.filter { c in
            guard c.kind != .release else { return false }
            guard c.kind != .emergencyStop else { return true }
            return !releases.contains { r in
                r.start > c.start && Self.covers(r.target, c.target, siteOf: siteOf)
            }
        }
        deviceLimiting = commands.filter(CommandLimits.givesDeviceLimits)
    }

    /// Whether `outer` includes everything `inner` names.
    static func covers(_ outer: CommandTarget, _ inner: CommandTarget, siteOf: [DeviceID: SiteID])
        -> Bool
    {
        switch (outer, inner) {
        case (.fleet, _): return true
        case (.site(let a), .site(let b)): return a == b
        case (.site(let a), .device(let d)): return siteOf[d] == a
        case (.device(let a), .device(let b)): return a == b
        default: return false
        }
    }

    /// Commands of one kind in force, oldest first.
    public func of(_ kind: CommandKind) -> [OperatorCommand] { commands.filter { $0.kind == kind } }

    /// The command-stage limits on `device` from every command in force (`CommandLimits`), in start order.
    /// `holdKW` is the power the device had when its hold started.
    public func limits(for device: DeviceDescriptor, holdKW: Double) -> [Limit] {
        deviceLimiting.flatMap { CommandLimits.limits(for: $0, device: device, holdKW: holdKW) }
    }

    /// The latest-starting fleet-wide emergency stop, if any.
    public var fleetStop: OperatorCommand? { of(.emergencyStop).last { $0.target == .fleet } }
}
