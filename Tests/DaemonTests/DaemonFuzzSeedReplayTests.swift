import Foundation
import Testing

@testable import Daemon

/// The libFuzzer seed corpora of the daemon's parsers (`Tests/Fixtures/fuzz/`, README "Fuzzing") replayed through
/// the entry points of the harnesses in `Fuzz/`, in the debug build. Crash inputs the fuzzer finds are added there
/// and stay regression tests here.
@Suite("Fuzz seed replay: config, token file, inbox names")
struct DaemonFuzzSeedReplayTests {
    static func seeds(_ target: String) throws -> [(name: String, data: Data)] {
        let dir = DaemonFixture.repositoryRoot.appendingPathComponent("Tests/Fixtures/fuzz/\(target)")
        return try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted().map {
            ($0, try Data(contentsOf: dir.appendingPathComponent($0)))
        }
    }

    @Test("config seeds parse or are refused")
    func configs() throws {
        let seeds = try Self.seeds("config")
        #expect(!seeds.isEmpty)
        var accepted = 0
        for seed in seeds {
            let text = String(decoding: seed.data, as: UTF8.self)
            let parsed =
                (try? VPPConfig.parse(yaml: text, file: seed.name, baseDirectory: "/nonexistent/vppd-fuzz")) != nil
            if parsed { accepted += 1 }
        }
        #expect(accepted > 0, "no seed reads: the harness would start from nothing valid")
    }

    @Test("token file seeds parse or are refused")
    func tokenFiles() throws {
        let seeds = try Self.seeds("token-file")
        #expect(!seeds.isEmpty)
        var accepted = 0
        for seed in seeds {
            let records = try? TokenFile.parse(String(decoding: seed.data, as: UTF8.self), path: seed.name)
            if records != nil { accepted += 1 }
        }
        #expect(accepted > 0, "no seed reads: the harness would start from nothing valid")
    }

    @Test("inbox name seeds: a kind found by name prefixes the name, and sanitized names are safe")
    func inboxNames() throws {
        let kinds: Set<String> = ["clearing", "dr-invitation", "dr-award", "dr-cancel"]
        let seeds = try Self.seeds("inbox-name")
        #expect(!seeds.isEmpty)
        for seed in seeds {
            let cut = seed.data.firstIndex(of: 0) ?? seed.data.endIndex
            let name = String(decoding: seed.data[..<cut], as: UTF8.self)
            let body = cut < seed.data.endIndex ? Data(seed.data[(cut + 1)...]) : Data()
            if let kind = Inbox.kind(of: name, data: body, among: kinds) { #expect(kinds.contains(kind)) }
            if let kind = Inbox.kind(of: name, data: Data(), among: kinds) { #expect(name.hasPrefix(kind)) }
            #expect(FileNames.isSafe(FileNames.sanitized(name)), "\(seed.name)")
        }
    }
}
