import Foundation
import Testing
import VPPCore

@testable import DeviceIO

/// The libFuzzer seed corpora of the device parsers (`Tests/Fixtures/fuzz/`, README "Fuzzing") replayed through the
/// entry points of the harnesses in `Fuzz/`, in the debug build. Crash inputs the fuzzer finds are added there and
/// stay regression tests here.
@Suite("Fuzz seed replay: device profile, MQTT telemetry")
struct DeviceIOFuzzSeedReplayTests {
    static func seeds(_ target: String) throws -> [(name: String, data: Data)] {
        let dir = ProfileFixtures.repoRoot.appendingPathComponent("Tests/Fixtures/fuzz/\(target)")
        return try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted().map {
            ($0, try Data(contentsOf: dir.appendingPathComponent($0)))
        }
    }

    @Test("device profile seeds parse or are refused")
    func profiles() throws {
        let seeds = try Self.seeds("device-profile")
        #expect(!seeds.isEmpty)
        var accepted = 0
        for seed in seeds {
            let text = String(decoding: seed.data, as: UTF8.self)
            let parsed = (try? ProfileLoader.parse(yaml: text, id: "seed", file: seed.name)) != nil
            if parsed { accepted += 1 }
        }
        #expect(accepted > 0, "no seed reads: the harness would start from nothing valid")
    }

    @Test("telemetry seeds decode through every shipped MQTT profile; accepted values are finite")
    func telemetry() throws {
        let decoders = try ["mqtt-pv", "mqtt-v2g"].map { id in
            let url = ProfileFixtures.profilesDirectory.appendingPathComponent("\(id).yaml")
            let text = try String(contentsOf: url, encoding: .utf8)
            return MQTTStateDecoder(profile: try ProfileLoader.parse(yaml: text, id: id, file: url.path))
        }
        let seeds = try Self.seeds("mqtt-telemetry")
        #expect(!seeds.isEmpty)
        var decodedAny = false
        for seed in seeds {
            for decoder in decoders {
                let decoded = try? seed.data.withUnsafeBytes { raw throws(DeviceIOError) in
                    try decoder.decode(raw, device: DeviceID(rawValue: "seed"))
                }
                guard let decoded else { continue }
                decodedAny = decodedAny || !decoded.values.isEmpty
                for (point, value) in decoded.values { #expect(value.isFinite, "\(seed.name): \(point)") }
            }
        }
        #expect(decodedAny)
    }
}
