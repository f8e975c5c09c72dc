import Optimizer

/// Why a bid could not be planned. Disagreements between the model and reality are not errors: they become
/// `Relaxation`s in the plan (DESIGN §10). Every case names the resource, field or interval at fault.
public enum PlanningError: Error, Equatable, CustomStringConvertible {
    /// A resource's field is missing or out of range.
    case badResource(id: String, field: String, reason: String)
    /// The planning input itself is malformed (series length, levels, bounds).
    case badInput(field: String, reason: String)
    /// The price forecast is unusable.
    case forecast(ForecastError)
    /// The fleet optimizer refused the problem or the solver failed.
    case optimizer(FleetModelError)
    /// Building or validating the curves failed.
    case bid(MarketError)

    public var description: String {
        switch self {
        case .badResource(let id, let field, let reason): return "resource \(id): \(field): \(reason)"
        case .badInput(let field, let reason): return "planning input \(field): \(reason)"
        case .forecast(let e): return "\(e)"
        case .optimizer(let e): return "\(e)"
        case .bid(let e): return "\(e)"
        }
    }
}
