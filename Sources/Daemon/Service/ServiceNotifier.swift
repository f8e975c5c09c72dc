import Foundation

/// How the daemon tells its supervisor about its state (`READY=1`, `STATUS=…`, `RELOADING=1`, `STOPPING=1`,
/// `WATCHDOG=1`): a thin adapter over the `Daemon/Systemd` wrapper so that the service code does not depend on
/// how the message is sent, and tests can capture the messages.
public struct ServiceNotifier: Sendable {
    /// Sends one notification (newline-separated `KEY=VALUE` assignments).
    public let send: @Sendable (String) -> Void
    /// The watchdog interval systemd expects kicks within, nil when the watchdog is off.
    public let watchdogInterval: Duration?

    public init(watchdogInterval: Duration? = nil, send: @escaping @Sendable (String) -> Void) {
        self.send = send
        self.watchdogInterval = watchdogInterval
    }

    /// A notifier that sends nothing (no supervisor).
    public static let none = ServiceNotifier(send: { _ in })

    public func notify(_ state: String) { send(state) }

    /// `WATCHDOG=1` when the watchdog is on.
    public func kickWatchdog() {
        if watchdogInterval != nil { send("WATCHDOG=1") }
    }

    /// The notifier for this process: systemd's `NOTIFY_SOCKET` when set, else `none`.
    public static func fromEnvironment() -> ServiceNotifier {
        let systemd = SystemdNotifier()
        guard systemd.isEnabled else { return .none }
        return ServiceNotifier(watchdogInterval: systemd.watchdogTimeout) { message in
            systemd.send(message.split(separator: "\n").map { String($0) })
        }
    }
}
