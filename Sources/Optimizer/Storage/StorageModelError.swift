/// Why a storage schedule could not be planned. Only *input* errors end up here: disagreements between the
/// model and measured reality are handled with clamping and penalties and reported as `Relaxation`s
/// (DESIGN §10).
public enum StorageModelError: Error, Equatable, CustomStringConvertible {
    /// A parameter of the storage itself is out of range.
    case invalidParameter(storage: String, field: String, value: Double, rule: String)
    /// A problem input (prices, initial SOC, limits, horizon) is malformed.
    case invalidInput(storage: String, field: String, detail: String)
    /// CLP gave no optimum although the model is always feasible by construction (numerical trouble).
    case solver(storage: String, LPError)

    public var description: String {
        switch self {
        case .invalidParameter(let s, let f, let v, let rule):
            return "storage \(s): \(f) = \(v) is invalid: \(rule)"
        case .invalidInput(let s, let f, let d):
            return "storage \(s): \(f): \(d)"
        case .solver(let s, let e):
            return "storage \(s): \(e)"
        }
    }
}
