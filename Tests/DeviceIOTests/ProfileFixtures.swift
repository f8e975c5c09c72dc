import Foundation

/// Paths of the repository's profile directories, found from this file (Tests/DeviceIOTests/X.swift is three
/// levels below the repository root).
enum ProfileFixtures {
    static let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent()
        .deletingLastPathComponent()
    static let profilesDirectory = repoRoot.appendingPathComponent("DeviceProfiles")
    static let badProfilesDirectory = repoRoot.appendingPathComponent("Tests/Fixtures/profiles-bad")
}
