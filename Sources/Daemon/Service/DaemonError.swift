import DeviceIO
import Store

/// Why the daemon cannot start (or a reload was refused). Each case carries the underlying typed error, whose
/// description names the file, key path, line or device.
public enum DaemonError: Error, CustomStringConvertible, Sendable {
    case config(ConfigError)
    case profiles(DeviceIOError)
    case tokens(AuthError)
    case store(StoreError)
    /// The device layer could not be set up (transport, MQTT broker options).
    case runtime(DeviceIOError)
    /// The API could not listen on its address.
    case listen(address: String, reason: String)
    /// Command-line usage error.
    case usage(String)

    public var description: String {
        switch self {
        case .config(let e): return "configuration error: \(e)"
        case .profiles(let e): return "device profile error: \(e)"
        case .tokens(let e): return "token error: \(e)"
        case .store(let e): return "store error: \(e)"
        case .runtime(let e): return "device layer error: \(e)"
        case .listen(let address, let reason): return "cannot listen on \(address): \(reason)"
        case .usage(let text): return text
        }
    }

    /// Process exit code: 2 for a bad configuration, profile, token file or usage (fix the input), 1 otherwise.
    public var exitCode: Int32 {
        switch self {
        case .config, .profiles, .tokens, .usage: return 2
        case .store, .listen, .runtime: return 1
        }
    }
}
