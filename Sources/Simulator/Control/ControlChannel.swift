import Foundation
import VPPCore

/// The line-based control language of a running `vppsim` (stdin or the control TCP port). One command per
/// line, one reply line per command, starting with `ok` or `error`:
///
/// ```
/// fault <device> drop|refuse|delay <ms>|exception <code>|freeze|garble|clear
/// status <device>        one line: power, SOC, limit, setpoint, plug state, faults
/// list                   device ids with kind and address
/// help
/// quit                   stop the simulator
/// ```
public enum ControlChannel {
    public static let help = """
        commands (one per line; replies start with "ok" or "error"):
          fault <device> drop|refuse|delay <ms>|exception <code>|freeze|garble|clear
          status <device>
          list
          help
          quit
        """

    /// The reply to one line, and whether the simulator should stop.
    public struct Reply: Sendable, Hashable {
        public var text: String
        public var stop: Bool
    }

    public static func execute(_ line: String, fleet: SimulatedFleet) -> Reply {
        let words = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
        guard let verb = words.first?.lowercased() else {
            return Reply(text: "error empty command", stop: false)
        }
        switch verb {
        case "help":
            return Reply(text: "ok " + help.replacingOccurrences(of: "\n", with: " | "), stop: false)
        case "quit", "exit", "shutdown":
            return Reply(text: "ok stopping", stop: true)
        case "list":
            let items = fleet.devices.map { "\($0.id)=\($0.kind.rawValue)@\($0.address)" }
            return Reply(text: "ok \(items.count) " + items.joined(separator: " "), stop: false)
        case "status":
            guard words.count == 2 else {
                return Reply(text: "error usage: status <device>", stop: false)
            }
            guard let s = fleet.status(of: DeviceID(String(words[1]))) else {
                return Reply(text: "error no device \(words[1])", stop: false)
            }
            return Reply(text: "ok " + describe(s), stop: false)
        case "fault":
            guard words.count >= 3 else {
                return Reply(
                    text:
                        "error usage: fault <device> drop|refuse|delay <ms>|exception <code>|freeze|garble|clear",
                    stop: false)
            }
            let id = DeviceID(String(words[1]))
            do {
                if words[2].lowercased() == "clear" {
                    guard words.count == 3 else {
                        return Reply(text: "error usage: fault <device> clear", stop: false)
                    }
                    try fleet.clearFaults(of: id)
                } else {
                    guard let f = DeviceFault(words: Array(words[2...])) else {
                        return Reply(
                            text: "error unknown fault '\(words[2...].joined(separator: " "))'", stop: false)
                    }
                    try fleet.inject(f, into: id)
                }
            } catch {
                return Reply(text: "error \(error)", stop: false)
            }
            return Reply(
                text: "ok \(id) faults: \(fleet.faults(of: id)?.description ?? "none")", stop: false)
        default:
            return Reply(text: "error unknown command '\(verb)' (try help)", stop: false)
        }
    }

    static func describe(_ s: SimDeviceStatus) -> String {
        func f(_ v: Double) -> String { String(format: "%.3f", v) }
        var parts = ["id=\(s.id)", "kind=\(s.kind.rawValue)", "powerKW=\(f(s.powerKW))"]
        if let v = s.socPercent { parts.append("soc=\(f(v))") }
        if let v = s.limitPercent { parts.append("limitPercent=\(f(v))") }
        if let v = s.setpointKW { parts.append("setpointKW=\(f(v))") }
        if let v = s.plugged { parts.append("plugged=\(v)") }
        parts.append("exportedKWh=\(f(s.energyExportedKWh))")
        parts.append("importedKWh=\(f(s.energyImportedKWh))")
        parts.append("commands=\(s.commandsApplied)/\(s.commandsRejected)")
        parts.append(
            "faults=\(s.faults.faults.map(\.description).joined(separator: ",").replacingOccurrences(of: " ", with: ":"))"
        )
        return parts.joined(separator: " ")
    }
}
