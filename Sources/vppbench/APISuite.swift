import BenchSupport
import Daemon
import Foundation

/// `vppbench api` (issue 4): authenticated read requests/s, durable command creation latency and start-to-READY
/// time with 1,000 devices configured, against a real `vppd` process on loopback (see `APIBench`).
struct APISuite {
    var profilesDir: URL

    func run() async throws -> Report {
        var report = Report(suite: "api")
        let options = APIBench.Options(
            vppdPath: siblingExecutable("vppd").path, profilesDirectory: profilesDir.path)
        let figures = try await onThread { try APIBench.run(options) }
        let targets = [
            "authenticated_device_reads_per_s": "≥ 2000", "authenticated_status_reads_per_s": "≥ 2000",
            "command_create_p99": "≤ 20 ms", "start_to_ready_1000_devices_max": "≤ 2000 ms",
        ]
        for f in figures { report.add(f.name, f.value, f.unit, target: targets[f.name]) }
        return report
    }
}
