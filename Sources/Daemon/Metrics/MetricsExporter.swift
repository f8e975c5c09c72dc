import CoreMetrics
import Foundation

/// Gauges computed at scrape time from the fleet the API serves, so that they are always current without a
/// timer: devices configured, stale devices, link state per device and the daemon's uptime.
enum MetricsExporter {
    static func updateFleetGauges(_ devices: [DeviceView], startedAt: Date) {
        Gauge(label: MetricNames.devices).record(devices.count)
        Gauge(label: MetricNames.staleDevices).record(devices.filter(\.stale).count)
        for health in ["ok", "stale", "down", "unknown"] {
            Gauge(label: MetricNames.devicesByHealth, dimensions: [("health", health)])
                .record(devices.filter { $0.health == health }.count)
        }
        for d in devices {
            Gauge(label: MetricNames.linkUp, dimensions: [("device", d.id)]).record(
                d.link == "up" ? 1 : 0)
        }
        Gauge(label: MetricNames.uptime).record(Date().timeIntervalSince(startedAt))
    }
}
