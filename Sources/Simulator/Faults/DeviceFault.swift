/// A fault injected into one simulated device, switchable at runtime (in-process with
/// `SimulatedFleet.inject(_:into:)`, or through `vppsim`'s control channel).
public enum DeviceFault: Sendable, Hashable, CustomStringConvertible {
    /// The device vanishes: open connections are closed and new ones refused (Modbus); it stops publishing
    /// (MQTT). Clearing it makes the device return.
    case drop
    /// New connections are refused; established ones keep working (Modbus). MQTT: same as `drop`.
    case refuse
    /// Every reply (Modbus) or state message (MQTT) is delayed by this many milliseconds (real time).
    case delay(ms: Int)
    /// Every Modbus request is answered with this exception code. MQTT: the state reports `fault` = code.
    case exception(code: Int)
    /// Values stop updating (the bank or the published state stays as it was).
    case freeze
    /// Values are garbage: random registers (Modbus); nonsense numbers or malformed JSON (MQTT).
    case garble

    public var description: String {
        switch self {
        case .drop: return "drop"
        case .refuse: return "refuse"
        case .delay(let ms): return "delay \(ms)"
        case .exception(let c): return "exception \(c)"
        case .freeze: return "freeze"
        case .garble: return "garble"
        }
    }

    /// Parses the control-channel form: `drop`, `refuse`, `delay <ms>`, `exception <code>`, `freeze`, `garble`.
    public init?(words: [Substring]) {
        guard let first = words.first else { return nil }
        switch first.lowercased() {
        case "drop", "vanish": self = .drop
        case "refuse": self = .refuse
        case "freeze": self = .freeze
        case "garble": self = .garble
        case "delay":
            guard words.count == 2, let ms = Int(words[1]), ms >= 0, ms <= 600_000 else { return nil }
            self = .delay(ms: ms)
        case "exception":
            guard words.count == 2, let c = Int(words[1]), (1...255).contains(c) else { return nil }
            self = .exception(code: c)
        default: return nil
        }
    }
}

/// The faults active on one device. Several can be combined (e.g. delay and garble); `clear` removes all.
public struct FaultSet: Sendable, Hashable, CustomStringConvertible {
    public var dropped = false
    public var refusing = false
    /// Reply delay, milliseconds (0 = none).
    public var delayMs = 0
    public var exceptionCode: Int?
    public var frozen = false
    public var garbled = false

    public init() {}

    public var isEmpty: Bool { self == FaultSet() }

    public mutating func insert(_ f: DeviceFault) {
        switch f {
        case .drop: dropped = true
        case .refuse: refusing = true
        case .delay(let ms): delayMs = max(0, ms)
        case .exception(let c): exceptionCode = c
        case .freeze: frozen = true
        case .garble: garbled = true
        }
    }

    public var faults: [DeviceFault] {
        var out: [DeviceFault] = []
        if dropped { out.append(.drop) }
        if refusing { out.append(.refuse) }
        if delayMs > 0 { out.append(.delay(ms: delayMs)) }
        if let c = exceptionCode { out.append(.exception(code: c)) }
        if frozen { out.append(.freeze) }
        if garbled { out.append(.garble) }
        return out
    }

    public var description: String {
        isEmpty ? "none" : faults.map(\.description).joined(separator: ", ")
    }
}
