import DeviceIO
import Foundation
import Testing
import VPPCore

@Suite("Profile loader")
struct ProfileLoaderTests {
    @Test("every profile in DeviceProfiles/ loads and validates")
    func loadsAllShippedProfiles() throws {
        let (catalog, errors) = try ProfileLoader.loadDirectoryReportingAll(
            ProfileFixtures.profilesDirectory)
        #expect(errors.isEmpty, "\(errors.map(\.description).joined(separator: "\n"))")
        let files = try FileManager.default.contentsOfDirectory(
            atPath: ProfileFixtures.profilesDirectory.path
        )
        .filter { $0.hasSuffix(".yaml") }
        #expect(catalog.count == files.count)
        for required in [
            "sunspec-pv-3ph", "sunspec-storage", "modbus-v2g-dc", "mqtt-v2g", "mqtt-pv", "modbus-meter",
        ] {
            #expect(catalog[required] != nil, "missing profile \(required)")
        }
    }

    /// The shipped profile files, one test case each (cases run in parallel: the set grows with every model).
    static let shippedFiles: [String] =
        ((try? FileManager.default.contentsOfDirectory(atPath: ProfileFixtures.profilesDirectory.path)) ?? [])
        .filter { $0.hasSuffix(".yaml") }.sorted()

    @Test("dropping or truncating any line of a shipped profile never crashes the loader", arguments: shippedFiles)
    func mutilatedProfilesFailCleanly(_ name: String) throws {
        let lines = try String(
            contentsOf: ProfileFixtures.profilesDirectory.appendingPathComponent(name), encoding: .utf8
        )
        .split(separator: "\n", omittingEmptySubsequences: false)
        var rejected = 0
        // Comment and blank lines are skipped: dropping or halving them leaves the same profile.
        let meaningful = lines.indices.filter {
            let t = lines[$0].trimmingCharacters(in: .whitespaces)
            return !t.isEmpty && !t.hasPrefix("#")
        }
        for i in meaningful {
            var dropped = lines
            dropped.remove(at: i)
            var cut = lines
            cut[i] = cut[i].prefix(cut[i].count / 2)
            for variant in [dropped, cut] {
                do {
                    _ = try ProfileLoader.parse(yaml: variant.joined(separator: "\n"), id: "x", file: name)
                } catch {
                    guard case .badProfile(let file, _, let reason) = error else {
                        Issue.record("unexpected error \(error)")
                        continue
                    }
                    #expect(file == name && !reason.isEmpty)
                    rejected += 1
                }
            }
        }
        #expect(rejected > 0)
    }
}
