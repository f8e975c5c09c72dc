import DeviceIO
import Logging
import ServiceLifecycle

/// Runs the device layer (DeviceIO's `FleetRuntime`: Modbus polling, MQTT ingest) inside the service group,
/// and swaps it for a new one when a reload changes the devices. On graceful shutdown the runtime is cancelled,
/// which closes every Modbus connection and the MQTT client.
final class RuntimeService: Service, Sendable {
    private let initial: FleetRuntime?
    private let stream: AsyncStream<FleetRuntime?>
    private let continuation: AsyncStream<FleetRuntime?>.Continuation
    let logger: Logger

    init(runtime: FleetRuntime?, logger: Logger) {
        self.initial = runtime
        self.logger = logger
        (stream, continuation) = AsyncStream.makeStream(
            of: FleetRuntime?.self, bufferingPolicy: .bufferingNewest(1))
    }

    /// Stops the running runtime and starts `runtime` (nil: run none).
    func replace(with runtime: FleetRuntime?) { continuation.yield(runtime) }

    func run() async throws {
        var runner = start(initial)
        for await next in stream.cancelOnGracefulShutdown() {
            runner.cancel()
            await runner.value
            runner = start(next)
        }
        runner.cancel()
        await runner.value
    }

    private func start(_ runtime: FleetRuntime?) -> Task<Void, Never> {
        let logger = self.logger
        return Task {
            guard let runtime else { return }
            do {
                try await runtime.run()
            } catch {
                logger.error("device runtime stopped", metadata: ["error": "\(error)"])
                runtime.shutdown()
            }
        }
    }
}
