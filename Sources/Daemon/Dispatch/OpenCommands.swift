import Foundation
import VPPCore

/// The commands that are not finished yet (pending or active), as the dispatch loop holds them between reads of
/// the store: a read, with every change the store committed since applied on top in commit order.
struct OpenCommands: Sendable {
    private var byID: [CommandID: OperatorCommand] = [:]

    init(_ commands: [OperatorCommand]) {
        for c in commands where !c.status.isTerminal { byID[c.id] = c }
    }

    var count: Int { byID.count }

    /// Applies changes as the store committed them: a finished command leaves, any other is added or replaced.
    /// Applying a change twice, or one the read already showed, changes nothing.
    mutating func apply(_ changed: [OperatorCommand]) {
        for c in changed {
            if c.status.isTerminal { byID.removeValue(forKey: c.id) } else { byID[c.id] = c }
        }
    }

    /// The open commands whose window covers `now`, in the order the store's `inForce` gives: by start, then
    /// creation, then id.
    func inForce(at now: Date) -> [OperatorCommand] {
        byID.values.filter { $0.isInForce(at: now) }.sorted { a, b in
            if a.start != b.start { return a.start < b.start }
            if a.createdAt != b.createdAt { return a.createdAt < b.createdAt }
            return a.id < b.id
        }
    }

    /// Whether `CommandRepository.advance` has work at `now` (`OperatorCommand.clockStatus`).
    func statusChangeDue(at now: Date) -> Bool {
        byID.values.contains { $0.clockStatus(at: now) != nil }
    }
}
