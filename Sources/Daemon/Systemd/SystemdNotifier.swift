import CSystemd
import Foundation

/// Talks to systemd through `sd_notify(3)` (libsystemd), for a `Type=notify` service (DESIGN §7). This is
/// the only code in vppd that calls libsystemd.
///
/// Every call is a cheap no-op when `NOTIFY_SOCKET` is not set (vppd started by hand or in tests), so the
/// daemon calls it unconditionally. The watchdog must be kicked by the control loop itself (DESIGN §10), at
/// `watchdogKickInterval`, so a stuck loop gets the service restarted.
///
/// Sendable: it holds only immutable values; libsystemd's `sd_notify` opens a fresh datagram socket per call
/// and is safe to call from any thread.
public struct SystemdNotifier: Sendable {
    /// Whether a notification socket was present in the environment when this value was made.
    public let isEnabled: Bool
    /// The watchdog timeout systemd expects (`WatchdogSec=`), nil when the watchdog is off for this process.
    public let watchdogTimeout: Duration?

    /// Reads `NOTIFY_SOCKET`, `WATCHDOG_USEC` and `WATCHDOG_PID` from the process environment (the environment
    /// is not modified, so child processes still see them).
    public init() {
        isEnabled = getenv("NOTIFY_SOCKET") != nil
        var usec: UInt64 = 0
        // > 0: enabled for this pid; 0: disabled; < 0: malformed variables (treated as disabled).
        if sd_watchdog_enabled(0, &usec) > 0, usec > 0 {
            watchdogTimeout = .microseconds(Int64(clamping: usec))
        } else {
            watchdogTimeout = nil
        }
    }

    /// How often to send `WATCHDOG=1`: half the timeout, as sd_watchdog_enabled(3) recommends.
    public var watchdogKickInterval: Duration? { watchdogTimeout.map { $0 / 2 } }

    /// `READY=1` with an optional status line: startup is complete.
    @discardableResult
    public func ready(status: String? = nil) -> Bool {
        send(["READY=1"] + (status.map { ["STATUS=\(Self.clean($0))"] } ?? []))
    }

    /// `STATUS=…`: a one-line human status shown by `systemctl status`.
    @discardableResult
    public func status(_ text: String) -> Bool { send(["STATUS=\(Self.clean(text))"]) }

    /// `WATCHDOG=1`: the control path is alive.
    @discardableResult
    public func watchdog() -> Bool { send(["WATCHDOG=1"]) }

    /// `RELOADING=1` plus `MONOTONIC_USEC` (required by `Type=notify-reload`, harmless otherwise); follow with
    /// `ready()` when the reload is done, successful or not.
    @discardableResult
    public func reloading() -> Bool {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        let usec = UInt64(ts.tv_sec) * 1_000_000 + UInt64(ts.tv_nsec) / 1000
        return send(["RELOADING=1", "MONOTONIC_USEC=\(usec)"])
    }

    /// `STOPPING=1`: graceful shutdown has begun.
    @discardableResult
    public func stopping(status: String? = nil) -> Bool {
        send(["STOPPING=1"] + (status.map { ["STATUS=\(Self.clean($0))"] } ?? []))
    }

    /// Sends the assignments (one per line). Returns true when a message was delivered to systemd, false when
    /// notifications are off or sending failed (never fatal: the service keeps running).
    @discardableResult
    public func send(_ assignments: [String]) -> Bool {
        guard isEnabled else { return false }
        let message = assignments.joined(separator: "\n")
        return message.withCString { sd_notify(0, $0) } > 0
    }

    /// A status value must stay on one line: a newline would start a new assignment.
    static func clean(_ text: String) -> String {
        String(text.map { $0.isNewline ? " " : $0 }.prefix(1024))
    }
}
