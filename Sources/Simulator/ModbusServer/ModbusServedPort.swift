import DeviceIO
import Dispatch
import Synchronization

/// What a port does with a request for a unit id it does not serve.
public enum UnknownUnitPolicy: Sendable, Hashable {
    /// Answer with this exception; gateways use 11 (gateway target device failed to respond).
    case exception(ModbusExceptionCode)
    /// Do not answer (the client runs into its response timeout).
    case noReply
    /// Serve the request from the port's lowest unit (a plain TCP device that ignores the unit id).
    case serveAny

    /// What a Modbus TCP gateway answers.
    public static let gateway = UnknownUnitPolicy.exception(.gatewayTargetFailedToRespond)
}

/// One listening TCP port of a `ModbusServer` and the simulated devices (unit ids) behind it: one device per port
/// by default, or many unit ids like a gateway. Connection-level fault injection lives here.
public final class ModbusServedPort: Sendable {
    /// The TCP port (the kernel's choice when 0 was asked for).
    public let port: Int
    /// The devices behind this port by unit id.
    public let units: [Int: ModbusRegisterBank]
    public let unknownUnit: UnknownUnitPolicy
    /// Served when `unknownUnit == .serveAny` and the unit id is unknown.
    let fallback: ModbusRegisterBank?
    private let worker: ServerWorkerShared
    let requests = Atomic<Int>(0)
    let openConnections = Atomic<Int>(0)
    let refusing = Atomic<Bool>(false)
    let closed = Atomic<Bool>(false)

    init(
        port: Int, units: [Int: ModbusRegisterBank], unknownUnit: UnknownUnitPolicy,
        worker: ServerWorkerShared
    ) {
        self.port = port
        self.units = units
        self.unknownUnit = unknownUnit
        self.fallback = units.min(by: { $0.key < $1.key })?.value
        self.worker = worker
    }

    /// The device behind unit id `unit`.
    public func bank(unit: Int) -> ModbusRegisterBank? { units[unit] }

    /// Requests answered (including exception answers) since the port opened.
    public var requestCount: Int { requests.load(ordering: .relaxed) }

    /// Client connections open right now.
    public var connectionCount: Int { openConnections.load(ordering: .relaxed) }

    /// Whether `close()` was called.
    public var isClosed: Bool { closed.load(ordering: .relaxed) }

    /// Whether the port refuses connections right now.
    public var isRefusingConnections: Bool { refusing.load(ordering: .relaxed) }

    /// Refuse (close the listener: connects get ECONNREFUSED) or accept connections again. Existing connections
    /// stay open unless dropped too. Returns once the server thread has done it. If the port cannot be bound again
    /// (another process took it meanwhile), it stays refusing: check `isRefusingConnections`.
    public func setRefusingConnections(_ refuse: Bool) {
        worker.command(.setRefusing(port: port, refuse))
    }

    /// Closes every client connection to this port now (clients see a reset and reconnect).
    public func dropConnections() {
        worker.command(.drop(port: port))
    }

    /// A device that vanishes (`true`: refuse and drop) or comes back (`false`).
    public func setOffline(_ offline: Bool) {
        setRefusingConnections(offline)
        if offline { dropConnections() }
    }

    /// Stops serving this port for good: closes the listener and its connections.
    public func close() {
        closed.store(true, ordering: .relaxed)
        worker.command(.remove(port: port))
    }
}
