import Foundation

/// The bounded request channel of one scan: every read goes through `read`, which enforces the per-unit and total
/// request and time budgets, records each request as a `Probe` ("what answered where"), caches answers (several
/// profiles share identification registers) and detects silent units and an unreachable endpoint. Used by one
/// task at a time (`DeviceScanner.scan`), hence no locking.
final class ScanSession {
    /// What a read came back with.
    enum Outcome: Hashable {
        case registers([UInt16])
        case exception(ModbusExceptionCode)
        case timeout
        case failure(String)
        /// Not sent: a bound was reached, the unit is silent or the endpoint unreachable.
        case skipped
    }

    private struct Key: Hashable {
        var table: RegisterTable
        var address: Int
        var count: Int
    }

    let connection: ModbusConnection
    let options: ScanOptions
    private let clock = ContinuousClock()
    private let started: ContinuousClock.Instant
    private(set) var totalRequests = 0
    /// Why the whole scan stopped early (total bound), nil while it may go on.
    private(set) var totalStop: String?
    /// Set when the endpoint cannot be reached (connect failed): nothing more is sent.
    private(set) var unreachable: String?

    // Current unit.
    private(set) var unit = 1
    private var unitStarted: ContinuousClock.Instant
    private var unitRequests = 0
    private(set) var answeredAny = false
    private var timeouts = 0
    private(set) var probes: [Probe] = []
    private(set) var unitStop: String?
    private var cache: [Key: Outcome] = [:]

    init(connection: ModbusConnection, options: ScanOptions) {
        self.connection = connection
        self.options = options
        started = clock.now
        unitStarted = started
    }

    /// Whether this range was already read on the current unit.
    func hasRead(_ table: RegisterTable, address: Int, count: Int) -> Bool {
        cache[Key(table: table, address: address, count: count)] != nil
    }

    /// Starts the next unit: fresh per-unit budget, probes and cache.
    func begin(unit: Int) {
        self.unit = unit
        unitStarted = clock.now
        unitRequests = 0
        answeredAny = false
        timeouts = 0
        probes = []
        unitStop = nil
        cache = [:]
    }

    /// True once the current unit may receive no more requests (silent, bound reached, endpoint gone).
    var unitDone: Bool { unitStop != nil || totalStop != nil || unreachable != nil }

    /// Seconds since the scan started.
    var elapsedSeconds: Double {
        let d = clock.now - started
        return Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
    }

    private func ms(_ d: Duration) -> Int {
        Int(d.components.seconds) * 1000 + Int(d.components.attoseconds / 1_000_000_000_000_000)
    }

    /// Reads `count` registers (1…125) of the current unit, within the bounds. Never throws: every outcome is a
    /// value, and the probe is recorded.
    func read(_ table: RegisterTable, address: Int, count: Int, purpose: String) async -> Outcome {
        guard count >= 1, count <= 125, address >= 0, address + count <= 65536 else {
            return .failure("request outside 0…65535 or longer than 125 registers")
        }
        let key = Key(table: table, address: address, count: count)
        if let hit = cache[key] { return hit }
        if !checkBounds() { return .skipped }

        let t0 = clock.now
        unitRequests += 1
        totalRequests += 1
        let result = await connection.perform([.read(unit: unit, table: table, address: address, count: count)])
        let took = ms(clock.now - t0)
        let outcome: Outcome
        var detail: String?
        switch result.first ?? .failure(.notConnected(endpoint: connection.endpoint.description)) {
        case .success(let regs):
            outcome =
                regs.count == count ? .registers(regs) : .failure("reply of \(regs.count) registers, asked \(count)")
            if regs.count != count { detail = "short reply: \(regs.count) of \(count) registers" }
        case .failure(let e):
            switch e {
            case .modbusException(_, _, _, let code):
                outcome = .exception(code)
                detail = code.description
            case .timeout:
                outcome = .timeout
                detail = "no reply within \(options.responseTimeoutMs) ms"
            case .connectFailed, .notConnected:
                outcome = .failure(e.description)
                detail = e.description
                unreachable = e.description
            default:
                outcome = .failure(e.description)
                detail = e.description
            }
        }
        switch outcome {
        case .timeout: timeouts += 1
        // A gateway answering "path unavailable" / "target failed to respond" speaks for an absent unit.
        case .exception(.gatewayPathUnavailable), .exception(.gatewayTargetFailedToRespond): timeouts += 1
        case .registers, .exception: answeredAny = true
        case .failure, .skipped: break
        }
        if !answeredAny && timeouts >= options.silentAfterTimeouts {
            unitStop = "silent: the first \(timeouts) requests timed out or the gateway reported the unit absent"
        }
        let name: String
        switch outcome {
        case .registers: name = "answered"
        case .exception: name = "exception"
        case .timeout: name = "timeout"
        case .failure, .skipped: name = "error"
        }
        probes.append(
            Probe(
                table: table.rawValue, address: address, count: count, purpose: purpose, outcome: name,
                detail: detail.map { ScanText.printable($0, limit: 160) }, ms: took,
                registers: {
                    if case .registers(let r) = outcome { return r.prefix(8).map(Int.init) } else { return nil }
                }()))
        cache[key] = outcome
        return outcome
    }

    /// Whether one more request may be sent; records why not otherwise.
    private func checkBounds() -> Bool {
        if unreachable != nil || unitStop != nil || totalStop != nil { return false }
        let now = clock.now
        if totalRequests >= options.maxRequests {
            totalStop = "request limit of the scan (\(options.maxRequests)) reached"
        } else if now - started >= .milliseconds(options.totalTimeoutMs) {
            totalStop = "time limit of the scan (\(options.totalTimeoutMs) ms) reached"
        } else if unitRequests >= options.maxRequestsPerUnit {
            unitStop = "request limit per unit (\(options.maxRequestsPerUnit)) reached"
        } else if now - unitStarted >= .milliseconds(options.unitTimeoutMs) {
            unitStop = "time limit per unit (\(options.unitTimeoutMs) ms) reached"
        }
        return totalStop == nil && unitStop == nil
    }
}
