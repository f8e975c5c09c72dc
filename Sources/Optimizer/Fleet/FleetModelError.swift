/// Why a fleet schedule could not be planned: malformed input only (names the asset, the field and the
/// interval) or solver trouble. Disagreements between model and measured reality become `Relaxation`s.
public enum FleetModelError: Error, Equatable, CustomStringConvertible {
    /// An input of the problem or of one asset is out of range; `subject` is the problem or asset name.
    case invalidInput(subject: String, field: String, detail: String)
    /// A battery's parameters or envelope are invalid (the single-battery checks).
    case invalidBattery(StorageModelError)
    /// CLP gave no optimum although the model is feasible by construction (numerical trouble, time limit).
    case solver(problem: String, LPError)

    public var description: String {
        switch self {
        case .invalidInput(let s, let f, let d):
            return "fleet plan: \(s): \(f): \(d)"
        case .invalidBattery(let e):
            return "fleet plan: \(e)"
        case .solver(let p, let e):
            return "fleet plan \(p): \(e)"
        }
    }
}
