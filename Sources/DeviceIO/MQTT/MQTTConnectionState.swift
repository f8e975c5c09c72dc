/// Connection state of an `MQTTClient`, as seen from the client's side.
public enum MQTTConnectionState: Sendable, Hashable, CustomStringConvertible {
    /// Started, no CONNACK yet (first connect or reconnect in progress).
    case connecting
    /// The broker accepted the connection. Subscriptions are re-sent on every transition into this state.
    case connected
    /// Not connected; `reason` says why (refused by the broker, socket closed, stopped). Unless the client was
    /// stopped, libmosquitto is retrying with back-off.
    case disconnected(reason: String)
    /// `stop()` was called; the network thread has exited.
    case stopped

    public var description: String {
        switch self {
        case .connecting: return "connecting"
        case .connected: return "connected"
        case .disconnected(let reason): return "disconnected (\(reason))"
        case .stopped: return "stopped"
        }
    }

    public var isConnected: Bool { self == .connected }
}
