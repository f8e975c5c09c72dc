import VPPCore

/// The stages of the single chain of limits every setpoint passes (DESIGN §10), in priority order.
///
/// A stage can narrow the range left by the stages before it but never widen it: the market schedule cannot
/// undo an operator's curtailment, and nothing can push a device past its rated power or its SOC window.
public enum LimitStage: Int, Sendable, Hashable, Comparable, CaseIterable, Codable,
    CustomStringConvertible
{
    /// Device and safety limits: rated power, installer limit, the device's present charge/discharge limits,
    /// SOC window, V2G departure SOC, PV 0…100 %.
    case safety = 0
    /// Emergency stop and operator commands: hold, curtail, charge/discharge bounds.
    case command = 1
    /// Grid dispatch instructions and demand-response obligations.
    case grid = 2
    /// The cleared market schedule.
    case market = 3

    public static func < (a: LimitStage, b: LimitStage) -> Bool { a.rawValue < b.rawValue }

    public var description: String {
        switch self {
        case .safety: return "safety"
        case .command: return "command"
        case .grid: return "grid"
        case .market: return "market"
        }
    }
}

/// Where one limit comes from. The stage follows from the source, so a limit can never be filed under a stage
/// with more authority than it has.
public enum LimitSource: Hashable, Sendable, CustomStringConvertible {
    // MARK: safety
    /// The device's rated power (as installed, or its nameplate if lower).
    case ratedPower
    /// The installer's export limit (never commanded above, DESIGN §10).
    case installerLimit
    /// The device's own present maximum charge power (`maxChargeKW`).
    case deviceChargeLimit
    /// The device's own present maximum discharge power (`maxDischargeKW`).
    case deviceDischargeLimit
    /// Storage/V2G: the SOC window over the flexibility horizon.
    case socWindow
    /// V2G: the energy still needed before departure.
    case departure
    /// PV: output between 0 and 100 % of rated power (never negative).
    case pvRange
    /// PV: the power the array can deliver now (the sun behind the limit).
    case availablePower
    /// Stale, down, disconnected, or without a state of charge: pinned where it is.
    case unavailable
    // MARK: commands
    /// Emergency stop: everything to its safe state.
    case emergencyStop(CommandID)
    /// Hold the current output.
    case hold(CommandID)
    /// PV curtailment.
    case curtailPV(CommandID)
    /// Charge at a power.
    case charge(CommandID)
    /// Discharge at a power.
    case discharge(CommandID)
    // MARK: grid
    /// A real-time grid dispatch instruction (its id as the dispatch centre or the store names it).
    case gridInstruction(String)
    /// A demand-response obligation (its event id).
    case demandResponse(String)
    // MARK: market
    /// The cleared schedule of one market interval.
    case marketSchedule(MarketInterval)

    /// The stage this source belongs to.
    public var stage: LimitStage {
        switch self {
        case .ratedPower, .installerLimit, .deviceChargeLimit, .deviceDischargeLimit, .socWindow,
            .departure,
            .pvRange, .availablePower, .unavailable:
            return .safety
        case .emergencyStop, .hold, .curtailPV, .charge, .discharge: return .command
        case .gridInstruction, .demandResponse: return .grid
        case .marketSchedule: return .market
        }
    }

    public var description: String {
        switch self {
        case .ratedPower: return "rated power"
        case .installerLimit: return "installer limit"
        case .deviceChargeLimit: return "device charge limit"
        case .deviceDischargeLimit: return "device discharge limit"
        case .socWindow: return "SOC window"
        case .departure: return "departure SOC"
        case .pvRange: return "PV range"
        case .availablePower: return "available power"
        case .unavailable: return "device unavailable"
        case .emergencyStop(let id): return "emergency stop \(id)"
        case .hold(let id): return "hold \(id)"
        case .curtailPV(let id): return "curtailment \(id)"
        case .charge(let id): return "charge \(id)"
        case .discharge(let id): return "discharge \(id)"
        case .gridInstruction(let id): return "grid instruction \(id)"
        case .demandResponse(let id): return "demand response \(id)"
        case .marketSchedule(let i): return "market schedule \(i)"
        }
    }
}
