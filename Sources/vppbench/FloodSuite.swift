import BenchSupport
import Daemon
import Foundation

/// `vppbench flood`: the control loop's tick time idle and under a 60 s API flood, a new authenticated request
/// beside 10,000 half-open connections, and the daemon's PID through it all (see `FloodBench`).
struct FloodSuite {
    var profilesDir: URL
    var floodSeconds = 60
    var idleSeconds = 60.0
    var halfOpen = 10_000
    var postEvery = 10

    func run() async throws -> Report {
        var report = Report(suite: "flood")
        var options = FloodBench.Options(
            vppdPath: siblingExecutable("vppd").path, vppsimPath: siblingExecutable("vppsim").path,
            profilesDirectory: profilesDir.standardizedFileURL.path)
        options.floodSeconds = floodSeconds
        options.idleSeconds = idleSeconds
        options.halfOpen = halfOpen
        options.postEvery = postEvery
        let figures = try await onThread { [options] in try FloodBench.run(options) }
        for f in figures { report.add(f.name, f.value, f.unit, target: f.target) }
        return report
    }
}
