import Fleet
import Foundation
import VPPCore

/// One control cycle of the dispatch loop as a pure step: the state that survives between cycles (what was
/// written, who follows, the measured offset, hold points) and the glue between the pieces listed in
/// `DispatchModule`. The daemon's loop actor owns one, feeds it a frozen snapshot each period, performs the
/// planned writes, and reports each verified write back with `confirm`.
public struct DispatchCycle: Sendable {
    /// Per-device profile facts the cycle needs.
    public struct DeviceProfileInfo: Sendable, Hashable {
        public var controls: Set<CanonicalPoint>
        public var timing: DeviceTiming
        public init(controls: Set<CanonicalPoint>, timing: DeviceTiming) {
            self.controls = controls
            self.timing = timing
        }
    }

    /// What one cycle sees.
    public struct Inputs: Sendable {
        public var now: Date
        /// Every configured device's latest state (a frozen copy).
        public var snapshots: [DeviceSnapshot]
        /// Profile facts by device; devices missing here get default timing and no control points.
        public var profiles: [DeviceID: DeviceProfileInfo]
        /// Stored commands (any status; only those in force count).
        public var commands: [OperatorCommand]
        /// The energy-tracking target of the current interval, kW (nil: no schedule now).
        public var marketKW: Double?
        /// DR obligations in force, kW to add to the schedule.
        public var demandResponseKW: Double
        public var merit: MeritModel
        /// The grid-connection meter's reading, kW, when one is configured; nil = sum of the usable devices' power.
        public var meteredKW: Double?

        public init(
            now: Date, snapshots: [DeviceSnapshot], profiles: [DeviceID: DeviceProfileInfo],
            commands: [OperatorCommand],
            marketKW: Double?, demandResponseKW: Double = 0, merit: MeritModel, meteredKW: Double? = nil
        ) {
            self.now = now
            self.snapshots = snapshots
            self.profiles = profiles
            self.commands = commands
            self.marketKW = marketKW
            self.demandResponseKW = demandResponseKW
            self.merit = merit
            self.meteredKW = meteredKW
        }
    }

    /// What one cycle decided.
    public struct Output: Sendable {
        public var target: FleetTarget
        /// The fleet target after the corrector, kW (nil without a fleet target).
        public var askedKW: Double?
        public var measuredKW: Double
        public var allocation: Allocation
        public var plan: WritePlan
        /// Devices whose chain of limits clamped a command, grid or market limit, with the record.
        public var clamps: [DeviceID: [LimitClamp]]
    }

    public var allocator: Allocator
    public var flexibility: FlexibilityModel
    public private(set) var planner = SetpointPlanner()
    public private(set) var monitor: FollowMonitor
    public private(set) var corrector: AggregateCorrector
    /// The allocation's last setpoint per device, kW (the operating point for ramp and deadband).
    private var lastSetpoints: [DeviceID: Double] = [:]
    /// The power each device had when a hold started, kW, by command.
    private var holdPoints: [CommandID: [DeviceID: Double]] = [:]

    public init(
        allocator: Allocator = Allocator(), flexibility: FlexibilityModel = FlexibilityModel(),
        follow: FollowMonitor.Settings = .init(), corrector: AggregateCorrector
    ) {
        self.allocator = allocator
        self.flexibility = flexibility
        self.monitor = FollowMonitor(settings: follow)
        self.corrector = corrector
    }

    /// Runs one cycle. Mutates only the cycle's own memory (hold points, follow observations, corrector).
    public mutating func step(_ input: Inputs) -> Output {
        let now = input.now
        let siteOf = Dictionary(
            input.snapshots.map { ($0.descriptor.id, $0.descriptor.site) },
            uniquingKeysWith: { a, _ in a })
        let active = ActiveCommands(input.commands, now: now, siteOf: siteOf)
        // Hold points: the power when the hold was first seen in force.
        let holds = active.of(.hold)
        holdPoints = holdPoints.filter { id, _ in holds.contains { $0.id == id } }
        for h in holds where holdPoints[h.id] == nil {
            var points: [DeviceID: Double] = [:]
            for s in input.snapshots where CommandLimits.applies(h.target, to: s.descriptor) {
                points[s.descriptor.id] = lastSetpoints[s.descriptor.id] ?? s.value(.activePowerKW) ?? 0
            }
            holdPoints[h.id] = points
        }
        let target = TargetComposer.compose(
            marketKW: input.marketKW, demandResponseKW: input.demandResponseKW, commands: active)
        if case .emergencyStop = target.source { corrector.reset() }

        var flex: [DeviceID: Flexibility] = [:]
        flex.reserveCapacity(input.snapshots.count)
        for snap in input.snapshots where DispatchKinds.isDispatched(snap.descriptor.kind) {
            flex[snap.descriptor.id] = flexibility.flexibility(of: snap, now: now)
        }
        let shares = Self.groupShares(
            active, snapshots: input.snapshots, flexibility: flex,
            usable: { s in s.health(now: now) == .ok && !monitor.isExcluded(s.descriptor.id) })

        var resources: [AllocationResource] = []
        var infos: [DeviceID: DeviceControlInfo] = [:]
        var clamps: [DeviceID: [LimitClamp]] = [:]
        var measured = 0.0
        var expected = 0.0
        resources.reserveCapacity(input.snapshots.count)
        for snap in input.snapshots {
            let d = snap.descriptor
            let ok = snap.health(now: now) == .ok
            let power = snap.value(.activePowerKW) ?? 0
            let dispatched = DispatchKinds.isDispatched(d.kind)
            if ok && dispatched { measured += power }
            guard dispatched else { continue }
            // Every usable device, including excluded ones: that is how an excluded device comes back on probation.
            if ok { monitor.observe(d.id, measuredKW: power, at: now) }
            let holdKW =
                holds.first { holdPoints[$0.id]?[d.id] != nil }.flatMap { holdPoints[$0.id]?[d.id] }
                ?? power
            let profile = input.profiles[d.id]
            let built = ResourceBuilder.build(
                snapshot: snap, flexibility: flex[d.id] ?? flexibility.flexibility(of: snap, now: now), now: now,
                timing: profile?.timing,
                limits: active.limits(for: d, holdKW: holdKW) + (shares[d.id] ?? []), merit: input.merit,
                lastSetpointKW: lastSetpoints[d.id],
                following: !monitor.isExcluded(d.id))
            let commandClamps = built.limits.clamps.filter { $0.limit.stage != .safety }
            if !commandClamps.isEmpty { clamps[d.id] = commandClamps }
            resources.append(built.resource)
            expected +=
                built.resource.excluded ? built.resource.currentKW : (lastSetpoints[d.id] ?? power)
            infos[d.id] = DeviceControlInfo(
                descriptor: d, controls: profile?.controls ?? [], timing: profile?.timing ?? DeviceTiming(),
                uncurtailedAtKW: built.uncurtailedAtKW, ceilingKW: built.pvCeilingKW)
        }
        let measuredKW = input.meteredKW ?? measured
        var asked = target
        if let kW = target.kW {
            asked.kW = corrector.update(
                targetKW: kW, expectedKW: lastSetpoints.isEmpty ? nil : expected, measuredKW: measuredKW)
        }
        let allocation = allocator.allocate(asked, resources: resources)
        for sp in allocation.setpoints { lastSetpoints[sp.id] = sp.kW }
        for id in allocation.excluded { lastSetpoints.removeValue(forKey: id) }
        let stops = active.of(.emergencyStop)
        let urgent = Set(
            stops.isEmpty
                ? []
                : infos.values.filter { i in stops.contains { CommandLimits.applies($0.target, to: i.descriptor) } }
                    .map(\.descriptor.id))
        let plan = planner.plan(allocation, devices: infos, now: now, urgent: urgent)
        return Output(
            target: target, askedKW: asked.kW, measuredKW: measuredKW, allocation: allocation, plan: plan,
            clamps: clamps)
    }

    /// Site- and fleet-scoped kW commands — charge or discharge storage and V2G, curtail PV to a kW figure — as
    /// per-device command limits (`CommandLimits.limits(for:share:)`): the command's kW split across the usable,
    /// following devices it covers in proportion to what each can do in that direction now (discharge: its
    /// sustainable maximum; charge: its sustainable charging; PV: its rated power). A device that drops out or
    /// stops following leaves the split, so its share moves to the others in the same cycle. More than the
    /// devices can do is clamped by their safety limits; `CommandFeasibility` told the operator so up front.
    ///
    /// Several commands of one kind on one target form one group, and only one of them can bind it: a charge or
    /// discharge pins every member at its share, and the limit chain lets the first pin stand (a later one could
    /// only be clamped to it), so the earliest-starting binds; of kW curtailments the smallest cap binds on every
    /// member (shares are proportional), the earliest among equals. The others give no shares, so a flood of
    /// fleet commands costs one split, not one pass over the fleet each (README "API limits").
    static func groupShares(
        _ active: ActiveCommands, snapshots: [DeviceSnapshot], flexibility: [DeviceID: Flexibility],
        usable: (DeviceSnapshot) -> Bool
    ) -> [DeviceID: [Limit]] {
        var out: [DeviceID: [Limit]] = [:]
        // The binding command of each group, in start order.
        var binding: [GroupKey: (command: OperatorCommand, kW: Double)] = [:]
        var order: [GroupKey] = []
        for c in active.commands {
            if case .device = c.target { continue }
            guard c.kind == .charge || c.kind == .discharge || c.kind == .curtailPV,
                let kw = c.magnitude?.kilowatts?.value, kw.isFinite
            else { continue }
            let key = GroupKey(target: c.target, kind: c.kind)
            if let held = binding[key] {
                if c.kind == .curtailPV && kw < held.kW { binding[key] = (c, kw) }
            } else {
                binding[key] = (c, kw)
                order.append(key)
            }
        }
        let usableSnapshots = binding.isEmpty ? [] : snapshots.filter(usable)
        for key in order {
            guard let (c, kw) = binding[key] else { continue }
            let weight: (DeviceSnapshot) -> Double = { s in
                DispatchKinds.commandResponse(s.descriptor.kind)?
                    .groupWeight(c.kind, s, flexibility: flexibility[s.descriptor.id]) ?? 0
            }
            let members = usableSnapshots.filter { CommandLimits.applies(c.target, to: $0.descriptor) }
                .map { ($0.descriptor.id, weight($0)) }.filter { $0.1 > 0 }
            let total = members.reduce(0) { $0 + $1.1 }
            guard total > 0 else { continue }
            for (id, w) in members {
                out[id, default: []] += CommandLimits.limits(for: c, share: kw * w / total)
            }
        }
        return out
    }

    /// Commands of one kind on one target form one group.
    private struct GroupKey: Hashable {
        var target: CommandTarget
        var kind: CommandKind
    }

    /// Reports a write that was made and verified by read-back at `at`, with the device's reaction time.
    public mutating func confirm(_ write: PlannedWrite, at: Date, reactionTimeMs: Int) {
        planner.recorded(write, at: at)
        monitor.commanded(
            write.device, kW: write.kW, isCap: write.point == .activePowerLimitPercent, at: at,
            reactionTimeMs: reactionTimeMs)
    }
}
