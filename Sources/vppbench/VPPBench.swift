import ArgumentParser
import Foundation

/// `vppbench <suite> [--json]`: benchmarks (DESIGN §9). Run on release builds (`make bench`); each ratio the
/// issues ask for is measured against its baseline in the same run.
@main
struct VPPBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vppbench",
        abstract: "vppd benchmarks: devices, api, dispatch, market, dr, flood.",
        discussion:
            "Prints a table, or with --json one object {\"suite\": …, \"figures\": {name: {value, unit}}}."
    )

    @Argument(help: "Suite: devices | api | dispatch | market | dr | flood") var suite: String
    @Flag(help: "Print one JSON object instead of a table.") var json = false
    @Option(help: "Directory of device profiles.") var profiles = "DeviceProfiles"
    @Option(help: "devices: Modbus devices to poll.") var modbusDevices = 1000
    @Option(help: "devices: MQTT chargers configured.") var mqttDevices = 10_000
    @Option(help: "devices: MQTT messages published by vppsim.") var mqttMessages = 300_000
    @Option(help: "dr: simulated resources.") var drDevices = 1000
    @Option(help: "dr: directory of market profiles.") var marketProfiles = "MarketProfiles"
    @Option(help: "flood: seconds of wrk load.") var floodSeconds = 60
    @Option(help: "flood: seconds of the idle baseline.") var idleSeconds = 60
    @Option(help: "flood: half-open connections held.") var halfOpen = 10_000
    @Option(help: "flood: one command post in this many requests (0: reads only).") var postEvery = 10
    @Option(help: "dr: write event.json, settlement.json and a statement here.") var out: String?

    func run() async throws {
        let report: Report
        switch suite {
        case "devices":
            var s = DevicesSuite(profilesDir: URL(fileURLWithPath: profiles))
            s.modbusDevices = modbusDevices
            s.mqttDevices = mqttDevices
            s.mqttMessages = mqttMessages
            report = try await s.run()
        case "api":
            report = try await APISuite(profilesDir: URL(fileURLWithPath: profiles)).run()
        case "dispatch":
            report = try await DispatchSuite(profilesDir: URL(fileURLWithPath: profiles)).run()
        case "flood":
            var s = FloodSuite(profilesDir: URL(fileURLWithPath: profiles))
            s.floodSeconds = floodSeconds
            s.idleSeconds = Double(idleSeconds)
            s.halfOpen = halfOpen
            s.postEvery = postEvery
            report = try await s.run()
        case "market":
            report = try MarketSuite(profilesDir: URL(fileURLWithPath: "MarketProfiles")).run()
        case "dr":
            report = try DRSuite(
                devices: drDevices, marketProfiles: URL(fileURLWithPath: marketProfiles),
                out: out.map { URL(fileURLWithPath: $0) }
            ).run()
        default:
            throw ValidationError("unknown suite \(suite): devices | api | dispatch | market | dr | flood")
        }
        report.print(json: json)
    }
}
