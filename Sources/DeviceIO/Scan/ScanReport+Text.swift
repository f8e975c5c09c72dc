extension ScanReport {
    /// The human-readable report `vppctl scan` prints: per unit the verdict, the candidates with their evidence and
    /// checks, and for every unit not identified the full list of what answered where.
    public var text: String {
        var lines: [String] = []
        lines.append(
            "scan of \(endpoint): \(units.count) unit(s), \(requests) request(s), \(SignatureCheck.number((seconds * 100).rounded() / 100)) s"
        )
        if let e = connectError { lines.append("  cannot reach the endpoint: \(ScanText.printable(e, limit: 200))") }
        if let s = stoppedBy { lines.append("  stopped early: \(s)") }
        for u in units {
            var head = "unit \(u.unit): \(u.status.rawValue)"
            if let p = u.profile { head += " as \(p)" }
            lines.append(head)
            if let c = u.sunspec {
                let models = c.models.map { "\($0.id) (L \($0.length))" }.joined(separator: ", ")
                lines.append("  SunSpec chain at \(c.base): \(models.isEmpty ? "no models" : models)")
                if let i = c.incomplete { lines.append("    incomplete: \(i)") }
            }
            for c in u.candidates {
                let verdict = c.plausible ? "values plausible" : "values NOT plausible"
                lines.append(
                    "  candidate \(c.profile) (\(c.matchedBy.joined(separator: " + ")), score \(c.score), \(verdict))")
                for e in c.evidence { lines.append("    \(e.point) = \(e.value ?? "none"): \(e.verdict)") }
                for e in c.checks { lines.append("    \(e.point) = \(e.value ?? "none"): \(e.verdict)") }
            }
            if u.status == .identified {
                lines.append(
                    "  rated power: \(u.ratedPowerKW.map { "\(SignatureCheck.number($0)) kW" } ?? "not readable (fill it in)")"
                )
            }
            if u.status == .ambiguous {
                lines.append("  several profiles match equally well; choose one by hand (no entry drafted)")
            }
            if let s = u.stoppedBy { lines.append("  stopped: \(s)") }
            if u.status != .identified {
                lines.append("  what answered where:")
                for p in u.probes {
                    let range = p.count == 1 ? "\(p.address)" : "\(p.address)…\(p.address + p.count - 1)"
                    let values =
                        p.registers.map { r in
                            " " + r.map { "0x" + String($0, radix: 16, uppercase: true) }.joined(separator: " ")
                        } ?? ""
                    lines.append(
                        "    \(p.table) \(range): \(p.outcome)\(values)\(p.detail.map { " (\($0))" } ?? "")"
                            + " [\(p.purpose), \(p.ms) ms]")
                }
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
