import CoreMetrics
import Prometheus
import Synchronization

/// The process-wide Prometheus registry behind swift-metrics.
///
/// `MetricsSystem.bootstrap` may be called only once per process, but a test process starts several daemons
/// in turn, so the first call bootstraps and every later call returns the same registry. Every module records
/// through the swift-metrics API (`Counter`, `Timer`, `Gauge`, `Recorder`); only `/metrics` reads the registry.
public enum MetricsBootstrap {
    private static let registry = Mutex<PrometheusCollectorRegistry?>(nil)

    /// Bootstraps swift-metrics with a Prometheus factory on first call; returns the registry.
    @discardableResult
    public static func bootstrap() -> PrometheusCollectorRegistry {
        registry.withLock { current in
            if let current { return current }
            let created = PrometheusCollectorRegistry()
            var factory = PrometheusMetricsFactory(registry: created)
            // Latency buckets in seconds, 0.5 ms … 5 s: API and store writes sit at the low end, device polls
            // over slow serial buses at the high end.
            factory.defaultDurationHistogramBuckets = [
                .microseconds(500), .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10),
                .milliseconds(20), .milliseconds(50), .milliseconds(100), .milliseconds(250),
                .milliseconds(500),
                .seconds(1), .seconds(2), .seconds(5),
            ]
            MetricsSystem.bootstrap(factory)
            current = created
            return created
        }
    }

    /// The Prometheus text exposition of every metric recorded so far.
    public static func exposition() -> [UInt8] {
        bootstrap().emitToBuffer()
    }
}
