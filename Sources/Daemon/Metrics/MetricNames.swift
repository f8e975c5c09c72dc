/// Names of the metrics vppd exposes at `/metrics` (Prometheus text format). Durations are recorded as
/// swift-metrics `Timer`s, which swift-prometheus exposes as histograms in seconds.
///
/// The device layer records its own metrics with the swift-metrics API under these names, so the names are
/// kept in one place.
public enum MetricNames {
    /// Counter, dimensions `route`, `method`, `status`: API requests answered.
    public static let apiRequests = "vppd_api_requests_total"
    /// Counter, dimension `reason` (`malformed`, `invalid`): requests whose `Authorization` header was refused.
    public static let apiAuthFailures = "vppd_api_auth_failures_total"
    /// Counter, dimension `limit` (`token`, `authFailures`): requests refused with 429.
    public static let apiRateLimited = "vppd_api_rate_limited_total"
    /// Counter, dimension `reason` (`evicted`, `refused`, `headerTimeout`): connections the server closed to
    /// protect itself (README "API limits").
    public static let apiConnectionsClosed = "vppd_api_connections_closed_total"
    /// Gauge: open API connections.
    public static let apiConnections = "vppd_api_connections"
    /// Timer (histogram, seconds), dimension `route`: API request handling time.
    public static let apiLatency = "vppd_api_request_duration_seconds"
    /// Timer (histogram, seconds), dimension `op`: time to commit one store write (write before acknowledge).
    public static let storeWriteLatency = "vppd_store_write_duration_seconds"
    /// Timer (histogram, seconds), dimension `outcome` (`ok`, `failed`): one Modbus device poll, recorded from
    /// DeviceIO's poll observer. Per-device series would be 1,000 histograms on a large fleet; per-device health
    /// is in `vppd_device_link_up` and the API instead.
    public static let pollLatency = "vppd_device_poll_duration_seconds"
    /// Gauge, dimension `device`: link state, 1 = up, 0 = down or unknown (recorded by DeviceIO).
    public static let linkUp = "vppd_device_link_up"
    /// Gauge: devices whose latest values are older than their stale timeout.
    public static let staleDevices = "vppd_devices_stale"
    /// Gauge, dimension `health` (`ok`, `stale`, `down`, `unknown`): devices per health state.
    public static let devicesByHealth = "vppd_devices_by_health"
    /// Gauge: configured devices.
    public static let devices = "vppd_devices"
    /// Timer (histogram, seconds): one control tick's work, start to watchdog kick (README "API limits").
    public static let controlTickWork = "vppd_control_tick_work_seconds"
    /// Timer (histogram, seconds): how late a control tick started after its deadline.
    public static let controlTickLateness = "vppd_control_tick_lateness_seconds"
    /// Gauge: seconds since the daemon started.
    public static let uptime = "vppd_uptime_seconds"
}
