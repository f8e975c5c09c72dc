import Fleet
import Foundation
import VPPCore

/// What the planner needs to know about one device to turn its allocated power into a write.
public struct DeviceControlInfo: Sendable, Hashable {
    public var descriptor: DeviceDescriptor
    /// Control points the profile offers (`DeviceProfile.controls` keys).
    public var controls: Set<CanonicalPoint>
    /// The profile's timing: minimum update interval, revert timeout.
    public var timing: DeviceTiming
    /// PV: the power at or above which the device runs uncurtailed this cycle — the top of its range when its
    /// available power set it (`ResourceBuilder.Built.uncurtailedAtKW`); nil when a cap set it. An uncurtailed PV
    /// gets its ceiling limit (rated power or installer limit), not today's sun, so the limit does not chase clouds.
    public var uncurtailedAtKW: Double?
    /// PV: the ceiling an uncurtailed limit is written as, kW (`ResourceBuilder.Built.pvCeilingKW`: every limit but
    /// the sun — a curtailment or a stop in force stays written at night); nil = rated power or installer limit.
    public var ceilingKW: Double?

    public init(
        descriptor: DeviceDescriptor, controls: Set<CanonicalPoint>, timing: DeviceTiming,
        uncurtailedAtKW: Double? = nil, ceilingKW: Double? = nil
    ) {
        self.descriptor = descriptor
        self.controls = controls
        self.timing = timing
        self.uncurtailedAtKW = uncurtailedAtKW
        self.ceilingKW = ceilingKW
    }
}

/// One write for `FleetRuntime.write(_:point:value:revertTimeoutS:)`.
public struct PlannedWrite: Sendable, Hashable {
    public var device: DeviceID
    public var point: CanonicalPoint
    /// In the point's canonical unit (percent for `activePowerLimitPercent`, kW for `activePowerSetpointKW`).
    public var value: Double
    public var revertTimeoutS: Int
    /// The allocated power behind it, kW.
    public var kW: Double
}

/// The writes of one control cycle, batched per connection (one Modbus TCP endpoint or RTU bus, or the MQTT
/// broker), so each connection's worker gets its writes in one go and one slow device never delays another
/// connection (DESIGN §3, §10).
public struct WritePlan: Sendable, Hashable {
    /// Connection key (`modbus-tcp://host:port`, `modbus-rtu:///dev/…`, `mqtt`) → writes, devices sorted.
    public var batches: [String: [PlannedWrite]]
    /// Changed setpoints held back because the device was written less than `minUpdateIntervalMs` ago.
    public var deferred: [DeviceID]
    /// Devices whose profile offers no control point for their kind.
    public var unwritable: [DeviceID]

    /// All writes, connections in key order.
    public var writes: [PlannedWrite] { batches.keys.sorted().flatMap { batches[$0] ?? [] } }
}

/// Turns an `Allocation` into device writes: only what changed (the allocator's deadband already applied, and
/// the same value is never written twice), no faster than each device's `minUpdateIntervalMs`, and refreshed
/// before half of its revert timeout has passed so that a live loop never lets its own setpoints lapse while a
/// dead one does (DESIGN §8).
///
/// The planner remembers what was written only when told (`recorded`), after the write was read back: a failed
/// write is simply planned again next cycle.
public struct SetpointPlanner: Sendable, Hashable {
    struct Last: Sendable, Hashable {
        var point: CanonicalPoint
        var value: Double
        var at: Date
    }
    private var last: [DeviceID: Last] = [:]

    public init() {}

    /// The writes for `allocation` at `now`. Setpoints of devices missing from `devices` are skipped. Devices in
    /// `urgent` (an emergency stop covers them) are written at once, even inside their `minUpdateIntervalMs`:
    /// a stop does not wait for the device's update pace.
    public func plan(
        _ allocation: Allocation, devices: [DeviceID: DeviceControlInfo], now: Date, urgent: Set<DeviceID> = []
    )
        -> WritePlan
    {
        var plan = WritePlan(batches: [:], deferred: [], unwritable: [])
        for sp in allocation.setpoints {
            guard let info = devices[sp.id] else { continue }
            guard let (point, value) = Self.command(sp.kW, info) else {
                plan.unwritable.append(sp.id)
                continue
            }
            let timing = info.timing
            if let l = last[sp.id], l.point == point, abs(l.value - value) < 1e-6 {
                let refreshDue = now.timeIntervalSince(l.at) >= Double(max(1, timing.revertTimeoutS)) / 2
                if !refreshDue { continue }
            } else if let l = last[sp.id], !urgent.contains(sp.id),
                now.timeIntervalSince(l.at) * 1000 < Double(timing.minUpdateIntervalMs)
            {
                plan.deferred.append(sp.id)
                continue
            }
            let w = PlannedWrite(
                device: sp.id, point: point, value: value, revertTimeoutS: timing.revertTimeoutS, kW: sp.kW)
            plan.batches[Self.connection(info.descriptor.address), default: []].append(w)
        }
        for k in plan.batches.keys { plan.batches[k]?.sort { $0.device < $1.device } }
        plan.deferred.sort()
        plan.unwritable.sort()
        return plan
    }

    /// Remembers a write that was made and verified at `at`.
    public mutating func recorded(_ write: PlannedWrite, at: Date) {
        last[write.device] = Last(point: write.point, value: write.value, at: at)
    }

    /// Forgets a device (removed, or its state unknown after a restart: the next plan writes it afresh).
    public mutating func forget(_ id: DeviceID) { last.removeValue(forKey: id) }

    /// The point and value that command `kW` on a device: PV through its active-power limit in percent (the
    /// uncurtailed ceiling when it sits at its available power), storage and V2G through their power setpoint.
    static func command(_ kW: Double, _ info: DeviceControlInfo) -> (CanonicalPoint, Double)? {
        DispatchKinds.setpointCommand(info.descriptor.kind)?.setpoint(kW, info)
    }

    /// The batch a device's writes go in: batches run in parallel, the writes of one batch in order. A Modbus
    /// connection (a TCP endpoint with its unit ids, an RS-485 bus) answers one request at a time, so its devices
    /// share a batch. An MQTT device is its own batch: the broker takes publishes concurrently and a write waits
    /// only for that device's read-back, so writing MQTT devices one after another would make a cycle take the
    /// sum of their reaction times (seconds with hundreds of chargers) instead of the longest one.
    static func connection(_ a: DeviceAddress) -> String {
        switch a {
        case .modbusTCP(let h, let p, _): return "modbus-tcp://\(h):\(p)"
        case .modbusRTU(let dev, _, _, _): return "modbus-rtu://\(dev)"
        case .mqtt(let topicBase): return "mqtt://\(topicBase)"
        }
    }
}
