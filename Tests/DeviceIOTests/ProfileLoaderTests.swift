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
}
