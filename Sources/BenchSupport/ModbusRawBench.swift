import CModbus
import DeviceIO

#if canImport(Glibc)
    import Glibc
#endif

/// The baseline for `vppbench devices` (requests/s on one connection vs. raw libmodbus): plain
/// `modbus_read_registers` calls in a tight loop on a context of its own, on the calling thread. Bench tooling
/// (DESIGN §2): it calls libmodbus directly on purpose, to measure what DeviceIO's wrapper costs, and `vppd`
/// never links it.
public enum ModbusRawBench {
    /// Why the raw loop could not run.
    public struct Failure: Error, Sendable, CustomStringConvertible {
        public var description: String
    }

    /// Connects to `host:port`, reads `count` holding registers from `address` of `unit` `iterations` times and
    /// returns the elapsed wall time of the loop in seconds (connect excluded). Blocks the calling thread: call it
    /// from a dedicated thread or a benchmark's main thread, not from the cooperative pool.
    public static func readLoop(
        host: String, port: Int, unit: Int, address: Int, count: Int, iterations: Int
    )
        throws(Failure) -> Double
    {
        guard let ctx = modbus_new_tcp_pi(host, String(port)) else {
            throw Failure(description: "cannot create libmodbus context for \(host):\(port)")
        }
        defer { modbus_free(ctx) }
        guard modbus_connect(ctx) == 0 else {
            throw Failure(description: "cannot connect to \(host):\(port): \(ModbusErrno.message(errno))")
        }
        defer { modbus_close(ctx) }
        // libmodbus waits with select(2): a descriptor ≥ FD_SETSIZE (1024) would abort the process in glibc.
        guard modbus_get_socket(ctx) < 1024 else {
            throw Failure(description: "libmodbus socket descriptor is ≥ 1024 (FD_SETSIZE): run the raw loop first")
        }
        modbus_set_slave(ctx, Int32(unit))
        var buf = [UInt16](repeating: 0, count: 256)
        let start = monotonicNanos()
        for _ in 0..<iterations {
            let rc = modbus_read_registers(ctx, Int32(address), Int32(count), &buf)
            if rc < 0 {
                throw Failure(description: "read failed on \(host):\(port): \(ModbusErrno.message(errno))")
            }
        }
        return Double(monotonicNanos() - start) / 1e9
    }
}
