import Foundation
import Market
import Store
import Testing
import VPPCore

@testable import Daemon

/// Token file, inbox and config inputs that must fail closed or strictly (README "Files: inbox and outbox", "API tokens").
@Suite("Strict daemon inputs: token file, inbox, config numbers")
struct StrictInputTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    static func tempPath() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("tokens-\(UUID().uuidString)").path
    }

    static func line(_ name: String, _ role: Role, _ token: String) -> String {
        "\(name) \(role.rawValue) \(TokenFile.encodeHex(TokenFile.hashToken(token)))"
    }

    // MARK: token file

    @Test("a token file with CRLF line ends and a byte-order mark loads like the LF file")
    func tokenFileCRLF() throws {
        let lines = ["# tokens", Self.line("alice", .operator, "tok-a"), "", Self.line("bob", .viewer, "tok-b")]
        let lf = try TokenFile.parse(lines.joined(separator: "\n") + "\n", path: "t")
        let crlf = try TokenFile.parse("\u{FEFF}" + lines.joined(separator: "\r\n") + "\r\n", path: "t")
        #expect(lf.count == 2 && lf == crlf)
        #expect(TokenStore(records: crlf).authenticate(token: "tok-b") == Principal(name: "bob", role: .viewer))
    }

    @Test("a token file with one bad line is refused as a whole, naming the line")
    func tokenFileBadLine() throws {
        let text = [Self.line("alice", .operator, "tok-a"), "bob superuser 00", Self.line("carol", .viewer, "c")]
            .joined(separator: "\r\n")
        do {
            _ = try TokenFile.parse(text, path: "/etc/vppd/tokens")
            Issue.record("accepted a file with a bad line")
        } catch {
            #expect(
                error
                    == .badLine(
                        path: "/etc/vppd/tokens", line: 2,
                        problem:
                            "unknown role 'superuser' (one of \(Role.allCases.map(\.rawValue).joined(separator: ", ")))"
                    ))
        }
    }

    @Test("a refused reload revokes every token the new file no longer lists identically, and grants none")
    func revokeOnRefusedReload() throws {
        let path = Self.tempPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let old = [
            Self.line("alice", .operator, "tok-a"), Self.line("bob", .admin, "tok-b"),
            Self.line("carol", .viewer, "tok-c"),
        ]
        try (old.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        let store = try TokenStore(path: path)
        #expect(store.count == 3)
        // The operator removes carol, demotes bob, adds dave — and leaves a typo on another line.
        let new = [
            Self.line("alice", .operator, "tok-a"), Self.line("bob", .viewer, "tok-b"),
            Self.line("dave", .admin, "tok-d"), "erin operator not-hex",
        ]
        try (new.joined(separator: "\r\n") + "\r\n").write(toFile: path, atomically: true, encoding: .utf8)
        #expect(throws: AuthError.self) { try TokenFile.load(path: path) }
        let revoked = store.revokeUnlisted(path: path)
        #expect(Set(revoked) == ["bob", "carol"])
        #expect(store.authenticate(token: "tok-a") == Principal(name: "alice", role: .operator))
        #expect(store.authenticate(token: "tok-b") == nil, "a changed role revokes the old entry")
        #expect(store.authenticate(token: "tok-c") == nil, "a removed token must not keep working")
        #expect(store.authenticate(token: "tok-d") == nil, "a refused file grants nothing")
        // Deleted file: fail closed, every token revoked.
        try FileManager.default.removeItem(atPath: path)
        #expect(store.revokeUnlisted(path: path) == ["alice"])
        #expect(store.count == 0 && store.authenticate(token: "tok-a") == nil)
    }

    @Test("a SIGHUP reload refused for a bad token line still revokes the token whose line was deleted")
    func daemonReloadRevokes() async throws {
        let fixture = try DaemonFixture(devices: 2)
        defer { fixture.cleanup() }
        let late = try TokenFile.createToken(name: "late", role: .viewer, path: fixture.tokenPath)
        let daemon = try DaemonProcess(fixture: fixture)
        defer { daemon.stop() }
        try daemon.waitReady()
        let c = daemon.client()
        let bearer = ("Authorization", "Bearer \(late)")
        #expect(try c.request("GET", "/v1/devices", headers: [bearer]).status == 200)
        // Delete the line of `late` and break another line in the same edit.
        let text = try String(contentsOfFile: fixture.tokenPath, encoding: .utf8)
        let kept = text.split(separator: "\n").filter { !$0.hasPrefix("late ") }
        try ((kept + ["broken line"]).joined(separator: "\n") + "\n").write(
            toFile: fixture.tokenPath, atomically: true, encoding: .utf8)
        daemon.signal(SIGHUP)
        let deadline = Date().addingTimeInterval(10)
        var status = 200
        while Date() < deadline {
            status = try c.request("GET", "/v1/devices", headers: [bearer]).status
            if status == 401 { break }
            usleep(50_000)
        }
        #expect(status == 401, "the deleted token kept working after a refused reload")
        #expect(try c.request("GET", "/v1/devices", headers: [fixture.auth("viewer")]).status == 200)
        #expect(daemon.isRunning)
    }

    // MARK: inbox

    @Test("an unknown-kind file is refused as unknown even when its bytes were processed before")
    func unknownBeforeDuplicate() async throws {
        let f = try FilesFixture()
        defer { f.remove() }
        await f.inbox.register(kind: "clearing") { _ in "ok" }
        try f.deliver("clearing-1.json", #"{"v":1}"#)
        _ = await f.inbox.scanOnce()
        try f.deliver("weather-1.json", #"{"v":1}"#)
        let outcomes = await f.inbox.scanOnce()
        guard case .rejected(_, _, let reason) = outcomes.first else {
            Issue.record("not rejected as unknown: \(outcomes)")
            return
        }
        #expect(reason.contains("unknown file kind"))
    }

    @Test("a clearing that differs only in interval order, layout or price-unit spelling is a duplicate")
    func canonicalDuplicates() async throws {
        let f = try FilesFixture()
        defer { f.remove() }
        let log = FilesCallLog()
        await f.inbox.register(kind: "clearing") { file in
            await log.add(file.name)
            return "ok"
        }
        let good = try Data(contentsOf: Self.root.appendingPathComponent("Tests/Fixtures/clearing/good.json"))
        try f.deliver("clearing-a.json", String(decoding: good, as: UTF8.self))
        _ = await f.inbox.scanOnce()
        guard var top = try JSONSerialization.jsonObject(with: good) as? [String: Any],
            let intervals = top["intervals"] as? [Any]
        else {
            Issue.record("good.json is not an object with intervals")
            return
        }
        top["intervals"] = Array(intervals.reversed())
        top["priceUnit"] = "CNY/MWh"
        let shuffled = try JSONSerialization.data(withJSONObject: top)
        try f.deliver("clearing-b.json", String(decoding: shuffled, as: UTF8.self))
        let csv = try ClearingDocument(json: good, labelling: .start).csv()
        try f.deliver("clearing-c.csv", "\u{FEFF}" + csv.replacingOccurrences(of: "\n", with: "\r\n"))
        let outcomes = await f.inbox.scanOnce()
        #expect(outcomes.count == 2)
        for o in outcomes {
            guard case .duplicate = o else {
                Issue.record("expected a duplicate, got \(o)")
                continue
            }
        }
        #expect(await log.names == ["clearing-a.json"])
        // A real change (one price) is new content.
        top["intervals"] = intervals
        var first = (intervals.first as? [String: Any]) ?? [:]
        first["price"] = 123
        top["intervals"] = [first] + intervals.dropFirst()
        try f.deliver(
            "clearing-d.json", String(decoding: try JSONSerialization.data(withJSONObject: top), as: UTF8.self))
        _ = await f.inbox.scanOnce()
        #expect(await log.names == ["clearing-a.json", "clearing-d.json"])
    }

    @Test("a 5 MB value in a refused file gives a short .error.txt and audit row")
    func boundedRejection() async throws {
        let f = try FilesFixture()
        defer { f.remove() }
        let huge = String(repeating: "x", count: 5 << 20)
        await f.inbox.register(kind: "clearing") { file in
            let doc = try ClearingDocument(data: file.data, labelling: .start)
            return "\(doc.intervals.count)"
        }
        try f.deliver("clearing-huge.json", #"{"schema": "vppd.clearing/1", "marketDay": "\#(huge)"}"#)
        let outcomes = await f.inbox.scanOnce()
        guard case .rejected(_, let movedTo, let reason) = outcomes.first else {
            Issue.record("not rejected: \(outcomes)")
            return
        }
        #expect(reason.count <= BoundedText.defaultLimit + 64 && reason.contains("marketDay"), "\(reason.count)")
        let note = try f.read("rejected", movedTo + ".error.txt")
        #expect(note.utf8.count < 2048, "\(note.utf8.count) bytes")
        let audit = try await f.store.audit.list(AuditQuery(action: "inbox.reject"))
        #expect(audit.count == 1 && (audit.first?.detail.count ?? .max) <= BoundedText.defaultLimit + 64)
        // A handler error that is not bounded itself is bounded by the inbox.
        await f.inbox.register(kind: "weather") { _ in throw InboxTestError(text: "bad value \"\(huge)\"") }
        try f.deliver("weather-1.txt", "x")
        guard case .rejected(_, _, let why) = await f.inbox.scanOnce().first else {
            Issue.record("weather file not rejected")
            return
        }
        #expect(why.count <= BoundedText.defaultLimit + 64 && why.contains("elided"), "\(why.count)")
    }

    // MARK: config

    @Test("config numbers are plain decimal: hex, quoted, infinite values are refused naming the key")
    func configNumbers() throws {
        _ = try VPPConfig.parse(yaml: "api:\n  port: 8080\n", baseDirectory: "/etc/vppd")
        for (yaml, key) in [
            ("api:\n  port: 0x1F90\n", "api.port"), ("api:\n  port: \"8080\"\n", "api.port"),
            ("control:\n  periodMs: 1e3\n", "control.periodMs"),
            ("sites:\n  - id: s\n    connectionLimitKW: .inf\n", "connectionLimitKW"),
            ("sites:\n  - id: s\n    connectionLimitKW: \"0x10\"\n", "connectionLimitKW"),
        ] {
            do {
                _ = try VPPConfig.parse(yaml: yaml, baseDirectory: "/etc/vppd")
                Issue.record("accepted \(yaml)")
            } catch {
                #expect(error.description.contains(key), "\(yaml): \(error)")
            }
        }
    }
}

struct InboxTestError: Error, CustomStringConvertible {
    var text: String
    var description: String { text }
}
