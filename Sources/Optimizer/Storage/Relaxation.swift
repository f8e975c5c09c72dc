/// A place where the plan departs from a stated constraint because reality or the inputs disagree with the
/// model, and by how much (DESIGN §10: planners never just say "infeasible").
public struct Relaxation: Sendable, Equatable, CustomStringConvertible {
    /// What was relaxed.
    public enum Kind: String, Sendable, Equatable {
        /// The measured SOC lay outside the SOC window and was clamped into it before planning.
        case initialSOCClamped
        /// The requested final SOC lay outside the SOC window and was clamped into it.
        case finalSOCTargetClamped
        /// The final SOC target (a soft constraint) was not reached; `amount` is the shortfall.
        case finalSOCTargetShortfall
        /// The site's export limit was exceeded in an interval (other resources at the site already exceed it).
        case connectionExportExceeded
        /// The site's import limit was exceeded in an interval.
        case connectionImportExceeded
        /// A per-interval energy floor of the envelope (e.g. a V2G departure requirement) was missed; `amount` in MWh.
        case energyFloorShortfall
        /// A per-interval energy ceiling of the envelope was exceeded; `amount` in MWh.
        case energyCeilingExcess
        /// Net injection fell short of an obligation's minimum (e.g. a DR award); `amount` in MW.
        case obligationShortfall
        /// Net injection exceeded an obligation's maximum (e.g. a "tight"/"surplus" flag); `amount` in MW.
        case obligationExcess
    }

    public let kind: Kind
    /// What the relaxation belongs to: a battery or V2G cluster, a connection, or a net-injection bound
    /// (DR obligation, pre-check flag), by name.
    public let subject: String
    /// Interval index 1…n when the relaxation concerns one interval.
    public let interval: Int?
    /// Size of the departure, in `unit`.
    public let amount: Double
    /// Unit of `amount` (`%`, `MW`, `MWh`).
    public let unit: String
    /// Plain-language explanation with the numbers involved.
    public let detail: String
    /// What the relaxation cost in the plan's objective, yuan (0 for clamping, which costs nothing).
    public let penaltyYuan: Double

    /// A relaxation; planners outside the optimizer (e.g. a bid planner clamping an input) report theirs the
    /// same way.
    public init(
        kind: Kind, subject: String, interval: Int?, amount: Double, unit: String, detail: String,
        penaltyYuan: Double = 0
    ) {
        self.kind = kind
        self.subject = subject
        self.interval = interval
        self.amount = amount
        self.unit = unit
        self.detail = detail
        self.penaltyYuan = penaltyYuan
    }

    public var description: String {
        let at = interval.map { " interval \($0)" } ?? ""
        return "\(subject)\(at): \(kind.rawValue) by \(amount) \(unit) — \(detail)"
    }
}
