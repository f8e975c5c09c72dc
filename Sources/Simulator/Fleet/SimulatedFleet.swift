import DeviceIO
import Foundation
import Logging
import Synchronization
import VPPCore

/// A fleet of simulated devices served on loopback: Modbus devices on TCP ports of one `ModbusServer` (few
/// threads for many ports), MQTT devices over a few shared broker connections, all driven by one tick thread
/// that integrates the physics on the simulation clock.
///
/// Lifecycle: `init` builds every device and register bank and starts serving the Modbus ports (devices answer
/// at once with their initial state); `start()` connects MQTT and starts the tick thread; `stop()` ends both and
/// closes the ports. Tests on a `ManualClock` may skip `start()`'s ticking (`startTicking: false`) and call
/// `tick()` after advancing the clock.
public final class SimulatedFleet: Sendable {
    public let options: SimFleetOptions
    public let clock: any SimulationClock
    /// Every device, in spec order.
    public let devices: [SimulatedDevice]
    let byID: [DeviceID: Int]
    let bindings: [Int: ModbusDeviceBinding]
    /// Modbus ports by device index.
    let portOf: [Int: ModbusServedPort]
    let server: ModbusServer?
    let hub: MQTTDeviceHub?
    /// Devices each meter sums, by meter index.
    let meterInputs: [Int: [Int]]
    let logger: Logger

    enum Phase { case built, running, stopped }
    struct Runtime {
        var phase = Phase.built
        var ticking = false
        var ticks = 0
        var tickSeconds = 0.0
        var maxTickSeconds = 0.0
    }
    let runtime = Mutex(Runtime())
    let stopFlag = Atomic<Bool>(false)
    let threadDone = Mutex<Bool>(false)
    /// Serializes ticks (the tick thread versus a test calling `tick()`).
    let tickLock = Mutex(())

    /// Builds the fleet and starts serving its Modbus devices.
    ///
    /// - Parameters:
    ///   - profiles: the loaded `DeviceProfiles/`.
    ///   - specs: the devices; ids must be unique and profiles loaded.
    ///   - clock: simulation time (`ScaledClock` for runs, `ManualClock` for tests).
    /// - Throws: `SimulatorError` naming the device or profile that cannot be simulated, or a port that cannot
    ///   be served.
    public init(
        profiles: ProfileCatalog, specs: [SimDeviceSpec], clock: any SimulationClock,
        options: SimFleetOptions = SimFleetOptions(), logger: Logger = Logger(label: "vppsim")
    ) throws(SimulatorError) {
        self.options = options
        self.clock = clock
        self.logger = logger
        let start = clock.now()
        var seen = Set<DeviceID>()
        var devices: [SimulatedDevice] = []
        var modbusIndex = 0
        for spec in specs {
            guard seen.insert(spec.id).inserted else { throw .duplicateDevice(spec.id) }
            guard let profile = profiles[spec.profile] else {
                throw .unknownProfile(device: spec.id, profile: spec.profile)
            }
            let address: DeviceAddress
            if let a = spec.address {
                address = a
            } else if profile.transport == .modbus {
                let upp = max(1, options.unitsPerPort)
                let port = options.basePort > 0 ? options.basePort + modbusIndex / upp : 0
                address = .modbusTCP(host: options.modbusHost, port: port, unit: modbusIndex % upp + 1)
                modbusIndex += 1
            } else {
                address = .mqtt(topicBase: "\(options.mqtt.topicPrefix)/\(spec.id.rawValue)")
            }
            let physics = PhysicsFactory.make(
                spec: spec, profile: profile, seed: options.seed, daylight: options.daylight, start: start)
            devices.append(
                SimulatedDevice(spec: spec, profile: profile, address: address, physics: physics))
        }
        var byID: [DeviceID: Int] = [:]
        for (i, d) in devices.enumerated() { byID[d.id] = i }

        // Meters sum their listed devices, or every non-meter device of their site.
        var meterInputs: [Int: [Int]] = [:]
        let metering = devices.map { SimulatorKinds.metersOthers($0.kind) }
        for (i, d) in devices.enumerated() where metering[i] {
            if let list = d.spec.meterOf {
                meterInputs[i] = list.compactMap { byID[$0] }.filter { !metering[$0] }
            } else {
                meterInputs[i] = devices.indices.filter {
                    !metering[$0] && devices[$0].spec.site == d.spec.site
                }
            }
        }

        // Modbus: a bank per device, grouped into ports (host:port, or consecutive auto-port groups).
        var bindings: [Int: ModbusDeviceBinding] = [:]
        var layouts: [String: BankLayout] = [:]
        var groups: [String: [(index: Int, unit: Int)]] = [:]
        var groupOrder: [String] = []
        var autoCount = 0
        for (i, d) in devices.enumerated() where d.profile.transport == .modbus {
            guard case .modbusTCP(let host, let port, let unit) = d.address else {
                throw .unsupportedProfile(
                    profile: d.profile.id, reason: "device \(d.id): only Modbus TCP is simulated")
            }
            let layout: BankLayout
            if let l = layouts[d.profile.id] {
                layout = l
            } else {
                layout = try BankLayout(profile: d.profile)
                layouts[d.profile.id] = layout
            }
            bindings[i] = try ModbusDeviceBinding(device: d, layout: layout, unit: unit)
            let key: String
            if port > 0 {
                key = "\(host):\(port)"
            } else {
                key = "auto-\(autoCount / max(1, options.unitsPerPort))"
                autoCount += 1
            }
            if groups[key] == nil { groupOrder.append(key) }
            if groups[key]?.contains(where: { $0.unit == unit }) == true {
                throw .transport("device \(d.id): unit \(unit) on \(key) is taken by another device")
            }
            groups[key, default: []].append((i, unit))
        }
        var portOf: [Int: ModbusServedPort] = [:]
        var server: ModbusServer?
        if !groups.isEmpty {
            let srv: ModbusServer
            do {
                srv = try ModbusServer(threads: max(1, options.serverThreads), host: options.modbusHost)
            } catch {
                throw .transport("Modbus server: \(error)")
            }
            server = srv
            for key in groupOrder {
                guard let members = groups[key], let first = members.first,
                    case .modbusTCP(_, let port, _) = devices[first.index].address
                else { continue }
                var units: [Int: ModbusRegisterBank] = [:]
                for m in members { if let b = bindings[m.index] { units[m.unit] = b.bank } }
                let served: ModbusServedPort
                do {
                    served = try srv.serve(
                        port: port, units: units, unknownUnit: members.count == 1 ? .serveAny : .gateway)
                } catch {
                    srv.shutdown()
                    throw .transport("Modbus port \(port) for device \(devices[first.index].id): \(error)")
                }
                for m in members {
                    portOf[m.index] = served
                    if port == 0 {
                        devices[m.index].setAddress(
                            .modbusTCP(host: options.modbusHost, port: served.port, unit: m.unit))
                    }
                }
            }
        }
        self.devices = devices
        self.byID = byID
        self.bindings = bindings
        self.portOf = portOf
        self.server = server
        self.meterInputs = meterInputs

        let mqttDevices = devices.filter { $0.profile.transport == .mqtt }
        if mqttDevices.isEmpty {
            hub = nil
        } else {
            do {
                hub = try MQTTDeviceHub(
                    devices: mqttDevices, options: options.mqtt, clock: clock, seed: options.seed)
            } catch {
                server?.shutdown()
                throw error
            }
        }
    }
}
