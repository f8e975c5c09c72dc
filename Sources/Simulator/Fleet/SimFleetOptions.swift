import Foundation

/// How a `SimulatedFleet` runs: seed, site location, transports and pacing.
public struct SimFleetOptions: Sendable, Hashable {
    /// MQTT side: broker, connections and publishing.
    public struct MQTT: Sendable, Hashable {
        public var host: String = "127.0.0.1"
        public var port: Int = 1883
        public var username: String?
        public var password: String?
        /// Broker connections shared by all MQTT devices (not one per device).
        public var connections: Int = 2
        /// Topic base of fleet-assigned addresses: `<topicPrefix>/<device id>`.
        public var topicPrefix: String = "vppsim"
        /// State publish period, simulation seconds (each device publishes at most once per tick).
        public var statePeriodS: Double = 1
        /// Shortest real time between two state messages of one device, seconds (0 = no floor). At high
        /// `--speed` the simulation period would otherwise flood the broker; phases stay spread.
        public var minRealPeriodS: Double = 0
        /// QoS of state messages; nil = the profile's `mqtt.qos`.
        public var publishQoS: Int?
        /// Client id prefix (the process id and connection index are appended).
        public var clientIDPrefix: String = "vppsim"
        public init() {}
    }

    /// Seed of every random choice (clouds, cars, noise, garbage).
    public var seed: UInt64 = 42
    /// Site location for the daylight curve.
    public var daylight: Daylight = .hangzhou
    /// Address the Modbus ports listen on.
    public var modbusHost: String = "127.0.0.1"
    /// First Modbus TCP port; devices get consecutive ports. 0 = free ports chosen by the kernel.
    public var basePort: Int = 0
    /// Modbus devices per port (1 = one device per port; more = gateway mode with unit ids 1…n).
    public var unitsPerPort: Int = 1
    /// Modbus server threads.
    public var serverThreads: Int = 2
    /// Real time between physics ticks, milliseconds (banks are rendered and MQTT states considered each tick).
    public var tickIntervalMs: Int = 100
    public var mqtt = MQTT()

    public init() {}
}
