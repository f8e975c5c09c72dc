import BenchSupport
import Daemon
import Foundation
import Testing

@Suite("vppbench api, as a smoke test")
struct DaemonBenchSmokeTests {
    /// Small sizes so that it stays a test (no wall-time assertion, DESIGN §9); set `VPPD_API_BENCH_FULL=1` to
    /// run the full suite from here and print its figures.
    @Test("the API benchmark runs against a real daemon and yields every figure")
    func benchRuns() throws {
        var options = APIBench.Options(
            vppdPath: DaemonProcess.binary.path,
            profilesDirectory: DaemonFixture.repositoryRoot.appendingPathComponent("DeviceProfiles").path)
        let full = ProcessInfo.processInfo.environment["VPPD_API_BENCH_FULL"] == "1"
        if !full {
            options.devices = 100
            options.startRuns = 1
            options.readClients = 2
            options.readSeconds = 0.3
            options.commands = 20
        }
        let figures = try APIBench.run(options)
        if full { for f in figures { print("\(f.name) = \(f.value) \(f.unit)") } }
        let names = Set(figures.map(\.name))
        for name in [
            "authenticated_device_reads_per_s", "authenticated_status_reads_per_s", "command_create_p99",
            "start_to_ready_\(options.devices)_devices_median",
        ] {
            #expect(names.contains(name), "missing \(name)")
        }
        #expect(figures.allSatisfy { $0.value > 0 && $0.value.isFinite }, "\(figures)")
    }
}
