import Foundation
import VPPCore

/// Where the fleet's aggregate target comes from at one instant.
public enum TargetSource: Hashable, Sendable, CustomStringConvertible {
    /// Nothing asks anything: devices follow their own limits only.
    case none
    /// The cleared schedule's energy-tracking target, plus any DR obligation.
    case market
    /// An operator's schedule override.
    case override(CommandID)
    /// A real-time grid dispatch instruction (it outranks overrides and the market, DESIGN §10).
    case gridInstruction(CommandID)
    /// A fleet-wide emergency stop: everything to its safe state.
    case emergencyStop(CommandID)

    public var description: String {
        switch self {
        case .none: return "none"
        case .market: return "market schedule"
        case .override(let id): return "override \(id)"
        case .gridInstruction(let id): return "grid instruction \(id)"
        case .emergencyStop(let id): return "emergency stop \(id)"
        }
    }
}

/// The fleet target for one control cycle and the group targets that ride beside it.
public struct FleetTarget: Hashable, Sendable {
    /// Aggregate target, kW (positive = export); nil when nothing asks for one.
    public var kW: Double?
    public var source: TargetSource
    /// Site-scoped overrides and grid instructions: that site's devices are allocated to this target and the
    /// rest of the fleet to `kW − Σ site targets`. The latest-starting command per site wins; grid beats override.
    public var siteTargets: [SiteID: SiteTarget]

    public init(kW: Double?, source: TargetSource, siteTargets: [SiteID: SiteTarget] = [:]) {
        self.kW = kW
        self.source = source
        self.siteTargets = siteTargets
    }

    /// One site's target.
    public struct SiteTarget: Hashable, Sendable {
        public var kW: Double
        public var source: TargetSource
        public init(kW: Double, source: TargetSource) {
            self.kW = kW
            self.source = source
        }
    }
}

/// Composes the fleet target (issue 6 §1): cleared schedule (energy-tracking) + DR obligations, replaced by an
/// operator override, replaced by a grid instruction; a fleet-wide emergency stop replaces everything with 0 kW
/// (the devices' command limits pin them to their safe state; the target only keeps the allocator from fighting).
/// Per-device commands act through `ActiveCommands.limits`, not here.
public enum TargetComposer {
    /// - Parameters:
    ///   - marketKW: the `EnergyTracker` target for the current interval, kW (nil: no schedule now).
    ///   - demandResponseKW: DR obligations in force, kW to add to the schedule (positive = more export / less
    ///     load). Without a schedule, a non-zero obligation alone is the target.
    public static func compose(
        marketKW: Double?, demandResponseKW: Double = 0, commands: ActiveCommands
    )
        -> FleetTarget
    {
        if let stop = commands.fleetStop {
            return FleetTarget(kW: 0, source: .emergencyStop(stop.id), siteTargets: [:])
        }
        var target: FleetTarget
        let dr = demandResponseKW.isFinite ? demandResponseKW : 0
        if let m = marketKW, m.isFinite {
            target = FleetTarget(kW: m + dr, source: .market, siteTargets: [:])
        } else if dr != 0 {
            target = FleetTarget(kW: dr, source: .market, siteTargets: [:])
        } else {
            target = FleetTarget(kW: nil, source: .none, siteTargets: [:])
        }
        // Overrides first, then grid instructions, each oldest first: the later assignment wins.
        for (kind, source) in [
            (CommandKind.overrideSchedule, { (id: CommandID) in TargetSource.override(id) }),
            (.gridInstruction, { TargetSource.gridInstruction($0) }),
        ] {
            for c in commands.of(kind) {
                guard let kw = c.magnitude?.kilowatts?.value, kw.isFinite else { continue }
                switch c.target {
                case .fleet:
                    target = FleetTarget(kW: kw, source: source(c.id), siteTargets: target.siteTargets)
                case .site(let s):
                    target.siteTargets[s] = FleetTarget.SiteTarget(kW: kw, source: source(c.id))
                case .device: continue  // a one-device override is a charge/discharge; not a fleet target
                }
            }
        }
        return target
    }
}
