import Foundation
import Testing

@testable import Daemon

@Suite("File outbox")
struct FilesOutboxTests {
    func makeOutbox() throws -> (Outbox, URL) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent(
            "vppd-outbox-\(UUID().uuidString)")
        return (try Outbox(directory: dir.appendingPathComponent("outbox")), dir)
    }

    func names(_ o: Outbox) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: o.directory.path).sorted()
    }

    @Test("a versioned file is written whole under its final name, with no temp file left behind")
    func writes() throws {
        let (o, dir) = try makeOutbox()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = try o.write(Data(#"{"bid":1}"#.utf8), stem: "bid-2026-11-24", version: 1)
        #expect(url.lastPathComponent == "bid-2026-11-24-v1.json")
        #expect(try Data(contentsOf: url) == Data(#"{"bid":1}"#.utf8))
        #expect(try names(o) == ["bid-2026-11-24-v1.json"])
        let attrs = try FileManager.default.attributesOfItem(atPath: url.path)
        #expect((attrs[.posixPermissions] as? Int).map { $0 & 0o007 } == 0)  // not world-readable
    }

    @Test("a written version is never overwritten")
    func immutable() throws {
        let (o, dir) = try makeOutbox()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = try o.write(Data("1".utf8), stem: "bid", version: 1)
        #expect(throws: FileDropError.exists(path: url.path)) {
            try o.write(Data("2".utf8), stem: "bid", version: 1)
        }
        #expect(try Data(contentsOf: url) == Data("1".utf8))
        #expect(try names(o) == ["bid-v1.json"])
    }

    @Test("next version counts up from the highest present, also under concurrent writers")
    func nextVersion() async throws {
        let (o, dir) = try makeOutbox()
        defer { try? FileManager.default.removeItem(at: dir) }
        try o.write(Data("{}".utf8), stem: "bid", version: 3)
        #expect(try o.latestVersion(stem: "bid") == 3)
        let versions = try await withThrowingTaskGroup(of: Int.self) { group in
            for i in 0..<8 {
                group.addTask { try o.writeNextVersion(Data("{\"w\":\(i)}".utf8), stem: "bid").1 }
            }
            var out: [Int] = []
            for try await v in group { out.append(v) }
            return out.sorted()
        }
        #expect(versions == Array(4...11))
        #expect(try names(o).count == 9)
        #expect(try names(o).allSatisfy { !$0.hasPrefix(".") })
    }

    @Test("stems and extensions that could leave the directory are refused")
    func hostileNames() throws {
        let (o, dir) = try makeOutbox()
        defer { try? FileManager.default.removeItem(at: dir) }
        for stem in ["../evil", "a/b", ".hidden", "", "x y"] {
            #expect(throws: FileDropError.self) { try o.write(Data(), stem: stem, version: 1) }
        }
        #expect(throws: FileDropError.self) {
            try o.write(Data(), stem: "ok", version: 1, ext: "json/../../x")
        }
        #expect(throws: FileDropError.self) { try o.write(Data(), stem: "ok", version: 0) }
        #expect(try names(o).isEmpty)
    }
}
