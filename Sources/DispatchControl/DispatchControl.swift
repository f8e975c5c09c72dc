/// The DispatchControl module (DESIGN §2 "Dispatch"; renamed because `Dispatch` is libdispatch's module): the
/// pure core of the real-time dispatch loop (issue 6). No I/O here; the daemon's loop feeds it snapshots and
/// writes what it plans.
///
/// One control cycle, in the order the loop calls the pieces:
/// 1. `ActiveCommands` — the operator commands in force now (window, status, `release`).
/// 2. `EnergyTracker` — the market schedule's energy-tracking target for the current interval.
/// 3. `TargetComposer` — schedule + DR < override < grid instruction < emergency stop → `FleetTarget`.
/// 4. `ResourceBuilder` — per device: `SafetyLimits` + `ActiveCommands.limits` (+ grid/market limits) through the
///    `LimitChain` (DESIGN §10) → `AllocationResource` with SOC energy, V2G urgency, ramp, `MeritModel` cost.
///    Devices that `FollowMonitor` flags, or that are stale, are excluded.
/// 5. `AggregateCorrector` — target + the measured offset.
/// 6. `Allocator` — merit order, SOC balancing, fairness, ramp, deadband, site connection limits → `Allocation`.
/// 7. `SetpointPlanner` — setpoints → device writes batched per connection, paced, kept alive.
/// 8. After read-back: `SetpointPlanner.recorded`, `FollowMonitor.commanded`, `EnergyTracker.record`.
/// `CommandFeasibility` answers an operator before a command is stored: rejected with a reason, or accepted with
/// the clamping stated.
public enum DispatchModule {}
