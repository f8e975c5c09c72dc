import DeviceIO
import Foundation
import Simulator

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

/// Runs `body` with a fresh temporary directory that is removed afterwards.
func withTemporaryDirectory<T>(_ body: (URL) async throws -> T) async throws -> T {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent(uniqueName("vpptest"))
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    return try await body(dir)
}

/// Runs a command line tool to completion (stdout/stderr discarded); throws on a non-zero exit.
func runTool(_ executable: String, _ arguments: [String]) throws {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: executable)
    p.arguments = arguments
    p.standardOutput = FileHandle.nullDevice
    p.standardError = FileHandle.nullDevice
    try p.run()
    p.waitUntilExit()
    struct ToolFailed: Error, CustomStringConvertible {
        var description: String
    }
    guard p.terminationStatus == 0 else {
        throw ToolFailed(description: "\(executable) exited with \(p.terminationStatus)")
    }
}
