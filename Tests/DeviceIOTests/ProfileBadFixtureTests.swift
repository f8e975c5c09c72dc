import DeviceIO
import Foundation
import Testing

/// One bad profile per file in Tests/Fixtures/profiles-bad/. Each file states in its header what the loader must
/// say about it: `# expect-point: <point or key path, empty for none>` and `# expect-reason: <text the reason
/// contains>`, optionally `# expect-line: <line the reason names>`.
@Suite("Bad profiles are rejected with file, point and reason")
struct ProfileBadFixtureTests {
    struct Expectation: CustomTestStringConvertible, Sendable {
        let file: URL
        let point: String?
        let reason: String
        /// Line the reason must name, when the fixture says (`# expect-line: N`).
        let line: Int?
        var testDescription: String { file.lastPathComponent }
    }

    static func expectations() throws -> [Expectation] {
        let dir = ProfileFixtures.badProfilesDirectory
        let files = try FileManager.default.contentsOfDirectory(
            at: dir, includingPropertiesForKeys: nil
        )
        .filter { $0.pathExtension == "yaml" }
        .sorted { $0.lastPathComponent < $1.lastPathComponent }
        return try files.map { url in
            let text = try String(contentsOf: url, encoding: .utf8)
            var point: String??
            var reason: String?
            var lineNo: Int?
            for line in text.split(separator: "\n") {
                if line.hasPrefix("# expect-point:") {
                    let v = line.dropFirst("# expect-point:".count).trimmingCharacters(in: .whitespaces)
                    point = .some(v.isEmpty ? nil : v)
                } else if line.hasPrefix("# expect-reason:") {
                    reason = line.dropFirst("# expect-reason:".count).trimmingCharacters(in: .whitespaces)
                } else if line.hasPrefix("# expect-line:") {
                    lineNo = Int(line.dropFirst("# expect-line:".count).trimmingCharacters(in: .whitespaces))
                }
            }
            guard let point, let reason, !reason.isEmpty else {
                throw FixtureError(file: url.lastPathComponent)
            }
            return Expectation(file: url, point: point, reason: reason, line: lineNo)
        }
    }

    struct FixtureError: Error, CustomStringConvertible {
        let file: String
        var description: String { "\(file) lacks '# expect-point:' or '# expect-reason:'" }
    }

    @Test("there are at least ten bad-profile fixtures, one mistake each")
    func enoughFixtures() throws {
        #expect(try Self.expectations().count >= 10)
    }

    @Test(
        "each bad profile is rejected naming its file, point and reason", arguments: try expectations())
    func rejected(_ e: Expectation) {
        do {
            let p = try ProfileLoader.load(file: e.file)
            Issue.record("\(e.file.lastPathComponent) was accepted as profile \(p.id)")
        } catch {
            guard case .badProfile(let file, let point, let reason) = error else {
                Issue.record("wrong error kind: \(error)")
                return
            }
            #expect(file == e.file.lastPathComponent)
            #expect(point == e.point, "\(error)")
            #expect(reason.contains(e.reason), "\(error)")
            if let line = e.line { #expect(reason.hasSuffix("(line \(line))"), "\(error)") }
            #expect(error.description.contains(file))
        }
    }

    @Test("a directory with one bad file reports it and keeps the good ones")
    func directoryReportsEveryBadFile() throws {
        let (catalog, errors) = try ProfileLoader.loadDirectoryReportingAll(
            ProfileFixtures.badProfilesDirectory)
        #expect(catalog.isEmpty)
        #expect(errors.count == (try Self.expectations().count))
        #expect(throws: DeviceIOError.self) {
            try ProfileLoader.loadDirectory(ProfileFixtures.badProfilesDirectory)
        }
    }
}
