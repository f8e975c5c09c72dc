import Fleet
import VPPCore

/// A device model described by a YAML file in `DeviceProfiles/` (DESIGN §4). Adding a device model means
/// writing such a file, never Swift. `ProfileLoader` builds and validates these values.
public struct DeviceProfile: Sendable, Hashable {
    /// The file name without extension, e.g. `sunspec-pv-3ph`. Referenced by the daemon configuration.
    public var id: String
    /// Human-readable model name.
    public var name: String
    public var kind: DeviceKind
    public var transport: TransportKind
    /// Where the register map or message format comes from (standard, vendor document and version).
    public var source: String
    /// The second public source the map was checked against and the differences found (vendor profiles).
    public var crossCheck: String?
    public var capabilities: Set<Capability>
    /// Present when `transport == .modbus`.
    public var modbus: ModbusSettings?
    /// Present when `transport == .mqtt`.
    public var mqtt: MQTTSettings?
    /// Every point by name: canonical names (`CanonicalPoint.rawValue`) carry telemetry upwards;
    /// other names are auxiliary (scale factors, enable bits, revert timers) used by the codec and controls.
    public var points: [String: PointSpec]
    /// Setpoints the device accepts, keyed by the canonical point they set.
    public var controls: [CanonicalPoint: ControlSpec]
    public var timing: DeviceTiming
    /// How the model identifies itself (`DeviceScanner`); empty when the profile declares no `signature`.
    public var signature: [SignatureCheck] = []

    public init(
        id: String, name: String, kind: DeviceKind, transport: TransportKind, source: String,
        capabilities: Set<Capability>, modbus: ModbusSettings? = nil, mqtt: MQTTSettings? = nil,
        points: [String: PointSpec], controls: [CanonicalPoint: ControlSpec], timing: DeviceTiming = DeviceTiming()
    ) {
        self.id = id
        self.name = name
        self.kind = kind
        self.transport = transport
        self.source = source
        self.capabilities = capabilities
        self.modbus = modbus
        self.mqtt = mqtt
        self.points = points
        self.controls = controls
        self.timing = timing
    }

    /// The canonical telemetry points this profile provides.
    public var canonicalPoints: [CanonicalPoint: PointSpec] {
        var out: [CanonicalPoint: PointSpec] = [:]
        for (name, spec) in points { if let c = CanonicalPoint(rawValue: name) { out[c] = spec } }
        return out
    }
}

/// Modbus word order for 32-bit values: `big` = high word first (SunSpec, most devices).
public enum WordOrder: String, Sendable, Hashable, Codable, CaseIterable {
    case big
    case little
}

/// Modbus transport settings of a profile.
public struct ModbusSettings: Sendable, Hashable {
    /// SunSpec device: points with a `model` are addressed relative to the discovered model block.
    public var sunspec: Bool = false
    /// Candidate SunSpec base addresses probed for the `SunS` marker, in order (DOMAIN §8).
    public var sunspecBases: [Int] = [40000, 0, 50000]
    public var wordOrder: WordOrder = .big
    /// Largest block read, registers (protocol maximum 125).
    public var maxBlockRegisters: Int = 125
    /// Largest gap of unused registers bridged when coalescing two points into one block read.
    public var maxGapRegisters: Int = 16
    /// Minimum gap between two requests on the bus, milliseconds (RS485 spacing).
    public var minRequestGapMs: Int = 0
    /// Response timeout, milliseconds.
    public var responseTimeoutMs: Int = 1000
    /// SunSpec models the device must expose, in chain order, with their block lengths L. Discovery checks the
    /// device's chain contains them; `vppsim` builds its chain from them.
    public var sunspecModels: [SunSpecModelDecl] = []
    public init() {}
}

/// A SunSpec model as declared by a profile: its id and block length L (registers after ID and L).
public struct SunSpecModelDecl: Sendable, Hashable {
    public var id: Int
    public var length: Int
    public init(id: Int, length: Int) {
        self.id = id
        self.length = length
    }
}

/// MQTT transport settings of a profile. Topic templates expand `{base}` with the device's topic base.
public struct MQTTSettings: Sendable, Hashable {
    /// Topic the device publishes its JSON state on, e.g. `{base}/state`.
    public var stateTopic: String
    /// Topic vppd publishes JSON commands on, e.g. `{base}/set`.
    public var commandTopic: String?
    /// QoS for commands and the state subscription (0 or 1).
    public var qos: Int = 1
    public init(stateTopic: String, commandTopic: String? = nil, qos: Int = 1) {
        self.stateTopic = stateTopic
        self.commandTopic = commandTopic
        self.qos = qos
    }
}

/// Register tables a point can live in.
public enum RegisterTable: String, Sendable, Hashable, Codable, CaseIterable {
    case holding
    case input
}

/// Register encodings (DOMAIN §8). `sunssf` is an int16 power-of-ten scale factor; `acc32` is an
/// accumulator whose 0 means "not implemented"; enums and bitfields use all-ones as "not implemented".
public enum RegisterType: String, Sendable, Hashable, Codable, CaseIterable {
    case int16, uint16, int32, uint32, float32, string, sunssf, enum16, bitfield16, acc32, enum32,
        bitfield32

    /// Registers one value occupies (strings take `PointSpec.ModbusPoint.words`).
    public var words: Int {
        switch self {
        case .int16, .uint16, .sunssf, .enum16, .bitfield16: return 1
        case .int32, .uint32, .float32, .acc32, .enum32, .bitfield32: return 2
        case .string: return 0
        }
    }
}

/// Read/write access of a point.
public enum Access: String, Sendable, Hashable, Codable, CaseIterable {
    case read = "r"
    case write = "w"
    case readWrite = "rw"
}

/// How often a point is polled (DESIGN §10: decouple the rates).
public enum PollClass: String, Sendable, Hashable, Codable, CaseIterable {
    /// Every `DeviceTiming.fastPollMs`: power, SOC, state.
    case fast
    /// Every `DeviceTiming.slowPollMs`: energy counters, limits.
    case slow
    /// Once after connecting: nameplate, scale factors that never change.
    case once
    /// Never polled on its own (write-only points, read back after writes).
    case never
}

/// One point of a profile.
public struct PointSpec: Sendable, Hashable {
    public struct ModbusPoint: Sendable, Hashable {
        public var table: RegisterTable = .holding
        /// Absolute register address, or the offset inside the SunSpec model block (0 = first register after
        /// the block's ID and L) when `model` is set.
        public var address: Int
        /// SunSpec model id the address is relative to.
        public var model: Int?
        public var type: RegisterType
        /// Length in registers, strings only.
        public var words: Int?
        /// Overrides the profile's word order.
        public var wordOrder: WordOrder?
        /// Name of a `sunssf` point: value = raw × 10^sf × scale.
        public var scaleFactor: String?
        /// Raw register code → value, for registers that carry vendor command codes rather than numbers
        /// (on/off as 0xBE/0xDE, a running-state enum read as plugged-in 1/0). A raw code outside the map is
        /// rejected on read; a value outside it on write. Several codes may share a value; writes use the lowest.
        public var valueMap: [Double: Double]?
        public init(
            table: RegisterTable = .holding, address: Int, model: Int? = nil, type: RegisterType,
            words: Int? = nil,
            wordOrder: WordOrder? = nil, scaleFactor: String? = nil
        ) {
            self.table = table
            self.address = address
            self.model = model
            self.type = type
            self.words = words
            self.wordOrder = wordOrder
            self.scaleFactor = scaleFactor
        }
        /// Registers occupied.
        public var registerCount: Int { type == .string ? (words ?? 1) : type.words }
    }

    public struct MQTTPoint: Sendable, Hashable {
        /// Dotted path into the state JSON (`ev.soc`), also the field name in command JSON for controls.
        public var jsonPath: String
        public init(jsonPath: String) { self.jsonPath = jsonPath }
    }

    public var name: String
    public var modbus: ModbusPoint?
    public var mqtt: MQTTPoint?
    /// Fixed multiplier applied after any scale factor, converting the device unit to the canonical unit
    /// (e.g. 0.001 for W → kW). Writes divide by it.
    public var scale: Double = 1
    /// Unit as the device reports it (documentation; the canonical unit is fixed by the point name).
    public var unit: String?
    public var access: Access = .read
    public var poll: PollClass = .fast
    /// Plausible range in canonical units; a decoded value outside it is garbage and is rejected.
    public var validMin: Double?
    public var validMax: Double?
    /// Deliberate alias: this point reads/writes exactly the same register(s) or JSON field as the named point
    /// (e.g. the canonical `activePowerLimitPercent` and SunSpec's `WMaxLimPct`). The loader requires both to
    /// have the same encoding; without it, two points on overlapping registers are rejected as a typo.
    public var aliasOf: String? = nil

    public init(
        name: String, modbus: ModbusPoint? = nil, mqtt: MQTTPoint? = nil, scale: Double = 1,
        unit: String? = nil,
        access: Access = .read, poll: PollClass = .fast, validMin: Double? = nil,
        validMax: Double? = nil,
        aliasOf: String? = nil
    ) {
        self.aliasOf = aliasOf
        self.name = name
        self.modbus = modbus
        self.mqtt = mqtt
        self.scale = scale
        self.unit = unit
        self.access = access
        self.poll = poll
        self.validMin = validMin
        self.validMax = validMax
    }
}

/// A fixed value written together with every setpoint (enable bits, control modes).
public struct FixedWrite: Sendable, Hashable {
    public var point: String
    public var value: Double
    public init(point: String, value: Double) {
        self.point = point
        self.value = value
    }
}

/// How a canonical setpoint is written to the device and verified.
public struct ControlSpec: Sendable, Hashable {
    /// The point the value is written to (in canonical units after `PointSpec.scale`).
    public var point: String
    /// The point read back to verify the write; defaults to `point`.
    public var readBack: String?
    /// Written together with every setpoint, before it (e.g. `WMaxLim_Ena = 1`, `WSetMod = 1`).
    public var with: [FixedWrite] = []
    /// Revert-timeout point written with every setpoint (seconds, `DeviceTiming.revertTimeoutS` by default).
    public var revertTimeoutPoint: String?
    /// How the device returns to idle without vppd, as the profile states it (nil: not stated; a
    /// `revertTimeoutPoint` then implies `.timer`).
    public var revert: RevertMechanism?
    /// Set when the device takes the signed value as a magnitude (written to `point`) plus a direction command.
    public var direction: SetpointDirection?
    /// Accepted range in canonical units; the writer clamps into it.
    public var min: Double
    public var max: Double
    /// Read-back tolerance in canonical units (scale-factor rounding).
    public var tolerance: Double = 0.5

    public init(
        point: String, readBack: String? = nil, with: [FixedWrite] = [],
        revertTimeoutPoint: String? = nil,
        min: Double, max: Double, tolerance: Double = 0.5
    ) {
        self.point = point
        self.readBack = readBack
        self.with = with
        self.revertTimeoutPoint = revertTimeoutPoint
        self.min = min
        self.max = max
        self.tolerance = tolerance
    }

    /// The revert mechanism in force: as stated, else a timer when there is a revert-timeout point.
    public var effectiveRevert: RevertMechanism? {
        revert ?? (revertTimeoutPoint != nil ? .timer : nil)
    }
}
