/// The single chain of limits of DESIGN §10 for one device: every setpoint vppd writes is the result of
/// resolving this chain.
///
/// Limits are applied stage by stage in priority order (`LimitStage`: safety → command → grid → market) and,
/// within a stage, in the order they were added. Each limit narrows the range left by everything before it and
/// can never widen it: a lower bound above the current upper bound is cut back to that upper bound (and the
/// reverse), and the cut is recorded as a `LimitClamp` naming the limit that won and by how many kW. That record
/// is what an operator reply "accepted with clamping" quotes.
///
/// Within the safety stage all limits are hard; if two of them disagree (a V2G car that must charge faster than
/// its charger allows), the one added first wins and the conflict is recorded, so a caller adds the physical
/// device limits before the derived ones (SOC, departure). `SafetyLimits` does that.
public struct LimitChain: Sendable, Hashable {
    /// The limits, in the order they were added.
    public private(set) var limits: [Limit]

    public init(_ limits: [Limit] = []) { self.limits = limits }

    /// Adds one limit (its stage comes from its source).
    public mutating func add(_ limit: Limit) { limits.append(limit) }

    /// Adds several limits.
    public mutating func add(contentsOf more: some Sequence<Limit>) {
        limits.append(contentsOf: more)
    }

    /// Applies the limits in priority order and returns the allowed range with the record of who bound it.
    public func resolve() -> LimitResolution {
        var lo = -Double.infinity
        var hi = Double.infinity
        var loSource: LimitSource?
        var hiSource: LimitSource?
        var clamps: [LimitClamp] = []
        // Stable order: by stage, then by insertion.
        let ordered = limits.enumerated().sorted { a, b in
            a.element.stage != b.element.stage ? a.element.stage < b.element.stage : a.offset < b.offset
        }.map(\.element)
        for limit in ordered {
            if let l = limit.lowerKW, !l.isNaN {
                if l > hi {
                    clamps.append(
                        LimitClamp(limit: limit, side: .lower, requestedKW: l, grantedKW: hi, boundBy: hiSource)
                    )
                    lo = hi
                    loSource = hiSource
                } else if l > lo {
                    lo = l
                    loSource = limit.source
                }
            }
            if let u = limit.upperKW, !u.isNaN {
                if u < lo {
                    clamps.append(
                        LimitClamp(limit: limit, side: .upper, requestedKW: u, grantedKW: lo, boundBy: loSource)
                    )
                    hi = lo
                    hiSource = loSource
                } else if u < hi {
                    hi = u
                    hiSource = limit.source
                }
            }
        }
        return LimitResolution(
            range: PowerRange(lowerKW: lo, upperKW: hi), lowerBoundBy: loSource, upperBoundBy: hiSource,
            clamps: clamps)
    }
}

/// One limit that asked for more than the stages before it allowed, and what it got.
public struct LimitClamp: Hashable, Sendable, CustomStringConvertible {
    /// Which side of the limit was cut.
    public enum Side: String, Hashable, Sendable { case lower, upper }

    /// The limit as requested.
    public var limit: Limit
    public var side: Side
    /// The bound it asked for, kW.
    public var requestedKW: Double
    /// The bound it got, kW.
    public var grantedKW: Double
    /// The earlier limit that stopped it (nil only if the chain was empty before, which cannot clamp).
    public var boundBy: LimitSource?

    /// How far the request was cut, kW ≥ 0.
    public var byKW: Double { abs(requestedKW - grantedKW) }

    public var description: String {
        let by = boundBy.map { "\($0) (\($0.stage))" } ?? "an earlier limit"
        return
            "\(limit.source) asked for \(side) \(requestedKW) kW, got \(grantedKW) kW: bound by \(by), "
            + "clamped by \(byKW) kW"
    }
}

/// The outcome of a `LimitChain`: the allowed range, which limit set each side, and every clamping.
public struct LimitResolution: Hashable, Sendable {
    /// Allowed active power, kW.
    public var range: PowerRange
    /// The limit that set the lower / upper side (nil: unbounded on that side).
    public var lowerBoundBy: LimitSource?
    public var upperBoundBy: LimitSource?
    /// Limits cut back by earlier ones, in the order they were applied.
    public var clamps: [LimitClamp]

    /// True when some limit asked for more than the earlier stages allowed.
    public var isClamped: Bool { !clamps.isEmpty }

    /// The stage that bound the device: the latest stage that set a side of the range, nil when unbounded.
    public var bindingStage: LimitStage? {
        [lowerBoundBy?.stage, upperBoundBy?.stage].compactMap { $0 }.max()
    }

    /// `kW` brought into the range, with the limit that moved it (nil: unchanged).
    public func apply(_ kW: Double) -> (kW: Double, boundBy: LimitSource?) {
        if kW < range.lowerKW { return (range.lowerKW, lowerBoundBy) }
        if kW > range.upperKW { return (range.upperKW, upperBoundBy) }
        return (kW, nil)
    }
}
