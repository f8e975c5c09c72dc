import Synchronization

/// Hands out the ONE shared connection per TCP endpoint (host:port) or serial device (DESIGN §10: many inverters
/// accept a single Modbus TCP client, and an RS485 bus can be opened once). Every unit id behind a gateway uses
/// the same connection, so its requests are serialized on one thread.
public final class ModbusConnectionPool: Sendable {
    private struct State {
        var connections: [String: ModbusConnection] = [:]
        var closed = false
    }
    private let state = Mutex(State())

    /// Also raises the process's descriptor soft limit to its hard limit (one socket per endpoint).
    public init() { raiseDescriptorLimit() }

    /// The shared connection to `endpoint`, created on first use with `options`. Later callers get the existing
    /// connection whatever options they pass (the first configuration wins: one link has one timing).
    ///
    /// - Throws: `.connectFailed` if the pool is shut down or the connection thread cannot start.
    public func connection(
        to endpoint: ModbusEndpoint, options: ModbusConnectionOptions = ModbusConnectionOptions()
    ) throws(DeviceIOError) -> ModbusConnection {
        let key = endpoint.sharingKey
        return try state.withLock { s throws(DeviceIOError) -> ModbusConnection in
            if s.closed {
                throw .connectFailed(endpoint: endpoint.description, reason: "connection pool is shut down")
            }
            if let c = s.connections[key] { return c }
            let c = try ModbusConnection(endpoint: endpoint, options: options)
            s.connections[key] = c
            return c
        }
    }

    /// A client for `unit` behind `endpoint` on the shared connection.
    public func client(
        endpoint: ModbusEndpoint, unit: Int,
        options: ModbusConnectionOptions = ModbusConnectionOptions()
    ) throws(DeviceIOError) -> ModbusClient {
        ModbusClient(connection: try connection(to: endpoint, options: options), unit: unit)
    }

    /// Every connection currently in the pool.
    public var connections: [ModbusConnection] { state.withLock { Array($0.connections.values) } }

    /// Closes every connection (in parallel: all threads are told first, then joined) and refuses new ones.
    public func shutdown() {
        let all = state.withLock { s -> [ModbusConnection] in
            s.closed = true
            defer { s.connections = [:] }
            return Array(s.connections.values)
        }
        for c in all { c.requestClose() }
        for c in all { c.joinThread() }
    }
}
