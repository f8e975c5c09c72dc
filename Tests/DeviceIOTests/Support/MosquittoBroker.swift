import DeviceIO
import Foundation

/// Runs `body` with a private mosquitto broker on a free loopback port (see `DeviceIO.MosquittoProcess`) and
/// always stops it afterwards (SIGTERM, then SIGKILL; temporary directory removed). Copy or call from any suite:
///
///     try await withMosquitto { broker in ... broker.port ... }
///     try await withMosquitto(users: ["vpp": "secret"]) { broker in ... }
func withMosquitto<T>(
    users: [String: String] = [:], extraConfig: [String] = [],
    _ body: (MosquittoProcess) async throws -> T
) async throws -> T {
    let broker = try MosquittoProcess(.init(users: users, extraConfig: extraConfig))
    defer { broker.stop() }
    return try await body(broker)
}

/// A unique MQTT client id / topic prefix per test, so parallel tests on one broker never collide.
func uniqueName(_ prefix: String) -> String { "\(prefix)-\(UUID().uuidString.prefix(8))" }

/// Polls `condition` every 5 ms until it holds or `timeout` passes. Returns whether it held.
func eventually(timeout: Duration = .seconds(3), _ condition: () -> Bool) async -> Bool {
    let clock = ContinuousClock()
    let deadline = clock.now.advanced(by: timeout)
    while clock.now < deadline {
        if condition() { return true }
        try? await Task.sleep(for: .milliseconds(5))
    }
    return condition()
}
