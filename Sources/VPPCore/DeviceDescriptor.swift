import Foundation

/// How to reach one device: the part of the daemon configuration that DeviceIO needs.
public enum DeviceAddress: Hashable, Sendable, Codable, CustomStringConvertible {
    /// Modbus TCP: host, port and unit id. Devices with the same host and port share one connection (gateways).
    case modbusTCP(host: String, port: Int, unit: Int)
    /// Modbus RTU on a serial bus: device path, baud rate, parity ("N", "E", "O"), unit id.
    case modbusRTU(device: String, baud: Int, parity: String, unit: Int)
    /// MQTT: the topic base that the profile's topic templates expand `{base}` with.
    case mqtt(topicBase: String)

    public var description: String {
        switch self {
        case .modbusTCP(let h, let p, let u): return "modbus-tcp://\(h):\(p)/\(u)"
        case .modbusRTU(let d, let b, let par, let u): return "modbus-rtu://\(d)?baud=\(b)&parity=\(par)/\(u)"
        case .mqtt(let base): return "mqtt://\(base)"
        }
    }

    public var transport: TransportKind {
        switch self {
        case .modbusTCP, .modbusRTU: return .modbus
        case .mqtt: return .mqtt
        }
    }
}

/// One configured device: identity, where it sits in the aggregation hierarchy (device → site → VPP),
/// who owns it (for settlement to each owner), which profile describes it and how to reach it.
public struct DeviceDescriptor: Hashable, Sendable, Codable {
    public var id: DeviceID
    /// Profile id: the file name without extension under `DeviceProfiles/`.
    public var profile: String
    public var kind: DeviceKind
    public var site: SiteID
    public var owner: OwnerID
    /// Rated active power in kW as installed (may be below the nameplate; never exceeded).
    public var ratedPowerKW: Double
    /// Usable energy capacity in kWh for storage and V2G (nil for PV and meters).
    public var ratedEnergyKWh: Double?
    public var address: DeviceAddress
    /// Installer limit on export in kW, if any. vppd never commands above it (DESIGN §10).
    public var installerLimitKW: Double?

    public init(
        id: DeviceID, profile: String, kind: DeviceKind, site: SiteID, owner: OwnerID, ratedPowerKW: Double,
        ratedEnergyKWh: Double? = nil, address: DeviceAddress, installerLimitKW: Double? = nil
    ) {
        self.id = id
        self.profile = profile
        self.kind = kind
        self.site = site
        self.owner = owner
        self.ratedPowerKW = ratedPowerKW
        self.ratedEnergyKWh = ratedEnergyKWh
        self.address = address
        self.installerLimitKW = installerLimitKW
    }
}
