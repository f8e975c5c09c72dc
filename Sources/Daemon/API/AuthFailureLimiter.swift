import Foundation
import Synchronization

/// Counts failed authentications per source address (README "API limits") in a fixed window: after
/// `maxFailures` failures within `window`, every request from that address that presents credentials gets 429
/// until the window that started with its first failure ends, whether the credentials are right or not, so that
/// guessing tokens from one address is slow and says nothing about a guess while blocked.
///
/// The table is capped (`maxAddresses`; expired windows are dropped first, then the oldest), so a flood from many
/// addresses cannot grow it without bound. A `maxFailures` of 0 disables the limit (failures are still counted
/// in `/metrics`).
public final class AuthFailureLimiter: Sendable {
    public struct Settings: Sendable, Hashable {
        public var maxFailures: Int
        public var window: Duration
        public init(maxFailures: Int, window: Duration) {
            self.maxFailures = maxFailures
            self.window = window
        }
    }

    struct Entry {
        var failures: Int
        var windowStart: ContinuousClock.Instant
    }

    public let settings: Settings
    let maxAddresses: Int
    private let table = Mutex<[String: Entry]>([:])

    public init(_ settings: Settings, maxAddresses: Int = 10_000) {
        self.settings = settings
        self.maxAddresses = maxAddresses
    }

    /// nil when `address` may try to authenticate; otherwise whole seconds (≥ 1) until its window ends.
    public func blocked(_ address: String, now: ContinuousClock.Instant = .now) -> Int? {
        guard settings.maxFailures > 0 else { return nil }
        return table.withLock { t -> Int? in
            guard let e = t[address] else { return nil }
            let end = e.windowStart + settings.window
            guard now < end else {
                t[address] = nil
                return nil
            }
            guard e.failures >= settings.maxFailures else { return nil }
            return RequestRateLimiter.retryAfter(RequestRateLimiter.seconds(end - now))
        }
    }

    /// Records one failed authentication from `address`.
    public func recordFailure(_ address: String, now: ContinuousClock.Instant = .now) {
        guard settings.maxFailures > 0 else { return }
        table.withLock { t in
            if var e = t[address], now < e.windowStart + settings.window {
                e.failures += 1
                t[address] = e
                return
            }
            if t[address] == nil, t.count >= maxAddresses {
                let window = settings.window
                t = t.filter { now < $0.value.windowStart + window }
                if t.count >= maxAddresses {
                    let keep = t.sorted { $0.value.windowStart > $1.value.windowStart }.prefix(maxAddresses / 2)
                    t = Dictionary(uniqueKeysWithValues: keep.map { ($0.key, $0.value) })
                }
            }
            t[address] = Entry(failures: 1, windowStart: now)
        }
    }
}
