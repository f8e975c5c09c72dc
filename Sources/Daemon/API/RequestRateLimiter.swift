import Foundation
import Synchronization

/// Per-key token buckets (README "API limits"): each key (a token's name) may make `burst` requests at once and
/// `perSecond` a second on average; beyond that a request is refused with 429 and the seconds until one token is
/// back (`Retry-After`).
///
/// Keys are token names from the token file, so the table is bounded by the number of configured tokens; it is
/// still capped (`maxKeys`, least recently used buckets are dropped first) so that no input can grow it without
/// bound. A `perSecond` of 0 disables the limit.
public final class RequestRateLimiter: Sendable {
    public struct Settings: Sendable, Hashable {
        /// Sustained requests per second per key; 0 = unlimited.
        public var perSecond: Double
        /// Requests a key may make at once after being idle.
        public var burst: Double
        public init(perSecond: Double, burst: Double) {
            self.perSecond = perSecond
            self.burst = max(burst, 1)
        }
    }

    struct Bucket {
        var tokens: Double
        var updated: ContinuousClock.Instant
    }

    public let settings: Settings
    let maxKeys: Int
    private let buckets = Mutex<[String: Bucket]>([:])

    public init(_ settings: Settings, maxKeys: Int = 10_000) {
        self.settings = settings
        self.maxKeys = maxKeys
    }

    /// nil when `key` may go ahead (one token is taken); otherwise the whole seconds (≥ 1) until it may retry.
    public func acquire(_ key: String, now: ContinuousClock.Instant = .now) -> Int? {
        guard settings.perSecond > 0 else { return nil }
        return buckets.withLock { table -> Int? in
            var bucket = table[key] ?? Bucket(tokens: settings.burst, updated: now)
            let elapsed = Self.seconds(now - bucket.updated)
            bucket.tokens = min(settings.burst, bucket.tokens + max(elapsed, 0) * settings.perSecond)
            bucket.updated = now
            defer {
                if table[key] == nil, table.count >= maxKeys { Self.dropOldest(&table, keep: maxKeys / 2) }
                table[key] = bucket
            }
            if bucket.tokens >= 1 {
                bucket.tokens -= 1
                return nil
            }
            let wait = (1 - bucket.tokens) / settings.perSecond
            return Self.retryAfter(wait)
        }
    }

    static func seconds(_ d: Duration) -> Double {
        let (s, atto) = d.components
        return Double(s) + Double(atto) / 1e18
    }

    /// Whole seconds for `Retry-After`, at least 1 and at most an hour (no overflow whatever the settings).
    public static func retryAfter(_ seconds: Double) -> Int {
        guard seconds.isFinite else { return 3600 }
        return Int(min(max(seconds.rounded(.up), 1), 3600))
    }

    static func dropOldest(_ table: inout [String: Bucket], keep: Int) {
        let sorted = table.sorted { $0.value.updated > $1.value.updated }
        table = Dictionary(uniqueKeysWithValues: sorted.prefix(keep).map { ($0.key, $0.value) })
    }
}
