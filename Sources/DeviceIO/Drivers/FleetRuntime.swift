import Fleet
import Foundation
import VPPCore

/// The device layer as the daemon sees it: every configured device polled (Modbus) or subscribed (MQTT) into one
/// `FleetState`, and one entry point for verified setpoint writes whatever the transport.
///
/// The dispatch loop is the only caller of `write` (DESIGN §1); the API and benchmarks read `fleet`.
public final class FleetRuntime: Sendable {
    public let fleet: FleetState
    public let catalog: ProfileCatalog
    public let modbus: ModbusPoller
    /// The MQTT client and device link, when the configuration has MQTT devices or a broker.
    public let mqttClient: MQTTClient?
    public let mqttLink: MQTTDeviceLink?

    /// - Parameters:
    ///   - mqtt: broker options; required when any device has an MQTT address.
    ///   - pollObserver: called after every Modbus poll with its outcome and duration (metrics).
    /// - Throws: `.badProfile` for a device whose profile is missing or mismatched, `.mqtt` when MQTT devices are
    ///   configured without a broker, transport set-up errors.
    public init(
        devices: [DeviceDescriptor], catalog: ProfileCatalog, fleet: FleetState,
        mqtt: MQTTClientOptions? = nil, pollObserver: ModbusPoller.Observer? = nil,
        onRejection: (@Sendable (DeviceIOError) -> Void)? = nil
    ) throws(DeviceIOError) {
        self.fleet = fleet
        self.catalog = catalog
        self.modbus = try ModbusPoller(
            devices: devices, catalog: catalog, fleet: fleet, observer: pollObserver)
        let mqttDevices = devices.filter { $0.address.transport == .mqtt }
        if let mqtt {
            let client = try MQTTClient(options: mqtt)
            self.mqttClient = client
            self.mqttLink = try MQTTDeviceLink(
                client: client, fleet: fleet, devices: mqttDevices, profiles: catalog.profiles,
                onRejection: onRejection)
        } else {
            guard mqttDevices.isEmpty else {
                throw .mqtt(
                    reason:
                        "\(mqttDevices.count) MQTT device(s) configured (first: \(mqttDevices[0].id)) but no broker"
                )
            }
            self.mqttClient = nil
            self.mqttLink = nil
        }
    }

    /// Starts MQTT and runs the Modbus poll loops until the task is cancelled, then closes every link.
    public func run() async throws(DeviceIOError) {
        if let link = mqttLink, let client = mqttClient {
            try link.start()
            try client.start()
        }
        await modbus.run()
        // With no Modbus devices the poll loops return at once: keep the MQTT side up until cancelled.
        while !Task.isCancelled {
            try? await Task.sleep(for: .seconds(3600))
        }
        shutdown()
    }

    /// Stops MQTT and closes every Modbus connection. Idempotent.
    public func shutdown() {
        mqttLink?.stop()
        mqttClient?.stop()
        modbus.shutdown()
    }

    /// Writes a canonical setpoint to one device and verifies it by read-back (DESIGN §8).
    public func write(
        _ device: DeviceID, point: CanonicalPoint, value: Double, revertTimeoutS: Int? = nil
    ) async throws(DeviceIOError) -> WriteReceipt {
        if let driver = modbus.driver(device) {
            return try await driver.write(point, value: value, revertTimeoutS: revertTimeoutS)
        }
        if let link = mqttLink, link.serves(device) {
            return try await link.write(
                device: device, point: point, value: value, revertTimeoutS: revertTimeoutS)
        }
        throw .unknownDevice(device)
    }
}
