import Fleet
import Foundation
import VPPCore

/// A `devices:` entry for `vppd.yaml` drafted from a scan (README "vppctl scan"), in the exact format the config
/// loader reads (`VPPConfig.parseDevice`): id, profile, site, ratedPowerKW (and ratedEnergyKWh for storage), and
/// the address. What the scan read is written as comments above it. When the nameplate could not be read the
/// rated power (or a storage device's energy) is the placeholder `FILL-IN`, which the loader rejects until the
/// installer writes the figure: a draft never invents a rating.
public enum DraftDeviceEntry {
    /// Placeholder for a value the scan could not read.
    public static let placeholder = "FILL-IN"

    /// Where the device is, as the config's `address:` says it.
    public enum Address: Sendable, Hashable {
        case tcp(host: String, port: Int)
        case rtu(device: String, baud: Int, parity: String)
    }

    /// The YAML list items (`  - id: …`) for every identified unit of `report`, with the header line
    /// `devices:`; units that were not identified are listed as comments only.
    public static func yaml(
        for report: ScanReport, catalog: ProfileCatalog, address: Address, site: String, idPrefix: String? = nil
    ) -> String {
        var lines = ["devices:"]
        for unit in report.units {
            guard unit.status == .identified, let id = unit.profile, let profile = catalog[id] else {
                lines.append("  # unit \(unit.unit): \(unit.status.rawValue), no entry drafted (see the scan report)")
                continue
            }
            lines += entry(unit: unit, profile: profile, address: address, site: site, idPrefix: idPrefix)
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// One entry's lines, indented for a `devices:` list.
    static func entry(unit: UnitScan, profile: DeviceProfile, address: Address, site: String, idPrefix: String?)
        -> [String]
    {
        var out: [String] = []
        let candidate = unit.candidates.first { $0.profile == profile.id }
        out.append("  # unit \(unit.unit): \(ScanText.printable(profile.name, limit: 100))")
        if let c = candidate {
            out.append("  # matched by \(c.matchedBy.joined(separator: " + ")) (score \(c.score))")
            for e in c.evidence + c.checks {
                out.append("  #   \(e.point) = \(e.value ?? "none")  (\(ScanText.printable(e.verdict, limit: 80)))")
            }
        }
        let others = unit.candidates.filter { $0.profile != profile.id }.map(\.profile)
        if !others.isEmpty { out.append("  # also matched, less specific: \(others.joined(separator: ", "))") }
        let base = sanitizedID(idPrefix ?? profile.id)
        out.append("  - id: \(base)-\(unit.unit)")
        out.append("    profile: \(profile.id)")
        out.append("    site: \(quoted(site))  # a site id from the sites: section")
        if let kw = unit.ratedPowerKW {
            out.append("    ratedPowerKW: \(number(kw))  # nameplate, read from the device")
        } else {
            out.append(
                "    ratedPowerKW: \(placeholder)  # kW from the nameplate: the profile has no rated-power register")
        }
        if ResourceKinds.storesEnergy(profile.kind) {
            if let kwh = unit.ratedEnergyKWh {
                out.append("    ratedEnergyKWh: \(number(kwh))  # read from the device")
            } else {
                out.append(
                    "    ratedEnergyKWh: \(placeholder)  # usable kWh: the profile has no readable capacity register")
            }
        }
        out.append("    address:")
        switch address {
        case .tcp(let host, let port):
            out.append("      modbus: { host: \(quoted(host)), port: \(port), unit: \(unit.unit) }")
        case .rtu(let device, let baud, let parity):
            out.append(
                "      rtu: { device: \(quoted(device)), baud: \(baud), parity: \(quoted(parity)), unit: \(unit.unit) }"
            )
        }
        return out
    }

    /// A config id from a profile id or prefix: the loader's safe-name alphabet, at most 56 characters (room for
    /// the unit suffix within its 64).
    static func sanitizedID(_ s: String) -> String {
        var out = String(
            s.unicodeScalars.map { u -> Character in
                u.isASCII && (CharacterSet.alphanumerics.contains(u) || "._-".unicodeScalars.contains(u))
                    ? Character(u) : "-"
            }.prefix(56))
        while out.hasPrefix(".") { out.removeFirst() }
        return out.isEmpty ? "device" : out
    }

    /// A YAML double-quoted scalar (JSON string escaping is valid YAML).
    static func quoted(_ s: String) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        if let data = try? encoder.encode(s), let text = String(data: data, encoding: .utf8) { return text }
        return "\"\(ScanText.printable(s).replacingOccurrences(of: "\"", with: "?"))\""
    }

    static func number(_ v: Double) -> String {
        let r = (v * 1000).rounded() / 1000
        return r == r.rounded() && abs(r) < 1e15 ? String(Int64(r)) : String(r)
    }
}
