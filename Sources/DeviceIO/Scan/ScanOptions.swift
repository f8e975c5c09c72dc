import Foundation
import VPPCore

/// The bounds of one scan (README "vppctl scan"): a scan talks to an unknown device on a live bus, so it must
/// end on its own whatever the device does — answer slowly, answer garbage or not at all.
public struct ScanOptions: Sendable, Hashable {
    /// Unit ids to try, in order (1…247; 0 is the TCP "any unit" id some gateways answer on).
    public var units: [Int]
    /// Time to wait for one reply, ms.
    public var responseTimeoutMs: Int
    /// TCP connect timeout, ms.
    public var connectTimeoutMs: Int
    /// Pause between two requests, ms (RS-485 buses and loggers that drop back-to-back requests).
    public var minRequestGapMs: Int
    /// Time spent on one unit at most, ms; a request is only started before this deadline, so a unit may run
    /// over by one response timeout.
    public var unitTimeoutMs: Int
    /// Time spent on the whole scan at most, ms (same rule).
    public var totalTimeoutMs: Int
    /// Requests sent to one unit at most.
    public var maxRequestsPerUnit: Int
    /// Requests sent in the whole scan at most.
    public var maxRequests: Int
    /// A unit whose first this-many requests all time out is reported silent and skipped. Three by default: some
    /// devices do not answer registers they lack (no exception), so the SunSpec probes alone may time out on a
    /// live device; the next request is already one of its identification registers.
    public var silentAfterTimeouts: Int
    /// SunSpec models walked at most (a chain that never ends is hostile).
    public var maxSunSpecModels: Int
    /// Plausibility reads per candidate profile at most.
    public var maxCheckReads: Int

    public init(
        units: [Int] = [1], responseTimeoutMs: Int = 1000, connectTimeoutMs: Int = 2000, minRequestGapMs: Int = 0,
        unitTimeoutMs: Int = 15_000, totalTimeoutMs: Int = 120_000, maxRequestsPerUnit: Int = 64,
        maxRequests: Int = 1024, silentAfterTimeouts: Int = 3, maxSunSpecModels: Int = 40, maxCheckReads: Int = 6
    ) {
        self.units = units
        self.responseTimeoutMs = responseTimeoutMs
        self.connectTimeoutMs = connectTimeoutMs
        self.minRequestGapMs = minRequestGapMs
        self.unitTimeoutMs = unitTimeoutMs
        self.totalTimeoutMs = totalTimeoutMs
        self.maxRequestsPerUnit = maxRequestsPerUnit
        self.maxRequests = maxRequests
        self.silentAfterTimeouts = silentAfterTimeouts
        self.maxSunSpecModels = maxSunSpecModels
        self.maxCheckReads = maxCheckReads
    }

    /// Parses a unit list: `7`, `1-32` or `1,3,10-12` (each 0…247, at most 248 units, no repeats).
    public static func parseUnits(_ text: String) -> Result<[Int], ScanUsageError> {
        var out: [Int] = []
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            let bounds = part.split(separator: "-", omittingEmptySubsequences: false)
            guard (1...2).contains(bounds.count),
                let lo = Int(bounds[0].trimmingCharacters(in: .whitespaces)),
                let hi = Int(bounds[bounds.count - 1].trimmingCharacters(in: .whitespaces)),
                (0...247).contains(lo), (0...247).contains(hi), lo <= hi
            else {
                return .failure(
                    ScanUsageError(
                        "unit list '\(BoundedText.bounded(text, limit: 64))': expected N, N-M or a comma list, each 0…247, low before high"
                    ))
            }
            for u in lo...hi {
                if out.contains(u) {
                    return .failure(
                        ScanUsageError("unit list '\(BoundedText.bounded(text, limit: 64))' repeats unit \(u)"))
                }
                out.append(u)
            }
        }
        return .success(out)
    }

    /// Checks every bound is usable (positive, not absurd), naming the first one that is not.
    public func validate() -> ScanUsageError? {
        if units.isEmpty { return ScanUsageError("no unit ids to scan") }
        if let u = units.first(where: { !(0...247).contains($0) }) {
            return ScanUsageError("unit \(u) is outside 0…247")
        }
        let bounds: [(String, Int, ClosedRange<Int>)] = [
            ("response timeout", responseTimeoutMs, 10...60_000), ("connect timeout", connectTimeoutMs, 10...60_000),
            ("request gap", minRequestGapMs, 0...10_000), ("unit timeout", unitTimeoutMs, 100...3_600_000),
            ("total timeout", totalTimeoutMs, 100...86_400_000), ("requests per unit", maxRequestsPerUnit, 1...10_000),
            ("requests", maxRequests, 1...1_000_000), ("silent-after timeouts", silentAfterTimeouts, 1...100),
        ]
        for (name, v, range) in bounds where !range.contains(v) {
            return ScanUsageError("\(name) \(v) is outside \(range.lowerBound)…\(range.upperBound)")
        }
        return nil
    }
}

/// A scan that cannot start: bad unit list, bad bound, bad endpoint. The message says what to change.
public struct ScanUsageError: Error, Sendable, Hashable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
