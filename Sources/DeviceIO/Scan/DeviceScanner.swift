import Fleet
import Foundation
import VPPCore

/// Identifies the device(s) behind a Modbus endpoint for onboarding (README "vppctl scan"), per unit id:
///
/// 1. probes the `SunS` marker at every base the profiles name (40000, 0, 50000) and, if found, walks the model
///    chain (IDs and lengths L as the device reports them, bounded by `maxSunSpecModels`);
/// 2. matches every Modbus profile: a SunSpec profile needs each declared model in the chain with at least the
///    declared length; every profile with a `signature` needs each check to hold on the registers read; a
///    non-SunSpec profile without a signature can never match (no guessing);
/// 3. reads a few of each match's range-checked points (`validMin`/`validMax`) and keeps only matches whose values
///    are plausible;
/// 4. picks the best-scoring plausible match (declared models + signature checks: the more specific profile wins);
///    a tie is reported as ambiguous, never resolved by a guess; then reads the nameplate (`ratedPowerKW`,
///    `ratedEnergyKWh`) if the profile has it.
///
/// Every request goes through `ScanSession` (bounded in count and time per unit and in total); every reply is
/// decoded by `RegisterCodec`, which refuses rather than traps on garbage.
public struct DeviceScanner: Sendable {
    public let catalog: ProfileCatalog
    public let options: ScanOptions

    public init(catalog: ProfileCatalog, options: ScanOptions) {
        self.catalog = catalog
        self.options = options
    }

    /// The Modbus profiles, in id order.
    private var modbusProfiles: [DeviceProfile] {
        catalog.ids.compactMap { catalog[$0] }.filter { $0.transport == .modbus && $0.modbus != nil }
    }

    /// Scans `endpoint`. Never throws: an unreachable endpoint is reported in `connectError`.
    public func scan(endpoint: ModbusEndpoint) async -> ScanReport {
        var report = ScanReport(endpoint: endpoint.description)
        let connection: ModbusConnection
        do {
            connection = try ModbusConnection(
                endpoint: endpoint,
                options: ModbusConnectionOptions(
                    connectTimeoutMs: options.connectTimeoutMs, responseTimeoutMs: options.responseTimeoutMs,
                    minRequestGapMs: options.minRequestGapMs, reconnectInitialMs: 60_000, reconnectMaxMs: 60_000))
        } catch {
            report.connectError = error.description
            return report
        }
        defer { connection.close() }
        let session = ScanSession(connection: connection, options: options)
        for unit in options.units {
            if let stop = session.totalStop {
                report.stoppedBy = stop
                break
            }
            session.begin(unit: unit)
            var result = await scanUnit(session)
            result.probes = session.probes
            result.stoppedBy = session.unitStop ?? session.totalStop
            if let u = session.unreachable {
                report.connectError = u
                if !session.answeredAny { break }
            }
            report.units.append(result)
            if session.unreachable != nil { break }
        }
        if report.stoppedBy == nil { report.stoppedBy = session.totalStop }
        report.requests = session.totalRequests
        report.seconds = session.elapsedSeconds
        return report
    }

    // MARK: one unit

    private func scanUnit(_ session: ScanSession) async -> UnitScan {
        var out = UnitScan(unit: session.unit)
        let chain = await walkSunSpec(session)
        out.sunspec = chain

        var matches: [(profile: DeviceProfile, candidate: Candidate, map: SunSpecModelMap?)] = []
        for profile in modbusProfiles {
            if session.unitDone { break }
            if let m = await match(profile, chain: chain, session) { matches.append(m) }
        }
        for i in matches.indices {
            if session.unitDone { break }
            let checks = await plausibility(matches[i].profile, map: matches[i].map, session)
            matches[i].candidate.checks = checks
            matches[i].candidate.plausible = !checks.isEmpty && checks.allSatisfy(\.ok)
        }
        matches.sort { ($0.candidate.score, $1.candidate.profile) > ($1.candidate.score, $0.candidate.profile) }
        out.candidates = matches.map(\.candidate)

        let plausible = matches.filter(\.candidate.plausible)
        if !session.answeredAny {
            out.status = .silent
        } else if let best = plausible.first {
            if plausible.count > 1 && plausible[1].candidate.score == best.candidate.score {
                out.status = .ambiguous
            } else {
                out.status = .identified
                out.profile = best.profile.id
                out.ratedPowerKW = await nameplate(.ratedPowerKW, best.profile, map: best.map, session)
                if ResourceKinds.storesEnergy(best.profile.kind) {
                    out.ratedEnergyKWh = await nameplate(.ratedEnergyKWh, best.profile, map: best.map, session)
                }
            }
        } else {
            out.status = .unknown
            await survey(session)
        }
        return out
    }

    /// For a unit nothing matched: one register at the lowest address each vendor profile uses, per table (at most
    /// `maxSurveyReads`), so the report shows which vendor ranges answer — evidence for a person, not a guess.
    private func survey(_ session: ScanSession) async {
        var seen: [(RegisterTable, Int, String)] = []
        for p in modbusProfiles where p.modbus?.sunspec != true {
            for table in RegisterTable.allCases {
                let lowest = p.points.values.compactMap { $0.modbus }.filter { $0.table == table && $0.model == nil }
                    .map(\.address).min()
                if let a = lowest, !seen.contains(where: { $0.0 == table && $0.1 == a }) {
                    seen.append((table, a, p.id))
                }
            }
        }
        for (table, address, id) in seen.prefix(Self.maxSurveyReads) {
            if session.unitDone { return }
            if session.hasRead(table, address: address, count: 1) { continue }
            _ = await session.read(
                table, address: address, count: 1, purpose: "survey: lowest \(table) register of \(id)")
        }
    }

    /// Survey reads per unknown unit at most.
    static let maxSurveyReads = 24

    /// Probes the marker at each base the profiles name, then walks the chain. Nil when no marker answered.
    private func walkSunSpec(_ session: ScanSession) async -> SunSpecChain? {
        var bases: [Int] = []
        for p in modbusProfiles {
            for b in p.modbus?.sunspecBases ?? [] where !bases.contains(b) { bases.append(b) }
        }
        if bases.isEmpty { bases = ModbusSettings().sunspecBases }
        var base: Int?
        for b in bases where b + 2 <= 65536 {
            if session.unitDone { return nil }
            if case .registers(let r) = await session.read(.holding, address: b, count: 2, purpose: "SunSpec marker"),
                r == SunSpecModelMap.marker
            {
                base = b
                break
            }
        }
        guard let base else { return nil }
        var chain = SunSpecChain(base: base, models: [])
        var address = base + 2
        while true {
            guard chain.models.count < options.maxSunSpecModels else {
                chain.incomplete = "more than \(options.maxSunSpecModels) models; walk stopped"
                break
            }
            guard address + 2 <= 65536 else {
                chain.incomplete = "chain runs past register 65535 without an end marker"
                break
            }
            let outcome = await session.read(.holding, address: address, count: 2, purpose: "SunSpec model header")
            guard case .registers(let h) = outcome, h.count == 2 else {
                chain.incomplete = "model header at \(address): \(Self.describe(outcome))"
                break
            }
            if h[0] == 0xFFFF { break }
            let model = SunSpecChain.Model(id: Int(h[0]), length: Int(h[1]), address: address)
            guard address + 2 + model.length <= 65536 else {
                chain.incomplete = "model \(model.id) at \(address) with length \(model.length) runs past 65535"
                break
            }
            chain.models.append(model)
            address += 2 + model.length
        }
        return chain
    }

    /// Whether `profile` matches, with its evidence; reads the signature points it needs.
    private func match(_ profile: DeviceProfile, chain: SunSpecChain?, _ session: ScanSession) async
        -> (profile: DeviceProfile, candidate: Candidate, map: SunSpecModelMap?)?
    {
        guard let settings = profile.modbus else { return nil }
        var by: [String] = []
        var score = 0
        var map: SunSpecModelMap?
        if settings.sunspec {
            guard let chain, !settings.sunspecModels.isEmpty else { return nil }
            var found: [Int: SunSpecModel] = [:]
            for m in chain.models where found[m.id] == nil {
                found[m.id] = SunSpecModel(id: m.id, headerAddress: m.address, length: m.length)
            }
            for decl in settings.sunspecModels {
                guard let m = found[decl.id], m.length >= decl.length else { return nil }
            }
            map = SunSpecModelMap(
                base: chain.base,
                models: chain.models.map {
                    SunSpecModel(id: $0.id, headerAddress: $0.address, length: $0.length)
                })
            by.append("sunspec")
            score += settings.sunspecModels.count
        } else if profile.signature.isEmpty {
            return nil
        }
        var evidence: [ReadValue] = []
        for check in profile.signature {
            guard let spec = profile.points[check.point] else { return nil }
            let (value, _) = await read(
                spec, profile: profile, map: map, purpose: "signature \(profile.id).\(check.point)", session)
            guard check.matches(value) else { return nil }
            evidence.append(
                ReadValue(
                    point: check.point, value: value.map(Self.show), verdict: "matches \(check.expectationText)",
                    ok: true))
        }
        if !profile.signature.isEmpty {
            by.append("signature")
            score += profile.signature.count
        }
        let candidate = Candidate(
            profile: profile.id, name: ScanText.printable(profile.name, limit: 120), matchedBy: by, score: score,
            evidence: evidence, checks: [], plausible: false)
        return (profile, candidate, map)
    }

    /// Reads up to `maxCheckReads` canonical points that carry a plausible range, and judges each.
    private func plausibility(_ profile: DeviceProfile, map: SunSpecModelMap?, _ session: ScanSession) async
        -> [ReadValue]
    {
        let points = profile.points.values
            .filter {
                CanonicalPoint(rawValue: $0.name) != nil && $0.access != .write && $0.poll != .never
                    && ($0.validMin != nil || $0.validMax != nil)
            }
            .sorted { $0.name < $1.name }
            .prefix(options.maxCheckReads)
        var out: [ReadValue] = []
        for spec in points {
            if session.unitDone { break }
            let (value, problem) = await read(spec, profile: profile, map: map, purpose: "check \(spec.name)", session)
            if let problem {
                out.append(ReadValue(point: spec.name, value: nil, verdict: problem, ok: false))
                continue
            }
            guard let value else {
                // The sentinel: the device says the point is not implemented. Neither evidence nor refutation.
                continue
            }
            guard let n = value.number, n.isFinite else {
                out.append(ReadValue(point: spec.name, value: Self.show(value), verdict: "not a number", ok: false))
                continue
            }
            let lo = spec.validMin ?? -.infinity
            let hi = spec.validMax ?? .infinity
            let ok = n >= lo && n <= hi
            let range =
                "\(spec.validMin.map(SignatureCheck.number) ?? "…")…\(spec.validMax.map(SignatureCheck.number) ?? "")"
            out.append(
                ReadValue(
                    point: spec.name, value: Self.show(value),
                    verdict: ok ? "plausible (\(range))" : "outside \(range)",
                    ok: ok))
        }
        return out
    }

    /// A nameplate value (positive, finite, below 10 GW), nil when the profile lacks the point or it reads badly.
    private func nameplate(
        _ point: CanonicalPoint, _ profile: DeviceProfile, map: SunSpecModelMap?, _ session: ScanSession
    ) async -> Double? {
        guard let spec = profile.points[point.rawValue], spec.access != .write else { return nil }
        let (value, problem) = await read(spec, profile: profile, map: map, purpose: "nameplate \(point)", session)
        guard problem == nil, let n = value?.number, n.isFinite, n > 0, n < 10_000_000 else { return nil }
        return n
    }

    /// Reads and decodes one point (and its scale factor first, if it has one). Returns the value (nil for the
    /// "not implemented" sentinel) or a problem text when the read or the decode failed.
    private func read(
        _ spec: PointSpec, profile: DeviceProfile, map: SunSpecModelMap?, purpose: String, _ session: ScanSession
    ) async -> (RegisterValue?, String?) {
        let order = profile.modbus?.wordOrder ?? .big
        func resolve(_ s: PointSpec) -> ResolvedModbusPoint? {
            let start = s.modbus?.model.flatMap { map?.start(of: $0) }
            if s.modbus?.model != nil && start == nil { return nil }
            return try? ResolvedModbusPoint(s, modelStart: start, defaultWordOrder: order)
        }
        guard let p = resolve(spec) else { return (nil, "cannot place the point (model missing)") }
        var sf: Int?
        if let sfName = p.scaleFactor {
            guard let sfSpec = profile.points[sfName], let sp = resolve(sfSpec) else {
                return (nil, "scale factor \(sfName) cannot be placed")
            }
            let o = await session.read(
                sp.table, address: sp.address, count: sp.count, purpose: "scale factor \(sfName)")
            guard case .registers(let r) = o else { return (nil, "scale factor \(sfName): \(Self.describe(o))") }
            guard let v = try? RegisterCodec.decode(sp, block: r, blockStart: sp.address, scaleFactor: nil),
                let n = v.number
            else { return (nil, "scale factor \(sfName) not implemented") }
            sf = Int(exactly: n)
            if sf == nil { return (nil, "scale factor \(sfName) is not an integer") }
        }
        let o = await session.read(p.table, address: p.address, count: p.count, purpose: purpose)
        guard case .registers(let r) = o else { return (nil, Self.describe(o)) }
        do {
            return (try RegisterCodec.decode(p, block: r, blockStart: p.address, scaleFactor: sf), nil)
        } catch {
            return (nil, ScanText.printable(error.description, limit: 160))
        }
    }

    static func describe(_ o: ScanSession.Outcome) -> String {
        switch o {
        case .registers(let r): return "answered \(r.count) registers"
        case .exception(let c): return "exception \(c)"
        case .timeout: return "timeout"
        case .failure(let e): return ScanText.printable(e, limit: 160)
        case .skipped: return "not sent (scan bound reached)"
        }
    }

    static func show(_ v: RegisterValue) -> String {
        switch v {
        case .number(let n): return SignatureCheck.number(n)
        case .text(let t): return "\"" + ScanText.printable(SignatureCheck.normalized(t)) + "\""
        }
    }
}
