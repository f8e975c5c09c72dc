import Daemon
import Foundation

extension DaemonFixture {
    /// `Authorization: Bearer …` for the token of `role`.
    func auth(_ role: String) -> (String, String) {
        ("Authorization", "Bearer \(tokens[role] ?? "none")")
    }
}

/// JSON body of a command request, as a client would send it.
func commandBody(
    kind: String = "discharge", scope: String = "device", id: String? = "bat-1", value: Double? = 10,
    unit: String = "kW",
    durationSeconds: Double = 3600, reason: String = "test"
) -> [UInt8] {
    var o: [String: Any] = [
        "kind": kind, "target": id.map { ["scope": scope, "id": $0] } ?? ["scope": scope],
        "reason": reason,
    ]
    if let value { o["magnitude"] = ["value": value, "unit": unit] }
    o["durationSeconds"] = durationSeconds
    return Array((try? JSONSerialization.data(withJSONObject: o)) ?? Data())
}

let jsonContent = ("Content-Type", "application/json")
